"""Case intake: open a case, bring in the other party, collect details and statements."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from settlement.domain.case import AccidentScene, Case, PartyDetails, Statement, is_plate, open_case
from settlement.domain.geo import GeoPoint
from settlement.domain.insurers import INSURERS
from settlement.errors import InvalidInput, JoinCodeInvalid
from settlement.ports.cases import CaseRepository
from settlement.ports.identity import Clock, IdGenerator
from settlement.services import schemas
from settlement.services.audit import driver_event
from settlement.services.auth import digest
from settlement.services.recent_cases import RecentCases
from settlement.services.unit_of_work import CaseChange, CaseWriter, retry_conflicts
from settlement.services.validation import validate

INSURER_CODES = frozenset(i.code for i in INSURERS)
MAX_WRITE_ATTEMPTS = 5
"""Each party edits only its own part, so re-applying a change after a conflict is safe."""


@dataclass(frozen=True, slots=True)
class Invite:
    code: str
    expires_at: datetime
    qr_payload: str


class CaseIntake:
    """The drivers' use cases up to the point where both statements are in."""

    def __init__(
        self,
        *,
        cases: CaseRepository,
        clock: Clock,
        ids: IdGenerator,
        join_code_ttl: timedelta,
        claim_insurers: Collection[str] = (),
        writer: CaseWriter | None = None,
        recent: RecentCases | None = None,
    ) -> None:
        """``claim_insurers``: the insurers claims can be filed with (the partner registry);
        empty accepts any insurer of the catalogue (no exchange configured). ``writer``
        commits each change with its audit entry (default: no audit). ``recent`` answers
        :meth:`view` from recent reads (the writer must forget the cases it changes)."""
        self._recent = recent
        self._claim_insurers = frozenset(claim_insurers)
        self._writer = writer or CaseWriter(cases=cases)
        self._cases = cases
        self._clock = clock
        self._ids = ids
        self._join_code_ttl = join_code_ttl

    async def open(self, user_id: str, body: object) -> Case:
        validate(body, schemas.CREATE_CASE)
        assert isinstance(body, dict)  # noqa: S101 - guaranteed by the schema
        location = body["location"]
        scene = AccidentScene(
            occurred_at=datetime.fromisoformat(body["occurred_at"].replace("Z", "+00:00")),
            address=body["address"],
            location=GeoPoint(float(location["latitude"]), float(location["longitude"])),
            weather=body["weather"],
            road_type=body["road_type"],
            description=body["description"],
        )
        now = self._clock.now()
        if scene.occurred_at > now + timedelta(minutes=5):
            raise InvalidInput("occurred_at lies in the future.", field="occurred_at")
        case = open_case(
            case_id=self._ids.case_id(),
            opener_id=user_id,
            scene=scene,
            capture_nonce=self._ids.nonce(),
            now=now,
        )
        return await self._writer.commit(
            CaseChange(case, [driver_event(user_id, "case.open", case)], new=True)
        )

    async def get(self, user_id: str, case_id: str) -> Case:
        """A case the user is a party to.

        Raises:
            CaseNotFound: no such case, or not the user's (one answer: no existence oracle).
        """
        return (await self._cases.get(case_id)).seen_by(user_id)

    async def view(self, user_id: str, case_id: str) -> Case:
        """:meth:`get` for display: possibly from a read a moment old (see RecentCases).

        Raises:
            CaseNotFound: as :meth:`get` (party membership is checked on every call).
        """
        recent = self._recent
        if recent is None or recent.ttl_s <= 0:
            return await self.get(user_id, case_id)
        case = recent.get(case_id)
        if case is None:
            started = recent.clock()
            case = await self._cases.get(case_id)
            recent.put(case, started)
        return case.seen_by(user_id)

    async def list(self, user_id: str, limit: int = 50) -> Sequence[Case]:
        return await self._cases.list_for_user(user_id, limit)

    async def invite(self, user_id: str, case_id: str) -> Invite:
        now = self._clock.now()
        expires_at = now + self._join_code_ttl
        code = ""

        def change(case: Case) -> Case:
            nonlocal code
            case.require_party(user_id)
            code = self._ids.join_code()  # fresh on every attempt: a clash is retried
            return case.invite(digest(code), expires_at, now)

        case = await self._update(user_id, case_id, "case.invite", change)
        return Invite(
            code=code,
            expires_at=expires_at,
            qr_payload=f"settlement://join?case={case.id}&code={code}",
        )

    async def join(self, user_id: str, body: object) -> Case:
        validate(body, schemas.JOIN_CASE)
        assert isinstance(body, dict)  # noqa: S101 - guaranteed by the schema
        found = await self._cases.find_by_invitation(digest(body["code"]))
        now = self._clock.now()
        invitation = found.invitation if found is not None else None
        if found is None or invitation is None or invitation.used or invitation.expires_at <= now:
            raise JoinCodeInvalid(
                "This join code is not valid: it may be mistyped, expired or already used. "
                "Ask the other driver for a new code."
            )
        # The version check makes a code single-use even when two people race for it.
        joined = found.join(user_id, now)
        return await self._writer.commit(
            CaseChange(joined, [driver_event(user_id, "case.join", joined)])
        )

    async def submit_details(self, user_id: str, case_id: str, body: object) -> Case:
        validate(body, schemas.PARTY_DETAILS)
        assert isinstance(body, dict)  # noqa: S101 - guaranteed by the schema
        fields = {key: str(value) for key, value in body.items()}
        fields["id_number"] = fields["id_number"].upper()
        if not is_plate(fields["plate"]):
            raise InvalidInput(
                "plate must look like 粤B12345: a province character, a letter and "
                "5 or 6 letters or digits.",
                field="plate",
            )
        fields["insurer_code"] = self._insurer(fields["insurer_code"])
        details = PartyDetails(**fields)
        now = self._clock.now()
        return await self._update(
            user_id, case_id, "case.details", lambda case: case.with_details(user_id, details, now)
        )

    def _insurer(self, code: str) -> str:
        """A known insurer we can file claims with, else a refusal naming the field (a claim
        for an unknown insurer could only end in the dead letters)."""
        code = code.upper()
        if code not in INSURER_CODES:
            raise InvalidInput(
                f"insurer_code {code!r} is not a motor insurer we know; choose one from "
                "GET /api/v1/insurers.",
                field="insurer_code",
            )
        if self._claim_insurers and code not in self._claim_insurers:
            raise InvalidInput(
                f"insurer_code {code!r} does not take claims online here yet; choose one "
                "marked online_claims in GET /api/v1/insurers.",
                field="insurer_code",
            )
        return code

    async def submit_statement(self, user_id: str, case_id: str, body: object) -> Case:
        validate(body, schemas.STATEMENT)
        assert isinstance(body, dict)  # noqa: S101 - guaranteed by the schema
        statement = Statement(
            own_vehicle=dict(body["own_vehicle"]),
            other_vehicle=dict(body.get("other_vehicle") or {}),
            location=dict(body.get("location") or {}),
            flags=dict(body["flags"]),
            narrative=str(body.get("narrative") or ""),
        )
        now = self._clock.now()
        return await self._update(
            user_id, case_id, "case.statement",
            lambda case: case.with_statement(user_id, statement, now),
        )  # fmt: skip

    async def withdraw(self, user_id: str, case_id: str) -> Case:
        now = self._clock.now()
        return await self._update(
            user_id, case_id, "case.withdraw", lambda case: case.withdraw(user_id, now)
        )

    async def _update(
        self, user_id: str, case_id: str, action: str, change: Callable[[Case], Case]
    ) -> Case:
        """Read, change and commit with the audit entry, re-reading after a conflict."""

        async def attempt() -> Case:
            changed = change(await self.get(user_id, case_id))
            return await self._writer.commit(
                CaseChange(changed, [driver_event(user_id, action, changed)])
            )

        return await retry_conflicts(attempt, MAX_WRITE_ATTEMPTS)
