"""Insurer authentication for the partner gRPC API: mTLS identity plus a bearer token.

The TLS layer (``require_client_auth=True``) refuses clients without a certificate
signed by our partner CA during the handshake, before any RPC exists. For every call
that reaches the server, :class:`InsurerAuthInterceptor` then checks that

* the verified client certificate names exactly one known insurer (its CN or a
  subject alternative name is the insurer code), else UNAUTHENTICATED;
* ``authorization: Bearer <token>`` is present and is a token we issued, else
  UNAUTHENTICATED;
* the token was issued to that same insurer, else PERMISSION_DENIED: the caller proved
  who it is but holds another insurer's token.

The principal goes into :data:`current_insurer` for the servicer, and the call's origin
(peer address, request id) into the audit trail's request origin. Tokens are kept only
as SHA-256 digests and never logged.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import grpc

from adapters.grpc.origin import call_origin
from adapters.grpc.status import abort_with
from settlement.errors import NotAuthenticated, NotPermitted
from settlement.services.audit import request_origin

SETTLEMENT_SERVICE_PREFIX = "/accident.settlement.v1.SettlementService/"
MAX_TOKEN_LENGTH = 512

Context: TypeAlias = "grpc.aio.ServicerContext[Any, Any]"


@dataclass(frozen=True, slots=True)
class InsurerPrincipal:
    """An authenticated insurer: who is calling."""

    insurer_code: str


current_insurer: contextvars.ContextVar[InsurerPrincipal | None] = contextvars.ContextVar(
    "current_insurer", default=None
)


def require_insurer() -> InsurerPrincipal:
    """The insurer of the current call.

    Raises:
        NotAuthenticated: the call did not pass through the interceptor (a wiring bug
            would otherwise expose every insurer's claims).
    """
    principal = current_insurer.get()
    if principal is None:
        raise NotAuthenticated("This call is not authenticated.")
    return principal


def parse_tokens(raw: str) -> dict[str, str]:
    """``"PICC=token1,CPIC=token2"`` -> ``{"PICC": "token1", "CPIC": "token2"}``.

    Raises:
        ValueError: an entry is not ``CODE=token`` or a code appears twice.
    """
    tokens: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in raw.split(","))):
        code, sep, token = entry.partition("=")
        code, token = code.strip().upper(), token.strip()
        if not sep or not code or not token:
            raise ValueError("entries must look like CODE=token")
        if code in tokens:
            raise ValueError(f"insurer {code} is listed twice")
        tokens[code] = token
    return tokens


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


class InsurerAuthInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Authenticates every call to the protected services (health checks stay open).

    Args:
        tokens: insurer code -> the bearer token issued to it.
        protected_prefixes: method-name prefixes that need an insurer.
    """

    def __init__(
        self,
        tokens: Mapping[str, str],
        *,
        protected_prefixes: Iterable[str] = (SETTLEMENT_SERVICE_PREFIX,),
    ) -> None:
        self._tokens = [(_digest(token), code.upper()) for code, token in tokens.items()]
        self._insurers = frozenset(code.upper() for code in tokens)
        self._prefixes = tuple(protected_prefixes)
        # Wrapped handlers per method: the server's handler for a method never changes, so
        # wrapping it once spares every call two closures and a handler object.
        self._wrapped: dict[str, grpc.RpcMethodHandler] = {}

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        method: str = handler_call_details.method
        cached = self._wrapped.get(method)
        if cached is not None:
            return cached
        handler = await continuation(handler_call_details)
        if handler is None or not method.startswith(self._prefixes):
            return handler
        wrapped = self._wrap(handler)
        self._wrapped[method] = wrapped
        return wrapped

    def _wrap(self, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        # The peer certificate is only visible on the servicer context, so the check
        # runs inside a wrapper around the real behaviour.
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                self._unary(handler.unary_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                self._stream(handler.unary_stream),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return grpc.unary_unary_rpc_method_handler(self._refuse)

    async def _refuse(self, request: object, context: Context) -> None:
        await abort_with(context, NotPermitted("Client streaming is not offered."))

    def _unary(
        self, behaviour: Callable[[object, Context], Awaitable[object]]
    ) -> Callable[[object, Context], Awaitable[object]]:
        async def run(request: object, context: Context) -> object:
            principal = await self._principal_or_abort(context)
            token = current_insurer.set(principal)
            origin = request_origin.set(call_origin(context))
            try:
                return await behaviour(request, context)
            finally:
                request_origin.reset(origin)
                current_insurer.reset(token)

        return run

    def _stream(
        self, behaviour: Callable[[object, Context], AsyncIterator[object]]
    ) -> Callable[[object, Context], AsyncIterator[object]]:
        async def run(request: object, context: Context) -> AsyncIterator[object]:
            principal = await self._principal_or_abort(context)
            current_insurer.set(principal)  # this RPC's own task: nothing to restore
            request_origin.set(call_origin(context))
            async for item in behaviour(request, context):
                yield item

        return run

    async def _principal_or_abort(self, context: Context) -> InsurerPrincipal:
        try:
            return self.authenticate(context)
        except (NotAuthenticated, NotPermitted) as exc:
            await abort_with(context, exc)
            raise  # unreachable: abort() raises

    def authenticate(self, context: Context) -> InsurerPrincipal:
        """The insurer behind this call's certificate and token.

        Raises:
            NotAuthenticated: no usable certificate identity, or no valid token.
            NotPermitted: the token belongs to a different insurer than the certificate.
        """
        cert_insurer = self._certificate_insurer(context)
        presented = self._bearer(context)
        token_insurer = None
        digest = _digest(presented)
        for known, code in self._tokens:
            # Compare against every entry so timing does not tell which one matched.
            if hmac.compare_digest(known, digest):
                token_insurer = code
        if token_insurer is None:
            raise NotAuthenticated("The bearer token is not valid.")
        if token_insurer != cert_insurer:
            raise NotPermitted("The bearer token was not issued to your certificate's insurer.")
        return InsurerPrincipal(cert_insurer)

    def _certificate_insurer(self, context: Context) -> str:
        auth = context.auth_context() or {}
        names: set[str] = set()
        for key in ("x509_common_name", "x509_subject_alternative_name"):
            for value in auth.get(key, ()):
                text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                names.add(text.strip().upper())
        matches = names & self._insurers
        if len(matches) != 1:
            # No certificate (plaintext listener), an unknown company, or a certificate
            # naming two insurers: none of them identifies one caller.
            raise NotAuthenticated("A client certificate naming one insurer is required.")
        return next(iter(matches))

    @staticmethod
    def _bearer(context: Context) -> str:
        values = [v for k, v in context.invocation_metadata() or () if k == "authorization"]
        if len(values) != 1 or not isinstance(values[0], str):
            raise NotAuthenticated("One 'authorization: Bearer <token>' header is required.")
        scheme, _, token = values[0].partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
            raise NotAuthenticated("One 'authorization: Bearer <token>' header is required.")
        return token


def server_credentials(cert: Path, key: Path, client_ca: Path) -> grpc.ServerCredentials:
    """TLS for the partner listener that demands a client certificate from our CA."""
    return grpc.ssl_server_credentials(
        [(key.read_bytes(), cert.read_bytes())],
        root_certificates=client_ca.read_bytes(),
        require_client_auth=True,
    )
