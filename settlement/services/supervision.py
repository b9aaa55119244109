"""Supervision figures: volume, time to decision, engine overrules and fraud signals."""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from settlement.domain.audit import AuditEvent
from settlement.domain.case import Case
from settlement.domain.privacy import mask_id_number, mask_plate
from settlement.domain.staff import StaffSession
from settlement.ports.identity import Clock
from settlement.ports.review import ReviewQueries
from settlement.services.audit import AuditTrail
from settlement.services.console import SLA_TARGET, RequestOrigin, engine_levels

CHINA = timezone(timedelta(hours=8))
MAX_CASES = 5000


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

    def __init__(self, *, queries: ReviewQueries, audit: AuditTrail, clock: Clock) -> None:
        self._queries = queries
        self._audit = audit
        self._clock = clock

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
        board = Dashboard(
            days=day_rows,
            opened=len(cases),
            decided=len(all_minutes),
            median_minutes=statistics.median(all_minutes) if all_minutes else None,
            p90_minutes=_percentile(all_minutes, 0.9),
            within_sla=(
                sum(m <= SLA_TARGET.total_seconds() / 60 for m in all_minutes) / len(all_minutes)
                if all_minutes else None
            ),
            waiting_now=len(waiting),
            with_proposal=with_proposal,
            overruled=overruled,
            overrules_by_reviewer=sorted(
                ((name, s[0], s[1]) for name, s in by_reviewer.items()), key=lambda r: -r[1]
            ),
            reused_photos=reused,
            recurrences=recurrences(cases),
        )
        await self._audit.record(
            AuditEvent(
                actor=f"staff:{staff.username}", actor_kind="staff", role=staff.role.value,
                action="dashboard.view", origin=origin.address, request_id=origin.request_id,
                details={"jurisdiction": staff.jurisdiction, "days": days},
            )
        )  # fmt: skip
        return board


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]
