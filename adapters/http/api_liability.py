"""The drivers' API for liability: proposal, acceptance, signatures, the agreement PDF.

Every case route is for the case's parties only; a case of someone else answers 404 exactly
like a case that does not exist. Document verification is public and says no more than
whether a hash was issued and for which case.
"""

from __future__ import annotations

from typing import Any

from adapters.http.api_cases import CASE_ID
from adapters.http.base import ApiHandler, driver, public
from settlement.errors import UpstreamUnavailable
from settlement.services.liability import LiabilityDesk, proposal_view


class _LiabilityHandler(ApiHandler):
    @property
    def desk(self) -> LiabilityDesk:
        desk = self.services.liability
        if desk is None:  # a deployment without documents wired: say so, do not crash
            raise UpstreamUnavailable("Liability proposals are not available on this server.")
        return desk


class ProposalHandler(_LiabilityHandler):
    @driver
    async def post(self, case_id: str) -> None:
        case = await self.desk.propose(self.user_id, case_id)
        self.respond(proposal_view(case, self.user_id))

    @driver
    async def get(self, case_id: str) -> None:
        case = await self.desk.get(self.user_id, case_id)
        self.respond(proposal_view(case, self.user_id))


class AcceptHandler(_LiabilityHandler):
    @driver
    async def post(self, case_id: str) -> None:
        case = await self.desk.accept(self.user_id, case_id)
        self.respond(proposal_view(case, self.user_id))


class SignatureRequestHandler(_LiabilityHandler):
    @driver
    async def post(self, case_id: str) -> None:
        request = await self.desk.request_signature(self.user_id, case_id)
        self.respond(
            {
                "confirmation": request.confirmation,
                "expires_at": request.expires_at.isoformat(),
                "terms_sha256": request.terms_sha256,
            },
            status=201,
        )


class SignHandler(_LiabilityHandler):
    @driver
    async def post(self, case_id: str) -> None:
        case = await self.desk.sign(self.user_id, case_id, self.json_body())
        self.respond(proposal_view(case, self.user_id))


class DeclineHandler(_LiabilityHandler):
    @driver
    async def post(self, case_id: str) -> None:
        case = await self.desk.decline(self.user_id, case_id, self.json_body())
        self.respond(proposal_view(case, self.user_id))


class AgreementPdfHandler(_LiabilityHandler):
    @driver
    async def get(self, case_id: str) -> None:
        sha256, pdf = await self.desk.agreement_pdf(self.user_id, case_id)
        self.set_header("Content-Type", "application/pdf")
        self.set_header("Content-Disposition", f'attachment; filename="agreement-{case_id}.pdf"')
        self.set_header("X-Document-SHA256", sha256)
        self.finish(pdf)


class DeterminationPdfHandler(_LiabilityHandler):
    @driver
    async def get(self, case_id: str) -> None:
        sha256, pdf = await self.desk.determination_pdf(self.user_id, case_id)
        self.set_header("Content-Type", "application/pdf")
        self.set_header(
            "Content-Disposition", f'attachment; filename="determination-{case_id}.pdf"'
        )
        self.set_header("X-Document-SHA256", sha256)
        self.finish(pdf)


class ReconsiderationHandler(_LiabilityHandler):
    @driver
    async def post(self, case_id: str) -> None:
        case = await self.desk.request_reconsideration(self.user_id, case_id, self.json_body())
        self.respond(proposal_view(case, self.user_id), status=201)


class ReturnToPoliceHandler(_LiabilityHandler):
    @driver
    async def post(self, case_id: str) -> None:
        case = await self.desk.return_to_police(self.user_id, case_id)
        self.respond(proposal_view(case, self.user_id))


class VerifyHandler(_LiabilityHandler):
    @public
    async def get(self, sha256: str) -> None:
        await self.rate_limit("verify")
        result = await self.desk.verify(sha256)
        self.respond(
            {
                "sha256": result.sha256,
                "issued": result.issued,
                "kind": result.kind,
                "case_id": result.case_id,
                "issued_at": result.issued_at.isoformat() if result.issued_at else None,
            }
        )


_CASE = rf"/api/v1/cases/{CASE_ID}"

routes: list[tuple[str, type[ApiHandler], dict[str, Any] | None]] = [
    (rf"{_CASE}/proposal", ProposalHandler, None),
    (rf"{_CASE}/accept", AcceptHandler, None),
    (rf"{_CASE}/signature-request", SignatureRequestHandler, None),
    (rf"{_CASE}/sign", SignHandler, None),
    (rf"{_CASE}/decline", DeclineHandler, None),
    (rf"{_CASE}/agreement\.pdf", AgreementPdfHandler, None),
    (rf"{_CASE}/determination\.pdf", DeterminationPdfHandler, None),
    (rf"{_CASE}/reconsideration", ReconsiderationHandler, None),
    (rf"{_CASE}/return-to-police", ReturnToPoliceHandler, None),
    (r"/api/v1/documents/([0-9a-f]{64})/verify", VerifyHandler, None),
]
