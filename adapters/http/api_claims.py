"""The drivers' view of the money: every insurance claim of their case, and court mediation."""

from __future__ import annotations

from typing import Any

from adapters.http.api_cases import CASE_ID
from adapters.http.base import ApiHandler, driver
from settlement.errors import UpstreamUnavailable
from settlement.services import schemas
from settlement.services.claim_filing import ClaimFilings
from settlement.services.mediation import MediationDesk
from settlement.services.validation import validate


class ClaimsHandler(ApiHandler):
    @driver
    async def get(self, case_id: str) -> None:
        filings: ClaimFilings | None = self.services.claims
        if filings is None:
            raise UpstreamUnavailable("This server does not exchange claims with insurers.")
        self.respond(await filings.for_driver(self.user_id, case_id))


class MediationHandler(ApiHandler):
    @driver
    async def post(self, case_id: str) -> None:
        desk: MediationDesk | None = self.services.mediation
        filings: ClaimFilings | None = self.services.claims
        if desk is None or filings is None:
            raise UpstreamUnavailable("This server does not send disputes to mediation.")
        body = self.json_body()
        validate(body, schemas.MEDIATION_REQUEST)
        await desk.request_mediation(case_id, reason=str(body["reason"]), user_id=self.user_id)
        self.respond(await filings.for_driver(self.user_id, case_id), status=201)


routes: list[tuple[str, type[ApiHandler], dict[str, Any] | None]] = [
    (rf"/api/v1/cases/{CASE_ID}/claims", ClaimsHandler, None),
    (rf"/api/v1/cases/{CASE_ID}/mediation", MediationHandler, None),
]
