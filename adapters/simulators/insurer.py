"""A simulated insurer: the InsurerGatewayService on a real grpc.aio server.

* assigns claim numbers and keeps claims by number and by our claim id (one case may
  bring several claims: both parties insured here, several covers);
* is idempotent on ``request_id`` (a repeat returns the first answer), and counts
  attempts and distinct claims so tests can prove "exactly once";
* moves claims along (assessment, payout) when told to, or by itself with
  ``auto_progress`` on every status query;
* misbehaves on request through :attr:`faults`.

Run one for a demo: ``python -m adapters.simulators.insurer --code PICC --port 50061``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeAlias

import grpc
from google.protobuf import timestamp_pb2

from adapters.grpc.pb.accident.insurer.v1 import insurer_gateway_pb2 as pb
from adapters.grpc.pb.accident.insurer.v1 import insurer_gateway_pb2_grpc as pb_grpc
from adapters.simulators._faults import Faults, PartnerTls, check_token

log = logging.getLogger(__name__)

Context: TypeAlias = "grpc.aio.ServicerContext[Any, Any]"
_Servicer: Any = pb_grpc.InsurerGatewayServiceServicer
_add_servicer: Any = pb_grpc.add_InsurerGatewayServiceServicer_to_server

_NEXT_STATUS: dict[Any, Any] = {
    pb.CLAIM_STATUS_RECEIVED: pb.CLAIM_STATUS_UNDER_ASSESSMENT,
    pb.CLAIM_STATUS_UNDER_ASSESSMENT: pb.CLAIM_STATUS_ASSESSED,
    pb.CLAIM_STATUS_ASSESSED: pb.CLAIM_STATUS_APPROVED,
    pb.CLAIM_STATUS_APPROVED: pb.CLAIM_STATUS_PAID,
}


def _now() -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(datetime.now(UTC))
    return stamp


@dataclass
class SimulatedClaim:
    claim_number: str
    case_id: str
    request: Any  # the FileClaimRequest as received
    status: Any = pb.CLAIM_STATUS_RECEIVED
    assessed_amount: Decimal | None = None
    paid_amount: Decimal | None = None
    transaction_reference: str = ""
    status_reason: str = ""
    updated: timestamp_pb2.Timestamp = field(default_factory=_now)

    @property
    def claim_id(self) -> str:
        return str(self.request.claim_id or self.request.case_id)


class InsurerSimulator(_Servicer):  # type: ignore[misc]
    """The simulated insurer; start with :meth:`start`, stop with :meth:`stop`."""

    def __init__(self, insurer_code: str = "SIM", *, auto_progress: bool = False) -> None:
        self.insurer_code = insurer_code
        self.auto_progress = auto_progress
        self.faults = Faults()
        self._numbers = itertools.count(1)
        self.calls: Counter[str] = Counter()  # every attempt, failed ones included
        self.claims: dict[str, SimulatedClaim] = {}  # by claim number
        self._by_claim: dict[str, str] = {}  # our claim id -> claim number
        self._answers: dict[tuple[str, str], Any] = {}  # (method, request_id) -> response
        self._server: grpc.aio.Server | None = None
        self.port = 0
        self.tls: PartnerTls | None = None
        """Set before :meth:`start` to serve mutual TLS and require a token."""

    # --- what tests look at -------------------------------------------------------------

    @property
    def file_claim_attempts(self) -> int:
        return self.calls["FileClaim"]

    @property
    def distinct_claims(self) -> int:
        return len(self.claims)

    def claim_by_id(self, claim_id: str) -> SimulatedClaim | None:
        number = self._by_claim.get(claim_id)
        return self.claims.get(number) if number else None

    def claims_for_case(self, case_id: str) -> list[SimulatedClaim]:
        return [c for c in self.claims.values() if c.case_id == case_id]

    def claim_for_case(self, case_id: str) -> SimulatedClaim | None:
        found = self.claims_for_case(case_id)
        return found[0] if found else None

    # --- scripting outcomes -------------------------------------------------------------

    def assess(self, claim_number: str, amount: Decimal) -> None:
        claim = self.claims[claim_number]
        claim.status, claim.assessed_amount, claim.updated = (
            pb.CLAIM_STATUS_ASSESSED,
            amount,
            _now(),
        )

    def pay(self, claim_number: str, amount: Decimal | None = None, reference: str = "") -> None:
        claim = self.claims[claim_number]
        claim.paid_amount = amount if amount is not None else claim.assessed_amount or Decimal(0)
        claim.transaction_reference = reference or f"TX-{claim_number}"
        claim.status, claim.updated = pb.CLAIM_STATUS_PAID, _now()

    def reject(self, claim_number: str, reason: str) -> None:
        claim = self.claims[claim_number]
        claim.status, claim.status_reason, claim.updated = pb.CLAIM_STATUS_REJECTED, reason, _now()

    def forget(self, case_id: str) -> None:
        """Lose every trace of a case's claims, request ids included (a partner-side loss)."""
        for claim in self.claims_for_case(case_id):
            self.claims.pop(claim.claim_number, None)
            self._by_claim.pop(claim.claim_id, None)
            self._answers.pop(("FileClaim", claim.request.request_id), None)

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Serve on ``host:port`` (port 0 picks a free one); returns the bound port."""
        server = grpc.aio.server()
        _add_servicer(self, server)
        address = f"{host}:{port}"
        self.port = (
            server.add_secure_port(address, self.tls.credentials())
            if self.tls is not None
            else server.add_insecure_port(address)
        )
        await server.start()
        self._server = server
        return self.port

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def stop(self, grace: float | None = None) -> None:
        if self._server is not None:
            await self._server.stop(grace)
            self._server = None

    # --- the service --------------------------------------------------------------------

    async def FileClaim(self, request: Any, context: Context) -> Any:
        self.calls["FileClaim"] += 1
        await check_token(context, self.tls.token if self.tls else "")
        await self.faults.apply(context)
        if not request.request_id:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "request_id is required")
        earlier = self._answers.get(("FileClaim", request.request_id))
        if earlier is not None:
            return earlier
        claim_id = request.claim_id or request.case_id
        if claim_id in self._by_claim:
            await context.abort(grpc.StatusCode.ALREADY_EXISTS, "this claim exists already")
        number = f"{self.insurer_code}-{next(self._numbers):06d}"
        claim = SimulatedClaim(claim_number=number, case_id=request.case_id, request=request)
        self.claims[number] = claim
        self._by_claim[claim_id] = number
        response = pb.FileClaimResponse(
            claim_number=number, status=claim.status, receive_time=claim.updated
        )
        self._answers[("FileClaim", request.request_id)] = response
        log.info("insurer %s filed %s for case %s", self.insurer_code, number, request.case_id)
        return response

    async def CancelClaim(self, request: Any, context: Context) -> Any:
        self.calls["CancelClaim"] += 1
        await check_token(context, self.tls.token if self.tls else "")
        await self.faults.apply(context)
        earlier = self._answers.get(("CancelClaim", request.request_id))
        if earlier is not None:
            return earlier
        claim = self.claims.get(request.claim_number) or self.claim_by_id(
            request.claim_id or request.case_id
        )
        if claim is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, "no such claim")
        assert claim is not None  # noqa: S101 - abort() raised otherwise
        if claim.status == pb.CLAIM_STATUS_PAID:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "claim already paid")
        claim.status, claim.status_reason, claim.updated = (
            pb.CLAIM_STATUS_CANCELLED,
            request.reason,
            _now(),
        )
        response = pb.CancelClaimResponse(claim_number=claim.claim_number, status=claim.status)
        self._answers[("CancelClaim", request.request_id)] = response
        return response

    async def GetClaimStatus(self, request: Any, context: Context) -> Any:
        self.calls["GetClaimStatus"] += 1
        await check_token(context, self.tls.token if self.tls else "")
        await self.faults.apply(context)
        ref = request.WhichOneof("claim_ref")
        if ref == "claim_number":
            claim = self.claims.get(request.claim_number)
        elif ref == "claim_id":
            claim = self.claim_by_id(request.claim_id)
        else:
            claim = self.claim_for_case(request.case_id)
        if claim is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, "no such claim")
        assert claim is not None  # noqa: S101 - abort() raised otherwise
        if self.auto_progress:
            self._advance(claim)
        response = pb.GetClaimStatusResponse(
            claim_number=claim.claim_number,
            case_id=claim.case_id,
            claim_id=claim.claim_id,
            status=claim.status,
            status_reason=claim.status_reason,
            update_time=claim.updated,
        )
        if claim.assessed_amount is not None:
            response.assessed_amount.CopyFrom(_money(claim.assessed_amount))
        if claim.paid_amount is not None:
            response.payout.CopyFrom(
                pb.Payout(
                    amount=_money(claim.paid_amount),
                    paid_time=claim.updated,
                    transaction_reference=claim.transaction_reference,
                )
            )
        return response

    def _advance(self, claim: SimulatedClaim) -> None:
        following = _NEXT_STATUS.get(claim.status)
        if following is None:
            return
        if following == pb.CLAIM_STATUS_ASSESSED:
            due = claim.request.amount_due.amount
            if due:
                self.assess(claim.claim_number, Decimal(due))
            else:
                share = Decimal(claim.request.liability_share or "1")
                loss = Decimal(claim.request.estimated_loss.amount or "0")
                self.assess(claim.claim_number, (loss * share).quantize(Decimal("0.01")))
        elif following == pb.CLAIM_STATUS_PAID:
            self.pay(claim.claim_number)
        else:
            claim.status, claim.updated = following, _now()


def _money(amount: Decimal) -> Any:
    return pb.Money(currency_code="CNY", amount=str(amount))


async def _serve(code: str, port: int) -> None:
    simulator = InsurerSimulator(code, auto_progress=True)
    bound = await simulator.start("127.0.0.1", port)
    log.info("insurer simulator %s on 127.0.0.1:%d", code, bound)
    try:
        await asyncio.Event().wait()
    finally:
        await simulator.stop(1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run a simulated insurer.")
    parser.add_argument("--code", default="SIM", help="insurer code used in claim numbers")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    asyncio.run(_serve(args.code, args.port))


if __name__ == "__main__":
    main()
