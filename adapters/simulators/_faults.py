"""Fault injection shared by the simulators."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import grpc


@dataclass
class Faults:
    """What a simulator should do wrong, checked at the start of every call.

    ``fail_next(n)`` fails the next ``n`` calls; ``fail_until_recovered()`` fails every
    call until ``recover()``; ``delay_s`` slows every call down (use it to trigger client
    deadlines); ``reject_next(n)`` answers with a final error instead of a transient one.
    """

    fail_remaining: int = 0
    fail_code: grpc.StatusCode = grpc.StatusCode.UNAVAILABLE
    failing: bool = False
    reject_remaining: int = 0
    reject_code: grpc.StatusCode = grpc.StatusCode.FAILED_PRECONDITION
    reject_message: str = "rejected by simulator"
    delay_s: float = 0.0

    def fail_next(self, n: int, code: grpc.StatusCode = grpc.StatusCode.UNAVAILABLE) -> None:
        self.fail_remaining, self.fail_code = n, code

    def fail_until_recovered(self, code: grpc.StatusCode = grpc.StatusCode.UNAVAILABLE) -> None:
        self.failing, self.fail_code = True, code

    def recover(self) -> None:
        self.failing, self.fail_remaining, self.reject_remaining, self.delay_s = False, 0, 0, 0.0

    def reject_next(
        self,
        n: int,
        code: grpc.StatusCode = grpc.StatusCode.FAILED_PRECONDITION,
        message: str = "rejected by simulator",
    ) -> None:
        self.reject_remaining, self.reject_code, self.reject_message = n, code, message

    async def apply(self, context: grpc.aio.ServicerContext[object, object]) -> None:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.failing:
            await context.abort(self.fail_code, "simulated outage")
        if self.fail_remaining > 0:
            self.fail_remaining -= 1
            await context.abort(self.fail_code, "simulated outage")
        if self.reject_remaining > 0:
            self.reject_remaining -= 1
            await context.abort(self.reject_code, self.reject_message)


@dataclass
class PartnerTls:
    """A simulator's server side of mutual TLS: its certificate and key, and the CA whose
    client certificates it accepts (ours); plus the bearer token it expects."""

    cert: bytes
    key: bytes
    client_ca: bytes
    token: str = ""

    def credentials(self) -> grpc.ServerCredentials:
        return grpc.ssl_server_credentials(
            [(self.key, self.cert)], root_certificates=self.client_ca, require_client_auth=True
        )


async def check_token(context: grpc.aio.ServicerContext[object, object], token: str) -> None:
    """Refuse a call without the expected ``authorization: Bearer`` token (if one is set)."""
    if not token:
        return
    sent = dict(context.invocation_metadata() or ()).get("authorization", "")
    if sent != f"Bearer {token}":
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong token")
