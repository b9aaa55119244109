"""Base Tornado handlers: JSON API errors, request ids, body limits, declared access."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import random
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import tornado.web

from adapters.http.client_ip import client_address, from_trusted_proxy
from adapters.http.errors import (
    CODE_FOR_HTTP_STATUS,
    PROBLEM_CONTENT_TYPE,
    http_status,
    problem,
)
from adapters.http.json_guard import parse_json
from adapters.observability import request_id_var
from settlement.config import Settings
from settlement.domain.audit import AuditEvent
from settlement.errors import (
    MalformedBody,
    NotAuthenticated,
    PayloadTooLarge,
    SettlementError,
    UnsupportedMediaType,
)
from settlement.ports.cases import StoredResponse
from settlement.services.audit import RequestOrigin, request_origin
from settlement.services.container import Services

log = logging.getLogger(__name__)

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")

Method = TypeVar("Method", bound=Callable[..., Awaitable[None] | None])


class BaseHandler(tornado.web.RequestHandler):
    """Common to API and page handlers: injected services and a request id."""

    services: Services
    settings_: Settings

    def initialize(self, services: Services, settings: Settings) -> None:
        self.services = services
        self.settings_ = settings

    def prepare(self) -> Awaitable[None] | None:
        incoming = self.request.headers.get("X-Request-Id", "")
        request_id = incoming if _safe_request_id(incoming) else _new_request_id()
        request_id_var.set(request_id)
        self.request_id = request_id
        self.set_header("X-Request-Id", request_id)
        # Everything downstream (limits, audit origins, the access log) reads remote_ip.
        peer, trusted = self.request.remote_ip or "", self.settings_.trusted_proxies
        self.request.remote_ip = client_address(
            peer, self.request.headers.get("X-Forwarded-For"), trusted
        )
        request_origin.set(RequestOrigin(self.request.remote_ip or "", request_id))
        scheme = self.request.headers.get("X-Forwarded-Proto", "").lower()
        if scheme in ("http", "https") and from_trusted_proxy(peer, trusted):
            self.request.protocol = scheme
        return None

    async def rate_limit(self, name: str, **subjects: str) -> None:
        """Count this attempt under the limits ``{name}_per_ip`` and ``{name}_per_{kind}``.

        Raises:
            RateLimited: over a limit (429 with ``Retry-After``).
        """
        limits = self.services.limits
        if limits is not None:
            address = self.request.remote_ip or ""
            await limits.check(name, origin=address, request_id=getattr(self, "request_id", ""),
                               ip=address, **subjects)  # fmt: skip

    def set_default_headers(self) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", "no-store")

    @classmethod
    def max_body_bytes(cls, settings: Settings) -> int:
        """The largest request body this route accepts (enforced from the headers)."""
        return settings.max_json_bytes

    def _handle_request_exception(self, e: BaseException) -> None:
        # Infrastructure failures (the database in an election) become the error
        # vocabulary's own errors once, here, so every handler answers them alike.
        translated = None if isinstance(e, SettlementError) else self.services.translate_error(e)
        if translated is None:
            super()._handle_request_exception(e)
            return
        try:
            raise translated from e
        except SettlementError as error:
            super()._handle_request_exception(error)

    def set_error_headers(self, status_code: int, error: BaseException | None) -> None:
        """``Allow`` on 405, ``Retry-After`` on 429 and 503 (RFC 9110 §15.5.6, §10.2.3)."""
        if status_code == 405:
            self.set_header("Allow", ", ".join(allowed_methods(type(self))))
        if status_code in (429, 503):
            details = error.details if isinstance(error, SettlementError) else {}
            retry_after = details.get("retry_after_s", DEFAULT_RETRY_AFTER_S)
            seconds = retry_after if isinstance(retry_after, int | float) else 1
            self.set_header("Retry-After", str(max(1, math.ceil(seconds))))


DEFAULT_RETRY_AFTER_S = 2
"""What a 503 without a better estimate tells clients to wait."""


def allowed_methods(handler: type[tornado.web.RequestHandler]) -> list[str]:
    """The HTTP methods a handler class implements."""
    return [
        name.upper()
        for name in HTTP_METHODS
        if getattr(handler, name) is not getattr(tornado.web.RequestHandler, name)
    ]


class ApiHandler(BaseHandler):
    """JSON API handler: every error is an ``application/problem+json`` body."""

    user_id: str = ""
    header_idempotency = True
    """Whether POSTs honour ``Idempotency-Key`` (streamed bodies use their own key)."""

    def json_body(self) -> Any:
        """The request body parsed as JSON (an empty body reads as an empty object)."""
        content_type = self.request.headers.get("Content-Type", "application/json")
        if self.request.body and not content_type.split(";")[0].strip().endswith("json"):
            raise UnsupportedMediaType("Send the request body as application/json.")
        if not self.request.body:
            return {}
        return parse_json(self.request.body)

    def respond(self, payload: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        body = json.dumps(payload, ensure_ascii=False, default=str).encode()
        self._response_record = StoredResponse(status, body, "application/json; charset=UTF-8")
        self.finish(body)

    def bearer_token(self) -> str:
        header = self.request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("Sign in first: send 'Authorization: Bearer <token>'.")
        return token.strip()

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, SettlementError):
            status_code = http_status(error)
            body = problem(status_code, error.code, error.message, error.details, self.request_id_)
        elif isinstance(error, tornado.web.HTTPError):
            status_code = error.status_code
            code = CODE_FOR_HTTP_STATUS.get(status_code, f"HTTP_{status_code}")
            message = error.reason or self._reason
            body = problem(status_code, code, message, None, self.request_id_)
        else:
            status_code = 500
            body = problem(
                500, "INTERNAL", "Something went wrong on our side; please try again later.",
                None, self.request_id_,
            )  # fmt: skip
        self.set_status(status_code)
        self.clear_header("Set-Cookie")
        self.set_header("Content-Type", PROBLEM_CONTENT_TYPE)
        self.set_error_headers(status_code, error)
        self.finish(body)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, SettlementError):
            # Reported on purpose: a refusal, or an expected outage (a partner busy, the
            # database in an election). Neither is a bug, so no traceback.
            unavailable = http_status(value) >= 500
            (log.warning if unavailable else log.info)(
                "request failed" if unavailable else "request refused",
                extra={
                    "error_code": value.code,
                    "method": self.request.method,
                    "path": self.request.path,
                },
            )
            return
        if isinstance(value, tornado.web.HTTPError) and value.status_code < 500:
            return
        super().log_exception(typ, value, tb)

    @property
    def request_id_(self) -> str:
        return getattr(self, "request_id", "-")


@tornado.web.stream_request_body
class TooLargeHandler(ApiHandler):
    """Answers 413 for a body declared larger than its route's limit, reading none of it.

    The application routes such requests here instead of to their handler (see
    ``SettlementApplication``); streaming mode makes Tornado run ``prepare`` as soon as
    the headers are in, and finishing early closes the connection.
    """

    def initialize(self, services: Services, settings: Settings, limit: int = 0) -> None:
        super().initialize(services, settings)
        self.limit = limit

    def prepare(self) -> None:
        super().prepare()
        raise PayloadTooLarge(
            f"The request body is larger than {self.limit} bytes.", limit_bytes=self.limit
        )


_REQUEST_IDS = random.Random()  # seeded from the OS once
"""Request ids label log lines and audit entries, they guard nothing (a client may send
its own): a PRNG spares each request a system call (``os.urandom``)."""


def _new_request_id() -> str:
    return f"{_REQUEST_IDS.getrandbits(64):016x}"


def _safe_request_id(value: str) -> bool:
    return 0 < len(value) <= 64 and all(c.isalnum() or c in "-_." for c in value)


# --- declared access -------------------------------------------------------------------

ACCESS_ATTRIBUTE = "__access__"


def public(method: Method) -> Method:
    """Mark an entry point that anyone may call (health, sign-in, the API description)."""
    setattr(method, ACCESS_ATTRIBUTE, "public")
    return method


def driver(method: Method) -> Method:
    """A signed-in driver may call this; ``self.user_id`` is set before it runs.

    POSTs honour ``Idempotency-Key``: the same key and body give the first response and one
    effect; the same key with another body is refused.
    """

    @functools.wraps(method)
    async def wrapper(self: ApiHandler, *args: Any, **kwargs: Any) -> None:
        self.user_id = await self.services.auth.authenticate(self.bearer_token())
        key = self.request.headers.get("Idempotency-Key")
        if self.request.method != "POST" or not key or not self.header_idempotency:
            await _maybe_await(method(self, *args, **kwargs))
            return
        await _idempotent(self, key, lambda: _maybe_await(method(self, *args, **kwargs)))

    setattr(wrapper, ACCESS_ATTRIBUTE, "driver")
    return cast(Method, _audited(wrapper))


def _audited(inner: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """Record a signed-in driver's refused access (a security event) before answering.

    A party reading their own case is not an audit event (the access log has it), and a
    driver's changes are recorded by the use cases in the transaction of the change.
    """

    @functools.wraps(inner)
    async def wrapper(self: ApiHandler, *args: Any, **kwargs: Any) -> None:
        try:
            await inner(self, *args, **kwargs)
        except SettlementError as exc:
            if exc.status in ("NOT_FOUND", "PERMISSION_DENIED"):
                await _record_denial(self, args, exc)
            raise

    return wrapper


async def _record_denial(handler: ApiHandler, args: tuple[Any, ...], error: SettlementError
                         ) -> None:  # fmt: skip
    audit = handler.services.audit
    if audit is None or not handler.user_id:
        return  # not signed in: nothing to attribute (the refusal is in the access log)
    case_id = args[0] if args and isinstance(args[0], str) else None
    name = type(handler).__name__.removesuffix("Handler")
    await audit.record(
        AuditEvent(
            actor=f"driver:{handler.user_id}", actor_kind="driver", role="driver",
            action=f"api.{name}.{(handler.request.method or '').lower()}", outcome="denied",
            case_id=case_id[:64] if case_id else None,
            details={"status": http_status(error), "error": error.code},
        )
    )  # fmt: skip


async def _idempotent(handler: ApiHandler, key: str, run: Callable[[], Awaitable[None]]) -> None:
    if len(key) > 128:
        raise MalformedBody("Idempotency-Key must be at most 128 characters.")
    store = handler.services.idempotency
    fingerprint = hashlib.sha256(
        b"\x1f".join([handler.request.path.encode(), handler.request.body])
    ).hexdigest()
    stored = await store.begin(handler.user_id, key, fingerprint)
    if stored is not None:
        handler.set_status(stored.status)
        handler.set_header("Content-Type", stored.content_type)
        handler.set_header("Idempotent-Replayed", "true")
        handler.finish(stored.body)
        return
    try:
        await run()
    except BaseException:
        await store.abandon(handler.user_id, key)
        raise
    record: StoredResponse | None = getattr(handler, "_response_record", None)
    if record is None:
        await store.abandon(handler.user_id, key)
    else:
        await store.complete(handler.user_id, key, record)


async def _maybe_await(result: Awaitable[None] | None) -> None:
    if result is not None:
        await result


def undeclared_entry_points(
    handlers: list[type[tornado.web.RequestHandler]],
) -> list[str]:
    """Handler methods that declare no access rule (the application refuses to start)."""
    missing = []
    for handler in handlers:
        for name in HTTP_METHODS:
            method = handler.__dict__.get(name)
            if method is not None and not hasattr(method, ACCESS_ATTRIBUTE):
                missing.append(f"{handler.__module__}.{handler.__qualname__}.{name}")
    return missing
