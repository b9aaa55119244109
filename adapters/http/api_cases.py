"""The drivers' API: sign-in and out, and case intake (JSON over HTTP, for the mini-program)."""

from __future__ import annotations

from typing import Any

from adapters.http.base import ApiHandler, driver, public
from settlement.errors import InvalidInput
from settlement.services import schemas
from settlement.services.validation import validate
from settlement.services.views import case_for_party, case_summary


class WeChatSignInHandler(ApiHandler):
    @public
    async def post(self) -> None:
        await self.rate_limit("sign_in")  # before anything is forwarded to WeChat
        body = self.json_body()
        validate(body, schemas.WECHAT_LOGIN)
        session, token = await self.services.auth.sign_in(body["code"])
        self.respond(
            {
                "token": token,
                "token_type": "Bearer",
                "expires_at": session.expires_at.isoformat(),
                "user_id": session.user_id,
            }
        )


class SignOutHandler(ApiHandler):
    @driver
    async def post(self) -> None:
        # The token is checked first (@driver): a forged, expired or already signed-out one
        # is answered 401 like on any other call, so nobody can end another's session.
        await self.services.auth.sign_out(self.bearer_token())
        self.set_status(204)
        self.finish()


class CasesHandler(ApiHandler):
    @driver
    async def post(self) -> None:
        case = await self.services.intake.open(self.user_id, self.json_body())
        self.set_header("Location", f"/api/v1/cases/{case.id}")
        self.respond(case_for_party(case, self.user_id), status=201)

    @driver
    async def get(self) -> None:
        limit = _limit(self.get_query_argument("limit", "50"))
        cases = await self.services.intake.list(self.user_id, limit)
        self.respond({"cases": [case_summary(case, self.user_id) for case in cases]})


class CaseHandler(ApiHandler):
    @driver
    async def get(self, case_id: str) -> None:
        case = await self.services.intake.view(self.user_id, case_id)
        self.respond(case_for_party(case, self.user_id))


class InviteHandler(ApiHandler):
    @driver
    async def post(self, case_id: str) -> None:
        invite = await self.services.intake.invite(self.user_id, case_id)
        self.respond(
            {
                "code": invite.code,
                "expires_at": invite.expires_at.isoformat(),
                "qr_payload": invite.qr_payload,
            },
            status=201,
        )


class JoinHandler(ApiHandler):
    @driver
    async def post(self) -> None:
        await self.rate_limit("join", user=self.user_id)  # eight digits invite guessing
        case = await self.services.intake.join(self.user_id, self.json_body())
        self.respond(case_for_party(case, self.user_id))


class DetailsHandler(ApiHandler):
    @driver
    async def post(self, case_id: str) -> None:
        case = await self.services.intake.submit_details(self.user_id, case_id, self.json_body())
        self.respond(case_for_party(case, self.user_id))


class StatementHandler(ApiHandler):
    @driver
    async def post(self, case_id: str) -> None:
        case = await self.services.intake.submit_statement(self.user_id, case_id, self.json_body())
        self.respond(case_for_party(case, self.user_id))


class WithdrawHandler(ApiHandler):
    @driver
    async def post(self, case_id: str) -> None:
        case = await self.services.intake.withdraw(self.user_id, case_id)
        self.respond(case_for_party(case, self.user_id))


def _limit(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 200:
        raise InvalidInput("limit must be a whole number from 1 to 200.", field="limit")
    return int(raw)


CASE_ID = r"(C[0-9A-Z]{1,40})"

routes: list[tuple[str, type[ApiHandler], dict[str, Any] | None]] = [
    (r"/api/v1/auth/wechat", WeChatSignInHandler, None),
    (r"/api/v1/auth/sign-out", SignOutHandler, None),
    (r"/api/v1/cases", CasesHandler, None),
    (r"/api/v1/cases/join", JoinHandler, None),
    (rf"/api/v1/cases/{CASE_ID}", CaseHandler, None),
    (rf"/api/v1/cases/{CASE_ID}/invitation", InviteHandler, None),
    (rf"/api/v1/cases/{CASE_ID}/details", DetailsHandler, None),
    (rf"/api/v1/cases/{CASE_ID}/statement", StatementHandler, None),
    (rf"/api/v1/cases/{CASE_ID}/withdraw", WithdrawHandler, None),
]
