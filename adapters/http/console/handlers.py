"""Console pages: sign-in, queue, case review and its actions, documents, supervision.

Handlers are thin: they read the form, call one service method and render or redirect.
Every case page goes through ``ReviewConsole``, which checks the jurisdiction and writes
the audit entry.
"""

from __future__ import annotations

import json
import mimetypes
from datetime import timedelta
from typing import Any

import tornado.web

from adapters.http.base import ApiHandler, driver, public
from adapters.http.console.access import (
    STATIC,
    ConsoleHandler,
    admin,
    reviewer,
    safe_next,
    supervisor,
)
from adapters.http.console.i18n import LANGS, translate
from adapters.http.console.svg import bar_chart
from settlement.domain.audit import AuditEvent
from settlement.domain.determination import DECIDABLE_LEVELS, DecisionRefused, selectable_rules
from settlement.domain.labels import LABELS
from settlement.domain.rules.model import STATUTES
from settlement.errors import AccountLocked, InvalidInput, NotAuthenticated
from settlement.services.console import GRADES, REVEALABLE, SLA_TARGET
from settlement.services.outbox_admin import redacted

DECISION_FIELDS = ("rule", "level_A", "level_B", "basis_statute", "basis_article", "reason", "note")
ACTION_LABELS = LABELS["audit_action"]
DONE = frozenset({"determined", "retake", "refused", "released", "reassigned", "regraded",
                  "mediation", "reconsidered"})
CASE_ID = r"(C[0-9A-Z]{1,40})"


def minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


class LoginHandler(ConsoleHandler):
    @public
    def get(self) -> None:
        self.render("login.html", error="", next_url=safe_next(self.get_argument("next", None)),
                    username="")  # fmt: skip

    @public
    async def post(self) -> None:
        username = self.form("username", 64)
        await self.rate_limit("console_login", account=username.strip().lower()[:64])
        next_url = safe_next(self.get_body_argument("next", None))
        try:
            _, token = await self.staff_auth.login(username, self.form("password", 256),
                                                   self.origin)  # fmt: skip
        except (NotAuthenticated, AccountLocked) as exc:
            key = "login.locked" if isinstance(exc, AccountLocked) else "login.failed"
            self.set_status(403 if isinstance(exc, AccountLocked) else 401)
            self.render("login.html", error=key, next_url=next_url, username=username)
            return
        self.set_cookie(self.session_cookie, token, **self.cookie_kwargs())
        self.redirect(next_url)


class LogoutHandler(ConsoleHandler):
    @reviewer
    async def post(self) -> None:
        await self.staff_auth.logout(self.staff, self.origin)
        self.clear_cookie(self.session_cookie, path="/")
        self.redirect("/console/login")


class LanguageHandler(ConsoleHandler):
    @public
    def get(self, lang: str) -> None:
        if lang in LANGS:
            self.set_cookie("lang", lang, samesite="Lax", path="/",
                            secure=self.settings_.console_secure_cookies)  # fmt: skip
        self.redirect(safe_next(self.get_argument("next", None)))


class HomeHandler(ConsoleHandler):
    @reviewer
    def get(self) -> None:
        self.redirect("/console/queue")


class QueueHandler(ConsoleHandler):
    @reviewer
    async def get(self) -> None:
        items = await self.review.queue(self.staff, self.origin)
        asked = await self.review.reconsiderations(self.staff)
        self.render("queue.html", items=items, asked=asked, minutes=minutes,
                    sla_minutes=minutes(SLA_TARGET))  # fmt: skip


class CaseHandler(ConsoleHandler):
    @reviewer
    async def get(self, case_id: str) -> None:
        view = await self.review.review(self.staff, case_id, self.origin)
        self._render(view)

    def _render(self, view: Any, form: dict[str, str] | None = None, error: str = "") -> None:
        done = self.get_query_argument("done", "")
        self.render("review.html", v=view, minutes=minutes, levels=DECIDABLE_LEVELS,
                    revealable=REVEALABLE, done=done if done in DONE else "",
                    rules=selectable_rules(), statutes=STATUTES, form=form or {}, grades=GRADES,
                    error=error)  # fmt: skip


class ClaimHandler(ConsoleHandler):
    @reviewer
    async def post(self, case_id: str) -> None:
        version = self.form("version", 12)
        if not version.isdigit():
            raise InvalidInput("The form is missing the case version; reload the page.")
        await self.review.claim(self.staff, case_id, int(version), self.origin)
        self.redirect(f"/console/cases/{case_id}")


class DetermineHandler(CaseHandler):
    """Two steps: the decision is checked and shown as the document will say it; only an
    explicit confirmation issues it. A refused decision comes back inline, as typed."""

    @reviewer
    async def post(self, case_id: str) -> None:
        form = {name: self.form(name) for name in DECISION_FIELDS}
        if self.get_body_argument("edit", ""):
            self._render(await self.review.review(self.staff, case_id, self.origin), form)
            return
        try:
            if self.get_body_argument("confirm", "") == "1":
                await self.review.determine(self.staff, case_id, form, self.origin)
                self.redirect(f"/console/cases/{case_id}?done=determined")
                return
            case, content = await self.review.preview_determination(
                self.staff, case_id, form, self.origin
            )
        except InvalidInput as exc:
            view = await self.review.review(self.staff, case_id, self.origin)
            self.set_status(422)
            self._render(view, form, decision_error(exc))
            return
        self.render("confirm.html", case=case, c=content, form=form)


def decision_error(exc: InvalidInput) -> str:
    """The message key for a refused decision, shown in the page's language."""
    if isinstance(exc, DecisionRefused):
        return f"decide.error.{exc.details.get('reason', 'levels_invalid')}"
    return f"decide.error.{exc.details.get('field', 'reason')}"


class RetakeHandler(ConsoleHandler):
    @reviewer
    async def post(self, case_id: str) -> None:
        slots = [s[:40] for s in self.get_body_arguments("slots")[:20]]
        await self.review.request_retake(self.staff, case_id, self.form("reason"), slots,
                                         self.origin)  # fmt: skip
        self.redirect(f"/console/cases/{case_id}?done=retake")


class RegradeHandler(ConsoleHandler):
    @reviewer
    async def post(self, case_id: str) -> None:
        await self.review.regrade(self.staff, case_id, self.form("party", 2),
                                  self.form("grade", 4), self.form("reason"),
                                  self.origin)  # fmt: skip
        self.redirect(f"/console/cases/{case_id}?done=regraded#loss")


class MediationHandler(ConsoleHandler):
    """Refer a settled case of the reviewer's jurisdiction to court mediation."""

    @reviewer
    async def post(self, case_id: str) -> None:
        desk = self.services.mediation
        if desk is None:
            raise tornado.web.HTTPError(503, reason="Court mediation is not configured")
        await desk.refer_to_mediation(case_id, self.staff, self.form("reason", 500))
        self.redirect(f"/console/cases/{case_id}?done=mediation")


class ReconsiderationHandler(ConsoleHandler):
    """The 复核结论 on a determined case: uphold it, or revoke it and determine again."""

    @supervisor
    async def post(self, case_id: str) -> None:
        await self.review.conclude_reconsideration(
            self.staff, case_id, self.form("outcome", 20), self.form("reason"), self.origin
        )
        self.redirect(f"/console/cases/{case_id}?done=reconsidered")


class RefuseHandler(ConsoleHandler):
    @reviewer
    async def post(self, case_id: str) -> None:
        await self.review.refuse(self.staff, case_id, self.form("reason"), self.origin)
        self.redirect(f"/console/cases/{case_id}?done=refused")


class RevealHandler(CaseHandler):
    @reviewer
    async def post(self, case_id: str) -> None:
        view = await self.review.reveal(
            self.staff, case_id, self.form("party", 2), self.form("field", 40),
            self.form("reason"), self.origin,
        )  # fmt: skip
        self._render(view)


class PhotoHandler(ConsoleHandler):
    @reviewer
    async def get(self, case_id: str, photo_id: str, size: str) -> None:
        data, content_type = await self.review.photo(self.staff, case_id, photo_id, size,
                                                     self.origin)  # fmt: skip
        self.set_header("Content-Type", content_type)
        self.set_header("Cache-Control", "private, no-store")
        self.finish(data)


class DocumentHandler(ConsoleHandler):
    @reviewer
    async def get(self, case_id: str) -> None:
        document = await self.review.document(self.staff, case_id, self.origin)
        self.render("document.html", d=document, c=document.content)


class DocumentPdfHandler(ConsoleHandler):
    @reviewer
    async def get(self, case_id: str) -> None:
        pdf = await self.review.document_pdf(self.staff, case_id, self.origin)
        self.set_header("Content-Type", "application/pdf")
        self.set_header("Content-Disposition", f'inline; filename="{case_id}-determination.pdf"')
        self.finish(pdf)


class SupervisionHandler(ConsoleHandler):
    @supervisor
    async def get(self) -> None:
        board = await self.supervision.dashboard(self.staff, self.origin)
        labels = [day.day.strftime("%m-%d") for day in board.days]
        done = self.get_query_argument("done", "")
        self.render(
            "dashboard.html",
            b=board,
            minutes=minutes,
            done=done if done in DONE else "",
            per_day_svg=bar_chart(labels, [float(d.opened) for d in board.days],
                                  title=translate(self.lang, "dash.per_day")),
            ttd_svg=bar_chart(labels, [d.median_minutes for d in board.days],
                              title=translate(self.lang, "dash.ttd"),
                              threshold=SLA_TARGET.total_seconds() / 60),
        )  # fmt: skip


class SearchHandler(ConsoleHandler):
    """``/console/search``: cases by id, plate or date; without criteria, the decided ones."""

    @reviewer
    async def get(self) -> None:
        query = self.get_query_argument("q", "")[:40]
        day = self.get_query_argument("date", "")[:10]
        history = not (query.strip() or day.strip())
        error = ""
        try:
            if history:
                cases = await self.review.history(self.staff, self.origin)
            else:
                cases = await self.review.search(self.staff, query, day, self.origin)
        except InvalidInput:
            cases, error = [], "search.bad_date"
            self.set_status(422)
        self.render("search.html", cases=cases, query=query, day=day, history=history,
                    error=error)  # fmt: skip


class ReleaseHandler(ConsoleHandler):
    @supervisor
    async def post(self, case_id: str) -> None:
        await self.supervision.release(self.staff, case_id, self.form("reason"), self.origin)
        self.redirect("/console/supervision?done=released#waiting")


class ReassignHandler(ConsoleHandler):
    @supervisor
    async def post(self, case_id: str) -> None:
        await self.supervision.reassign(self.staff, case_id, self.form("to", 64),
                                        self.form("reason"), self.origin)  # fmt: skip
        self.redirect("/console/supervision?done=reassigned#waiting")


class AuditHandler(ConsoleHandler):
    @supervisor
    async def get(self) -> None:
        check = None
        if self.get_query_argument("verify", "") == "1":
            check = await self.audit.verify()
        filters = {name: self.get_query_argument(name, "").strip()[:100]
                   for name in ("case_id", "actor", "action")}  # fmt: skip
        entries = await self.audit.search(case_id=filters["case_id"], actor=filters["actor"],
                                          action=filters["action"])  # fmt: skip
        shown = {f"filter_{k}": v for k, v in filters.items() if v}
        await self.audit.record(self._event("audit.view", verified=check is not None, **shown))
        self.render("audit.html", entries=entries, check=check, filters=filters,
                    actions=sorted(ACTION_LABELS))  # fmt: skip

    def _event(self, action: str, **details: Any) -> AuditEvent:
        return AuditEvent(actor=f"staff:{self.staff.username}", actor_kind="staff",
                          role=self.staff.role.value, action=action,
                          origin=self.origin.address, request_id=self.origin.request_id,
                          details=details)  # fmt: skip


OUTBOX_DONE = frozenset({"replayed", "replayed_all", "cancelled"})
MESSAGE_ID = r"([0-9a-f]{32})"


class OutboxHandler(ConsoleHandler):
    """``/console/outbox``: the partners' backlog and the dead letters (supervisors, admins)."""

    @supervisor
    async def get(self) -> None:
        found = await self.outbox.overview(self.staff, self.origin)
        done = self.get_query_argument("done", "")
        self.render("outbox.html", o=found, done=done if done in OUTBOX_DONE else "")


class OutboxMessageHandler(ConsoleHandler):
    @supervisor
    async def get(self, message_id: str) -> None:
        message = await self.outbox.show(self.staff, message_id, self.origin)
        payload = json.dumps(redacted(message.payload), ensure_ascii=False, indent=2)
        self.render("outbox_message.html", m=message, payload=payload)


class OutboxReplayHandler(ConsoleHandler):
    @supervisor
    async def post(self, message_id: str) -> None:
        await self.outbox.replay(self.staff, message_id, self.origin)
        self.redirect("/console/outbox?done=replayed")


class OutboxReplayAllHandler(ConsoleHandler):
    @supervisor
    async def post(self) -> None:
        await self.outbox.replay_all(self.staff, self.origin)
        self.redirect("/console/outbox?done=replayed_all")


class OutboxCancelHandler(ConsoleHandler):
    @supervisor
    async def post(self, message_id: str) -> None:
        await self.outbox.cancel(self.staff, message_id, self.form("reason", 500), self.origin)
        self.redirect("/console/outbox?done=cancelled")


class StaffListHandler(ConsoleHandler):
    @admin
    async def get(self) -> None:
        accounts = await self.staff_auth.list_accounts()
        self.render("staff.html", accounts=accounts)


class VerifyPageHandler(ConsoleHandler):
    """``/verify/{sha256}``: what a document's QR code opens. People get a page showing
    what was issued (kind, date, masked parties, liability); ``Accept: application/json``
    gets the same as JSON."""

    @public
    async def get(self, sha256: str) -> None:
        service = self.services.verification
        if service is None:
            raise tornado.web.HTTPError(503, reason="Verification is not configured")
        summary = await service.check(sha256)
        accept = self.request.headers.get("Accept", "")
        if "application/json" in accept and "text/html" not in accept:
            self.set_header("Content-Type", "application/json; charset=utf-8")
            self.finish(json.dumps(summary.to_json(), ensure_ascii=False))
            return
        self.render("verify.html", s=summary, v=summary.verification)


class StaticHandler(tornado.web.StaticFileHandler):
    """The console's CSS and JS (no CDN: the console must work without internet)."""

    def initialize(
        self,
        path: str = "",
        default_filename: str | None = None,
        allowed_symlink_directory: str | list[str] | None = None,
        **injected: Any,
    ) -> None:
        # make_app injects services and settings into every handler; static files need
        # neither, and always come from the package directory whatever ``path`` says.
        super().initialize(path=str(STATIC))

    @public
    async def get(self, path: str, include_body: bool = True) -> None:
        await super().get(path, include_body)

    @public
    async def head(self, path: str) -> None:
        await super().get(path, include_body=False)

    def set_extra_headers(self, path: str) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", "public, max-age=3600")


class AccessLogHandler(ApiHandler):
    """``GET /api/v1/cases/{id}/access-log``: who viewed or changed a driver's case."""

    @driver
    async def get(self, case_id: str) -> None:
        audit = self.services.audit
        case = await self.services.intake.get(self.user_id, case_id)
        records = [] if audit is None else await audit.access_log(case, self.user_id)
        self.respond({
            "case_id": case.id,
            "entries": [
                {"at": r.at.isoformat(), "who": r.who, "kind": r.kind, "role": r.role,
                 "action": r.action, "outcome": r.outcome}
                for r in records
            ],
        })  # fmt: skip


mimetypes.add_type("text/css", ".css")
mimetypes.add_type("text/javascript", ".js")

routes: list[tuple[str, type[tornado.web.RequestHandler], dict[str, Any] | None]] = [
    (r"/console/?", HomeHandler, None),
    (r"/console/login", LoginHandler, None),
    (r"/console/logout", LogoutHandler, None),
    (r"/console/lang/([a-z]{2})", LanguageHandler, None),
    (r"/console/queue", QueueHandler, None),
    (rf"/console/cases/{CASE_ID}", CaseHandler, None),
    (rf"/console/cases/{CASE_ID}/claim", ClaimHandler, None),
    (rf"/console/cases/{CASE_ID}/determine", DetermineHandler, None),
    (rf"/console/cases/{CASE_ID}/retake", RetakeHandler, None),
    (rf"/console/cases/{CASE_ID}/refuse", RefuseHandler, None),
    (rf"/console/cases/{CASE_ID}/regrade", RegradeHandler, None),
    (rf"/console/cases/{CASE_ID}/mediation", MediationHandler, None),
    (rf"/console/cases/{CASE_ID}/reconsideration", ReconsiderationHandler, None),
    (rf"/console/cases/{CASE_ID}/reveal", RevealHandler, None),
    (rf"/console/cases/{CASE_ID}/document", DocumentHandler, None),
    (rf"/console/cases/{CASE_ID}/document\.pdf", DocumentPdfHandler, None),
    (rf"/console/cases/{CASE_ID}/photos/([0-9a-zA-Z_-]{{1,64}})/(thumb|full)", PhotoHandler, None),
    (r"/console/supervision", SupervisionHandler, None),
    (r"/console/audit", AuditHandler, None),
    (r"/console/search", SearchHandler, None),
    (rf"/console/cases/{CASE_ID}/release", ReleaseHandler, None),
    (rf"/console/cases/{CASE_ID}/reassign", ReassignHandler, None),
    (r"/console/admin/staff", StaffListHandler, None),
    (r"/console/outbox", OutboxHandler, None),
    (r"/console/outbox/replay-all", OutboxReplayAllHandler, None),
    (rf"/console/outbox/{MESSAGE_ID}", OutboxMessageHandler, None),
    (rf"/console/outbox/{MESSAGE_ID}/replay", OutboxReplayHandler, None),
    (rf"/console/outbox/{MESSAGE_ID}/cancel", OutboxCancelHandler, None),
    (r"/console/static/(.*)", StaticHandler, None),
    (r"/verify/([0-9a-f]{64})", VerifyPageHandler, None),
    (rf"/api/v1/cases/{CASE_ID}/access-log", AccessLogHandler, None),
]
