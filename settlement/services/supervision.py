"""Supervision figures: volume, time to decision, engine overrules and fraud signals."""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from settlement.domain.audit import AuditEvent
from settlement.domain.case import Case
from settlement.domain.privacy import mask_id_number, mask_plate
from settlement.domain.staff import ALL_JURISDICTIONS, Role, StaffSession
from settlement.errors import InvalidInput
from settlement.ports.cases import CaseRepository
from settlement.ports.identity import Clock
from settlement.ports.review import ReviewQueries
from settlement.ports.staff import StaffRepository
from settlement.services.audit import AuditTrail, RequestOrigin
from settlement.services.review_access import (
    SLA_TARGET,
    CaseAccess,
    engine_levels,
    valid_reason,
)
from settlement.services.unit_of_work import CaseWriter

CHINA = timezone(timedelta(hours=8))
MAX_CASES = 5000
AT_RISK = timedelta(minutes=10)
"""A waiting case with less than this left before its SLA target is at risk."""


@dataclass(frozen=True, slots=True)
class HeldCase:
    """A case waiting for a decision, with who holds it and how its clock stands."""

    case: Case
    holder: str | None
    held_for: timedelta | None
    sla_left: timedelta

    @property
    def overdue(self) -> bool:
        return self.sla_left <= timedelta(0)

    @property
    def at_risk(self) -> bool:
        return timedelta(0) < self.sla_left <= AT_RISK


@dataclass(frozen=True, slots=True)
class DayFigures:
    day: date
    opened: int
    decided: int
    median_minutes: float | None


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A plate or ID number (compared by digest) that appears in several accidents."""

    kind: str  # "plate" | "id_number"
    masked: str
    case_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReusedPhoto:
    case_id: str
    photo_id: str
    other_case_id: str
    exact: bool
    distance: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    days: Sequence[DayFigures]
    opened: int
    decided: int
    median_minutes: float | None
    p90_minutes: float | None
    within_sla: float | None  # share of decisions within the SLA target
    waiting_now: int
    with_proposal: int
    overruled: int
    overrules_by_reviewer: Sequence[tuple[str, int, int]]  # reviewer, overruled, decided
    reused_photos: Sequence[ReusedPhoto]
    recurrences: Sequence[Recurrence]
    waiting: Sequence[HeldCase] = ()
    reviewers: Sequence[str] = ()

    @property
    def overdue_now(self) -> int:
        return sum(1 for item in self.waiting if item.overdue)

    @property
    def at_risk_now(self) -> int:
        return sum(1 for item in self.waiting if item.at_risk)

    @property
    def reused_by_case(self) -> list[tuple[str, list[ReusedPhoto]]]:
        """The reused photos grouped by the case they were found in."""
        grouped: dict[str, list[ReusedPhoto]] = defaultdict(list)
        for photo in self.reused_photos:
            grouped[photo.case_id].append(photo)
        return sorted(grouped.items())

    @property
    def overrule_rate(self) -> float | None:
        return self.overruled / self.with_proposal if self.with_proposal else None


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().upper().encode()).hexdigest()


def _decided(case: Case) -> tuple[datetime, float] | None:
    review = case.review or {}
    decided_at = review.get("decided_at")
    queued_at = review.get("queued_at")
    if not isinstance(decided_at, datetime):
        return None
    start = queued_at if isinstance(queued_at, datetime) else case.created_at
    return decided_at, max(0.0, (decided_at - start).total_seconds() / 60)


def recurrences(cases: Sequence[Case]) -> list[Recurrence]:
    """Plates and ID numbers seen in more than one case (grouped by digest, shown masked)."""
    seen: dict[tuple[str, str], tuple[str, set[str]]] = {}
    for case in cases:
        for party in case.parties.values():
            if party.details is None:
                continue
            for kind, value, mask in (
                ("plate", party.details.plate, mask_plate),
                ("id_number", party.details.id_number, mask_id_number),
            ):
                key = (kind, _digest(value))
                entry = seen.setdefault(key, (mask(value), set()))
                entry[1].add(case.id)
    found = [
        Recurrence(kind, masked, tuple(sorted(ids)))
        for (kind, _), (masked, ids) in seen.items()
        if len(ids) > 1
    ]
    return sorted(found, key=lambda r: (-len(r.case_ids), r.kind, r.masked))


class Supervision:
    """The supervisor's dashboard over one jurisdiction (or all, for ``*`` accounts).

    Args:
        queries: the read side over cases and photos.
        audit: viewing the dashboard is recorded too.
        clock: time.
    """

    def __init__(
        self,
        *,
        queries: ReviewQueries,
        audit: AuditTrail,
        clock: Clock,
        cases: CaseRepository | None = None,
        staff: StaffRepository | None = None,
        writer: CaseWriter | None = None,
    ) -> None:
        """``cases`` and ``staff`` let supervisors release and reassign claimed cases;
        ``writer`` commits each with its audit entry."""
        self._queries = queries
        self._audit = audit
        self._clock = clock
        self._cases = cases
        self._staff = staff
        writer = writer or (None if cases is None else CaseWriter(cases=cases, audit=audit))
        self._access = None if cases is None or writer is None else CaseAccess(
            cases=cases, audit=audit, clock=clock, writer=writer
        )

    async def dashboard(
        self, staff: StaffSession, origin: RequestOrigin, days: int = 14
    ) -> Dashboard:
        """Figures for the last ``days`` days (China time)."""
        now = self._clock.now()
        today = now.astimezone(CHINA).date()
        first = today - timedelta(days=days - 1)
        since = datetime.combine(first, datetime.min.time(), CHINA)
        cases = await self._queries.cases_since(staff.jurisdiction, since, MAX_CASES)
        waiting = await self._queries.queue(staff.jurisdiction, MAX_CASES)

        opened: Counter[date] = Counter(c.created_at.astimezone(CHINA).date() for c in cases)
        minutes_by_day: dict[date, list[float]] = defaultdict(list)
        all_minutes: list[float] = []
        with_proposal = overruled = 0
        by_reviewer: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for case in cases:
            decided = _decided(case)
            if decided is not None:
                decided_at, minutes = decided
                minutes_by_day[decided_at.astimezone(CHINA).date()].append(minutes)
                all_minutes.append(minutes)
            determination = case.determination or {}
            levels = determination.get("levels")
            engine = engine_levels(case.proposal)
            if isinstance(levels, dict) and engine is not None:
                with_proposal += 1
                differs = any(engine.get(k) != v for k, v in levels.items())
                overruled += differs
                stats = by_reviewer[str(determination.get("reviewer", "?"))]
                stats[0] += differs
                stats[1] += 1

        day_rows = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            mins = minutes_by_day.get(day, [])
            day_rows.append(
                DayFigures(day, opened.get(day, 0), len(mins),
                           statistics.median(mins) if mins else None)
            )  # fmt: skip
        reused = [
            ReusedPhoto(p.case_id, p.photo_id, d.case_id, d.exact, d.distance)
            for p in await self._queries.reused_photos([c.id for c in cases])
            for d in p.duplicates
        ]
        held = [
            HeldCase(
                case,
                case.claimed_by,
                now - claimed_at if isinstance(claimed_at := (case.review or {}).get(
                    "claimed_at"), datetime) else None,
                SLA_TARGET - (now - case.queued_at),
            )
            for case in waiting
        ]
        overdue_waiting = sum(1 for item in held if item.overdue)
        within = sum(m <= SLA_TARGET.total_seconds() / 60 for m in all_minutes)
        counted = len(all_minutes) + overdue_waiting
        board = Dashboard(
            days=day_rows,
            opened=len(cases),
            decided=len(all_minutes),
            median_minutes=statistics.median(all_minutes) if all_minutes else None,
            p90_minutes=_percentile(all_minutes, 0.9),
            # A case still waiting past its target has already missed it.
            within_sla=within / counted if counted else None,
            waiting_now=len(waiting),
            with_proposal=with_proposal,
            overruled=overruled,
            overrules_by_reviewer=sorted(
                ((name, s[0], s[1]) for name, s in by_reviewer.items()), key=lambda r: -r[1]
            ),
            reused_photos=reused,
            recurrences=recurrences(cases),
            waiting=held,
            reviewers=await self._reviewers(staff.jurisdiction),
        )
        await self._audit.record(
            AuditEvent(
                actor=f"staff:{staff.username}", actor_kind="staff", role=staff.role.value,
                action="dashboard.view", origin=origin.address, request_id=origin.request_id,
                details={"jurisdiction": staff.jurisdiction, "days": days},
            )
        )  # fmt: skip
        return board


    async def release(
        self, staff: StaffSession, case_id: str, reason: str, origin: RequestOrigin
    ) -> Case:
        """Take a claimed case back from its reviewer (it waits in the queue again).

        Raises:
            CaseNotFound: not in the supervisor's jurisdiction. PreconditionFailed: nobody
                holds it. IllegalTransition: not waiting for a decision.
        """
        why = valid_reason(reason)
        return await self._assign(
            staff, case_id, origin, "case.release", {"reason": why},
            lambda case, now: case.release_review(staff.username, why, now),
        )  # fmt: skip

    async def reassign(
        self, staff: StaffSession, case_id: str, to: str, reason: str, origin: RequestOrigin
    ) -> Case:
        """Hand a waiting case to another reviewer of its jurisdiction.

        Raises:
            InvalidInput: no such active reviewer for this case's jurisdiction.
        """
        why = valid_reason(reason)
        username = to.strip().lower()[:64]

        async def change(case: Case, now: datetime) -> Case:
            account = await self._staff.get(username) if self._staff and username else None
            if (
                account is None
                or account.disabled
                or account.is_locked(now)
                or account.jurisdiction not in (ALL_JURISDICTIONS, case.jurisdiction)
            ):
                raise InvalidInput(
                    "Choose an active reviewer of this case's jurisdiction.", field="to"
                )
            return case.reassign_review(staff.username, account.username, why, now)

        return await self._assign(staff, case_id, origin, "case.reassign",
                                  {"to": username, "reason": why}, change)  # fmt: skip

    async def _assign(
        self,
        staff: StaffSession,
        case_id: str,
        origin: RequestOrigin,
        action: str,
        details: dict[str, object],
        change: Callable[[Case, datetime], Case | Awaitable[Case]],
    ) -> Case:
        if self._access is None:
            raise InvalidInput("Reassignment is not available in this installation.")
        # The release or reassignment commits with its audit entry, naming who held it.
        return await self._access.act(staff, case_id, origin, action, details, change,
                                      annotate=_previous_holder)  # fmt: skip

    async def _reviewers(self, jurisdiction: str) -> list[str]:
        if self._staff is None:
            return []
        now = self._clock.now()
        return [
            a.username
            for a in await self._staff.list()
            if not a.disabled
            and not a.is_locked(now)
            and a.role.includes(Role.REVIEWER)
            and (jurisdiction == ALL_JURISDICTIONS
                 or a.jurisdiction in (ALL_JURISDICTIONS, jurisdiction))
        ]  # fmt: skip


def _previous_holder(before: Case, after: Case) -> dict[str, object]:
    return {"from": before.claimed_by or ""}


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]
