"""What drivers need around their case besides intake and liability: the verified phone
number, the join code as a mini-program code to scan, the insurers to pick from, and the
notice templates to subscribe to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from settlement.domain import eligibility
from settlement.domain.audit import AuditEvent
from settlement.domain.facts import parse_facts
from settlement.domain.insurers import INSURERS, Insurer
from settlement.domain.notices import Milestone
from settlement.domain.privacy import mask_phone
from settlement.errors import InvalidInput, JoinCodeInvalid, SettlementError, UpstreamUnavailable
from settlement.ports.claims import UnitOfWork
from settlement.ports.identity import Clock, RecipientStore, WeChatServerApi
from settlement.ports.outbox import Transaction
from settlement.services import schemas
from settlement.services.audit import AuditTrail
from settlement.services.auth import digest
from settlement.services.intake import CaseIntake
from settlement.services.validation import validate

JOIN_PAGE = "pages/join/join"
"""The mini-program page WeChat's own scanner opens with ``options.scene``."""


@dataclass(frozen=True, slots=True)
class InsurerChoice:
    insurer: Insurer
    online_claims: bool
    """Claims are filed with this insurer online (an exchange endpoint is configured)."""


class DriverDesk:
    """Args:
    filing_insurers: codes of insurers the service files claims with.
    check_path: ask WeChat to check that the join page exists in the released version.
    audit / uow: every phone-number exchange is recorded, a verified number in the
        transaction that keeps it.
    claim_templates: template ids of the claims flow's notices (filed, assessed, paid).
    """

    def __init__(
        self,
        *,
        intake: CaseIntake,
        recipients: RecipientStore,
        wechat: WeChatServerApi | None,
        clock: Clock,
        filing_insurers: Sequence[str] = (),
        milestone_templates: Mapping[Milestone, str] | None = None,
        claim_templates: Mapping[str, str] | None = None,
        check_path: bool = True,
        audit: AuditTrail | None = None,
        uow: UnitOfWork | None = None,
    ) -> None:
        self._audit = audit
        self._uow = uow
        self._intake = intake
        self._recipients = recipients
        self._wechat = wechat
        self._clock = clock
        self._filing = frozenset(code.upper() for code in filing_insurers)
        self._milestones = dict(milestone_templates or {})
        self._claims = dict(claim_templates or {})
        self._check_path = check_path

    def _api(self) -> WeChatServerApi:
        if self._wechat is None:
            raise UpstreamUnavailable("WeChat is not configured on this server.")
        return self._wechat

    async def verify_phone(self, user_id: str, body: object) -> str:
        """Exchange a ``getPhoneNumber`` code; the number is kept (sealed) as verified."""
        validate(body, schemas.PHONE_CODE)
        assert isinstance(body, dict)  # noqa: S101 - guaranteed by the schema
        try:
            phone = await self._api().phone_number(str(body["code"]))
        except (InvalidInput, UpstreamUnavailable) as refused:
            await self._record_phone(user_id, refused)
            raise
        if self._uow is None:
            await self._recipients.remember_phone(user_id, phone)
            await self._record_phone(user_id, None, phone)
            return phone
        async with self._uow.transaction() as tx:
            await self._recipients.remember_phone(user_id, phone, tx=tx)
            await self._record_phone(user_id, None, phone, tx=tx)
        return phone

    async def _record_phone(self, user_id: str, refused: SettlementError | None,
                            phone: str = "", tx: Transaction | None = None) -> None:  # fmt: skip
        """The exchange as a security event: the number masked, the code never."""
        if self._audit is None:
            return
        details = {"phone": mask_phone(phone)} if refused is None else {"error": refused.code}
        await self._audit.record(
            AuditEvent(actor=f"driver:{user_id}", actor_kind="driver", role="driver",
                       action="phone.verify", outcome="success" if refused is None else "failure",
                       details=details),
            tx=tx,
        )  # fmt: skip

    async def verified_phone(self, user_id: str) -> str | None:
        return await self._recipients.verified_phone(user_id)

    async def join_code_image(self, user_id: str, case_id: str, body: object) -> bytes:
        """The case's current join code as a mini-program code (scene ``c=<code>``).

        Raises:
            JoinCodeInvalid: the code is not this case's current, unused, unexpired code.
        """
        validate(body, schemas.JOIN_CASE)
        assert isinstance(body, dict)  # noqa: S101 - guaranteed by the schema
        code = str(body["code"])
        case = await self._intake.get(user_id, case_id)
        invitation = case.invitation
        if (
            invitation is None
            or invitation.used
            or invitation.expires_at <= self._clock.now()
            or invitation.code_digest != digest(code)
        ):
            raise JoinCodeInvalid(
                "This join code is not the case's current one; ask for a new code first."
            )
        return await self._api().unlimited_code(f"c={code}", JOIN_PAGE, check_path=self._check_path)

    @staticmethod
    def eligibility(body: object) -> dict[str, Any]:
        """The eligibility gate on the scene questions, before any case exists.

        ``body`` is a facts document (``flags`` and ``vehicles``; ``location`` optional).
        The answer says whether online quick handling is open, and if not, the reasons, their
        legal basis and what to do right now.

        Raises:
            InvalidInput: not a facts document (``details.field`` names the field).
        """
        facts = parse_facts(body)
        answer = eligibility.check(facts)
        route = answer.route or "self_negotiation"
        if answer.allowed and answer.disputed:
            route = "online_police_determination"
        zh, en = eligibility.ROUTE_GUIDANCE[route]
        return {
            "allowed": answer.allowed,
            "disputed": answer.disputed,
            "route": route,
            "guidance": {"zh": zh, "en": en},
            "refusals": [
                {
                    "reason": refusal.reason,
                    "parties": list(refusal.parties),
                    "advice_zh": refusal.exclusion.advice_zh,
                    "advice_en": refusal.exclusion.advice_en,
                    "basis": [str(ref) for ref in refusal.exclusion.basis],
                }
                for refusal in answer.refusals
            ],
        }

    def insurers(self) -> list[InsurerChoice]:
        return [InsurerChoice(i, i.code in self._filing) for i in INSURERS]

    def notice_templates(self) -> dict[str, str]:
        """Template ids by milestone, for ``wx.requestSubscribeMessage`` on the right tap."""
        found = {m.value: t for m, t in self._milestones.items() if t}
        found.update({k: t for k, t in self._claims.items() if t})
        return found
