"""Error translation at the gRPC boundary, in both directions.

Inbound (we serve): :data:`GRPC_STATUS` is the one table from
``SettlementError.status`` to :class:`grpc.StatusCode`; :func:`grpc_errors` applies it to
servicer methods. Outbound (we call partners): :func:`translate_rpc_error` turns a
partner's status into the core's ``Upstream*`` errors, and :func:`is_retryable` says
whether the same request (same ``request_id``) may be sent again later.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, TypeVar, cast

import grpc

from settlement.errors import (
    CanonicalStatus,
    SettlementError,
    UpstreamAuthFailed,
    UpstreamNotFound,
    UpstreamRejected,
    UpstreamThrottled,
    UpstreamTimeout,
    UpstreamUnavailable,
)

log = logging.getLogger(__name__)

#: The one table from the core's canonical status to the gRPC status code.
GRPC_STATUS: Mapping[CanonicalStatus, grpc.StatusCode] = {
    "INVALID_ARGUMENT": grpc.StatusCode.INVALID_ARGUMENT,
    "FAILED_PRECONDITION": grpc.StatusCode.FAILED_PRECONDITION,
    "OUT_OF_RANGE": grpc.StatusCode.OUT_OF_RANGE,
    "UNAUTHENTICATED": grpc.StatusCode.UNAUTHENTICATED,
    "PERMISSION_DENIED": grpc.StatusCode.PERMISSION_DENIED,
    "NOT_FOUND": grpc.StatusCode.NOT_FOUND,
    "ALREADY_EXISTS": grpc.StatusCode.ALREADY_EXISTS,
    "ABORTED": grpc.StatusCode.ABORTED,
    "RESOURCE_EXHAUSTED": grpc.StatusCode.RESOURCE_EXHAUSTED,
    "UNAVAILABLE": grpc.StatusCode.UNAVAILABLE,
    "DEADLINE_EXCEEDED": grpc.StatusCode.DEADLINE_EXCEEDED,
    "UNIMPLEMENTED": grpc.StatusCode.UNIMPLEMENTED,
    "INTERNAL": grpc.StatusCode.INTERNAL,
}

#: Trailing-metadata key carrying the stable ``SettlementError.code`` (keys are lowercase).
ERROR_CODE_KEY = "error-code"
INTERNAL_MESSAGE = "internal error"

# What a partner's status means for us. Codes the gRPC library itself produces on
# transport trouble (UNAVAILABLE, CANCELLED, UNKNOWN, INTERNAL) and ABORTED (a conflict
# to retry at a higher level; the outbox is that level) are "try again later".
_OUTBOUND: Mapping[grpc.StatusCode, type[SettlementError]] = {
    grpc.StatusCode.UNAVAILABLE: UpstreamUnavailable,
    grpc.StatusCode.CANCELLED: UpstreamUnavailable,
    grpc.StatusCode.UNKNOWN: UpstreamUnavailable,
    grpc.StatusCode.INTERNAL: UpstreamUnavailable,
    grpc.StatusCode.ABORTED: UpstreamUnavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: UpstreamTimeout,
    grpc.StatusCode.RESOURCE_EXHAUSTED: UpstreamThrottled,
    grpc.StatusCode.NOT_FOUND: UpstreamNotFound,
    grpc.StatusCode.UNAUTHENTICATED: UpstreamAuthFailed,
    grpc.StatusCode.PERMISSION_DENIED: UpstreamAuthFailed,
    grpc.StatusCode.INVALID_ARGUMENT: UpstreamRejected,
    grpc.StatusCode.FAILED_PRECONDITION: UpstreamRejected,
    grpc.StatusCode.ALREADY_EXISTS: UpstreamRejected,
    grpc.StatusCode.OUT_OF_RANGE: UpstreamRejected,
    grpc.StatusCode.UNIMPLEMENTED: UpstreamRejected,
    grpc.StatusCode.DATA_LOSS: UpstreamRejected,
}

_RETRYABLE_CODES = frozenset(
    code
    for code, error in _OUTBOUND.items()
    if error in (UpstreamUnavailable, UpstreamTimeout, UpstreamThrottled)
)


def is_retryable(code: grpc.StatusCode) -> bool:
    """Whether a partner's ``code`` means the same request may succeed if sent again later.

    Safe only because every mutating call carries an AIP-155 ``request_id``: note that
    DEADLINE_EXCEEDED "may be returned even if the operation has completed successfully".
    """
    return code in _RETRYABLE_CODES


def translate_rpc_error(exc: grpc.RpcError, *, upstream: str, method: str = "") -> SettlementError:
    """The core error for a failed outbound call to ``upstream`` (e.g. an insurer code)."""
    code = _code_of(exc)
    details = _details_of(exc)
    error_class = _OUTBOUND.get(code, UpstreamRejected) if code is not None else UpstreamUnavailable
    code_name = code.name if code is not None else "UNKNOWN"
    message = f"{upstream} {method or 'call'} failed: {code_name}"
    if details:
        message = f"{message}: {details}"
    return error_class(message, upstream=upstream, method=method, grpc_code=code_name)


def _code_of(exc: grpc.RpcError) -> grpc.StatusCode | None:
    code = getattr(exc, "code", None)
    if not callable(code):
        return None
    value = code()
    return value if isinstance(value, grpc.StatusCode) else None


def _details_of(exc: grpc.RpcError) -> str:
    details = getattr(exc, "details", None)
    if not callable(details):
        return ""
    value = details()
    return value if isinstance(value, str) else ""


# --- inbound ----------------------------------------------------------------------------


async def abort_with(context: grpc.aio.ServicerContext[Any, Any], exc: BaseException) -> None:
    """Abort the RPC for ``exc``: mapped status for SettlementError, INTERNAL otherwise.

    Expected errors are logged without a traceback; unexpected ones with it, and their
    text never reaches the client.
    """
    if isinstance(exc, SettlementError):
        code = GRPC_STATUS.get(exc.status, grpc.StatusCode.INTERNAL)
        if code is grpc.StatusCode.INTERNAL:
            log.error("rpc failed: %s", exc.code, exc_info=exc)
        elif code is grpc.StatusCode.UNAVAILABLE:
            log.warning("rpc failed: %s %s", exc.code, exc.message)
        else:
            log.info("rpc refused: %s %s", exc.code, exc.message)
        await context.abort(code, exc.message, trailing_metadata=((ERROR_CODE_KEY, exc.code),))
    log.error("unexpected error in rpc", exc_info=exc)
    await context.abort(
        grpc.StatusCode.INTERNAL,
        INTERNAL_MESSAGE,
        trailing_metadata=((ERROR_CODE_KEY, "INTERNAL"),),
    )


F = TypeVar("F", bound=Callable[..., Any])


def _translated(servicer: object, exc: Exception) -> BaseException:
    """``exc`` in the error vocabulary when the servicer knows a name for it."""
    translate = getattr(servicer, "translate_error", None)
    if isinstance(exc, SettlementError) or translate is None:
        return exc
    return translate(exc) or exc


def grpc_errors(method: F) -> F:
    """Decorate a servicer method (unary coroutine or server-streaming async generator).

    SettlementError becomes ``context.abort(GRPC_STATUS[exc.status], exc.message)``;
    any other exception becomes INTERNAL with a generic message and a logged trace.
    """
    if inspect.isasyncgenfunction(method):

        @functools.wraps(method)
        async def stream_wrapper(
            self: object, request: object, context: grpc.aio.ServicerContext[Any, Any]
        ) -> AsyncIterator[object]:
            try:
                async for item in method(self, request, context):
                    yield item
            except grpc.aio.AbortError:
                raise
            except Exception as exc:
                await abort_with(context, _translated(self, exc))

        return cast(F, stream_wrapper)

    @functools.wraps(method)
    async def unary_wrapper(
        self: object, request: object, context: grpc.aio.ServicerContext[Any, Any]
    ) -> object:
        try:
            return await cast(Callable[..., Awaitable[object]], method)(self, request, context)
        except grpc.aio.AbortError:
            raise
        except Exception as exc:
            await abort_with(context, _translated(self, exc))
            raise  # unreachable: abort() always raises

    return cast(F, unary_wrapper)
