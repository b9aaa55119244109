"""The console's page-handler base and its access declarations (``@reviewer`` and up).

Page handlers answer with HTML pages, never JSON. Every POST must carry the XSRF token
(the application turns Tornado's automatic check off for the JSON API, so this base class
runs it itself), and every entry point declares the least role it needs, which the
start-up audit in ``make_app`` checks just like ``@public`` and ``@driver``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import quote

import tornado.web

from adapters.http.base import ACCESS_ATTRIBUTE, BaseHandler
from adapters.http.console.i18n import (
    LANGS,
    MESSAGES,
    Lang,
    actor,
    audit_details,
    label,
    partner_words,
    pick_lang,
    translate,
)
from adapters.http.errors import http_status
from settlement.config import Settings
from settlement.domain.audit import AuditEvent
from settlement.domain.jurisdiction import district_name
from settlement.domain.staff import Role, StaffSession
from settlement.errors import NotPermitted, SettlementError
from settlement.services.audit import AuditTrail, RequestOrigin
from settlement.services.console import ReviewConsole, StaffAuth
from settlement.services.outbox_admin import OutboxConsole
from settlement.services.supervision import Supervision

log = logging.getLogger(__name__)

CHINA = timezone(timedelta(hours=8), "CST")
TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
LOGIN_URL = "/console/login"
MAX_FORM_BYTES = 16 * 1024
"""Console forms are a few short fields; anything bigger is refused before parsing."""

Method = TypeVar("Method", bound=Callable[..., Awaitable[None] | None])

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def safe_next(value: str | None) -> str:
    """A local console path to go to after sign-in; anything else is the queue.

    Absolute or scheme-relative URLs are refused because they would make the sign-in page
    an open redirect.
    """
    if value and value.startswith("/console/") and not value.startswith("//") and (
        "\\" not in value
    ):
        return value[:300]
    return "/console/queue"


class ConsoleHandler(BaseHandler):
    """Base of every console page: HTML errors, XSRF on POST, language, staff session."""

    staff: StaffSession
    lang: Lang = "zh"

    # --- Tornado hooks -------------------------------------------------------------------

    @property
    def settings(self) -> dict[str, Any]:
        # Only console pages set the XSRF cookie, so its attributes are chosen here
        # instead of in the application-wide settings the JSON API shares.
        merged: dict[str, Any] | None = self.__dict__.get("_console_settings")
        if merged is None:
            merged = {**self.application.settings, "xsrf_cookie_kwargs": self.cookie_kwargs()}
            self.__dict__["_console_settings"] = merged
        return merged

    def get_template_path(self) -> str:
        return str(TEMPLATES)

    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.set_header("X-Frame-Options", "DENY")
        self.set_header("Referrer-Policy", "no-referrer")

    def prepare(self) -> Awaitable[None] | None:
        super().prepare()
        self.lang = pick_lang(self.get_cookie("lang"))
        if self.request.method == "POST":
            self.check_xsrf_cookie()
        return None

    @classmethod
    def max_body_bytes(cls, settings: Settings) -> int:
        return MAX_FORM_BYTES

    def get_template_namespace(self) -> dict[str, Any]:
        namespace = super().get_template_namespace()
        namespace.update(
            t=lambda key: translate(self.lang, key),
            lang=self.lang,
            other_lang=LANGS[1] if self.lang == LANGS[0] else LANGS[0],
            staff=getattr(self, "staff", None),
            here=quote(self.request.uri or "/console/queue", safe="/"),
            Role=Role,
            district_name=district_name,
            lbl=lambda kind, code: label(self.lang, kind, code),
            actor=lambda who: actor(self.lang, who),
            partner=lambda who: partner_words(self.lang, who),
            audit_details=lambda event: audit_details(self.lang, dict(event.details)),
            audit_keys=frozenset(k.removeprefix("audit.key.") for k in MESSAGES
                                 if k.startswith("audit.key.")),
            yuan=yuan,
            when=lambda dt, fmt="%Y-%m-%d %H:%M": dt.astimezone(CHINA).strftime(fmt),
        )
        return namespace

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        message = ""
        if isinstance(error, SettlementError):
            status_code = http_status(error)
            message = error.message
        elif isinstance(error, tornado.web.HTTPError):
            status_code = error.status_code
            message = error.reason or self._reason
        else:
            status_code = 500
            message = "Something went wrong on our side; please try again later."
        self.set_status(status_code)
        self.clear_header("Set-Cookie")
        self.set_error_headers(status_code, error)
        self.render("error.html", status=status_code, message=message)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, SettlementError) and http_status(value) < 500:
            log.info("console request refused", extra={"code": value.code,
                                                       "path": self.request.path})
            return
        if isinstance(value, tornado.web.HTTPError) and value.status_code < 500:
            return
        super().log_exception(typ, value, tb)

    # --- helpers -------------------------------------------------------------------------

    def cookie_kwargs(self) -> dict[str, Any]:
        return {
            "httponly": True,
            "secure": self.settings_.console_secure_cookies,
            "samesite": "Strict",
            "path": "/",
        }

    @property
    def session_cookie(self) -> str:
        # The __Host- prefix makes browsers refuse the cookie unless it is Secure,
        # host-only and path=/, so it needs HTTPS; plain-http test runs use a plain name.
        return "__Host-console" if self.settings_.console_secure_cookies else "console_session"

    @property
    def origin(self) -> RequestOrigin:
        return RequestOrigin(self.request.remote_ip or "", getattr(self, "request_id", ""))

    @property
    def staff_auth(self) -> StaffAuth:
        return _required(self.services.staff_auth)

    @property
    def review(self) -> ReviewConsole:
        return _required(self.services.review)

    @property
    def supervision(self) -> Supervision:
        return _required(self.services.supervision)

    @property
    def audit(self) -> AuditTrail:
        return _required(self.services.audit)

    @property
    def outbox(self) -> OutboxConsole:
        return _required(self.services.outbox_console)

    def form(self, name: str, limit: int = 2000) -> str:
        value = self.get_body_argument(name, "") or ""
        if len(value) > limit:
            raise tornado.web.HTTPError(413, reason=f"Field {name} is too long")
        return value

    async def current_staff(self) -> StaffSession | None:
        token = self.get_cookie(self.session_cookie) or ""
        return await self.staff_auth.resolve(token, self.origin)


T = TypeVar("T")


def yuan(amount: object) -> str:
    """An amount in yuan as ``¥1,234.00``; ``—`` when there is none (inspection needed)."""
    if isinstance(amount, bool) or amount is None:
        return "—"
    try:
        return f"¥{float(str(amount)):,.2f}"
    except ValueError:
        return "—"


def _required(service: T | None) -> T:
    if service is None:
        raise tornado.web.HTTPError(503, reason="The console is not configured")
    return service


def _requires(role: Role) -> Callable[[Method], Method]:
    def decorate(method: Method) -> Method:
        @functools.wraps(method)
        async def wrapper(self: ConsoleHandler, *args: Any, **kwargs: Any) -> None:
            session = await self.current_staff()
            if session is None:
                if self.request.method in ("GET", "HEAD"):
                    self.redirect(f"{LOGIN_URL}?next={quote(self.request.uri or '')}")
                    return
                raise tornado.web.HTTPError(401, reason="Please sign in again.")
            self.staff = session
            if not session.role.includes(role):
                await self.audit.record(
                    AuditEvent(
                        actor=f"staff:{session.username}", actor_kind="staff",
                        role=session.role.value, action=f"page:{type(self).__name__}",
                        outcome="denied", origin=self.origin.address,
                        request_id=self.origin.request_id,
                        details={"required_role": role.value},
                    )
                )  # fmt: skip
                raise NotPermitted("Your role does not allow this page.")
            result = method(self, *args, **kwargs)
            if result is not None:
                await result

        setattr(wrapper, ACCESS_ATTRIBUTE, f"console:{role.value}")
        return cast(Method, wrapper)

    return decorate


reviewer = _requires(Role.REVIEWER)
"""Any signed-in console account (reviewers, supervisors, admins)."""
supervisor = _requires(Role.SUPERVISOR)
"""Supervisors and admins."""
admin = _requires(Role.ADMIN)
"""Admins only."""
