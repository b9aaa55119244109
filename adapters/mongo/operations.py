"""The operator's snapshot, read from the collections the work lives in (at scrape time)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from adapters.mongo.types import Database
from settlement.domain.case import CaseStatus
from settlement.domain.exchange import OutboxStatus
from settlement.ports.operations import OperationalSnapshot, PartnerQueue

# An insurer's messages are labelled by its code; other partners by the kind's prefix.
_PARTNER = {
    "$ifNull": ["$payload.insurer_code", {"$arrayElemAt": [{"$split": ["$kind", "."]}, 0]}]
}


class MongoOperationsProbe:
    """:class:`~settlement.ports.operations.OperationsProbe` on the live collections.

    Args:
        sla_target: how long a case may wait for a reviewer.
        at_risk_after: waiting longer than this (and not yet overdue) is "at risk".
    """

    def __init__(self, db: Database, sla_target: timedelta, at_risk_after: timedelta) -> None:
        self._db = db
        self._sla_target = sla_target
        self._at_risk_after = at_risk_after

    async def snapshot(self, now: datetime) -> OperationalSnapshot:
        return OperationalSnapshot(
            outbox=await self._outbox(now),
            audit_unsealed=await self._audit_unsealed(),
            photo_verdicts=await self._photo_verdicts(),
            **await self._review(now),
        )

    async def _outbox(self, now: datetime) -> dict[str, PartnerQueue]:
        pipeline: list[dict[str, Any]] = [
            {"$match": {"status": {"$in": [OutboxStatus.PENDING.value, OutboxStatus.DEAD.value]}}},
            {
                "$group": {
                    "_id": _PARTNER,
                    "pending": {
                        "$sum": {"$cond": [{"$eq": ["$status", OutboxStatus.PENDING.value]}, 1, 0]}
                    },
                    "dead": {
                        "$sum": {"$cond": [{"$eq": ["$status", OutboxStatus.DEAD.value]}, 1, 0]}
                    },
                    "oldest": {
                        "$min": {
                            "$cond": [
                                {"$eq": ["$status", OutboxStatus.PENDING.value]},
                                "$created_at",
                                None,
                            ]
                        }
                    },
                }
            },
        ]
        queues: dict[str, PartnerQueue] = {}
        async for row in await self._db["outbox"].aggregate(pipeline):
            oldest = row.get("oldest")
            age = (now - _aware(oldest, now)).total_seconds() if oldest else 0.0
            queues[str(row["_id"])] = PartnerQueue(
                pending=int(row["pending"]),
                oldest_pending_age_s=max(age, 0.0),
                dead=int(row["dead"]),
            )
        return queues

    async def _audit_unsealed(self) -> int:
        # Entries are sealed (given a sequence number) by the audit sealer after commit;
        # until then they carry ``pending: true`` (a partial index covers exactly those).
        return int(await self._db["audit_log"].count_documents({"pending": True}))

    async def _photo_verdicts(self) -> dict[str, int]:
        pipeline: list[dict[str, Any]] = [
            {"$group": {"_id": "$verdict.outcome", "n": {"$sum": 1}}}
        ]
        return {
            str(row["_id"]): int(row["n"])
            async for row in await self._db["photos"].aggregate(pipeline)
            if row["_id"] is not None
        }

    async def _review(self, now: datetime) -> dict[str, int]:
        waiting = overdue = at_risk = 0
        cursor = self._db["cases"].find(
            {"status": CaseStatus.POLICE_REVIEW.value},
            {"review.queued_at": 1, "updated_at": 1},
        )
        async for case in cursor:
            queued = (case.get("review") or {}).get("queued_at") or case.get("updated_at")
            if queued is None:
                continue
            waited = now - _aware(queued, now)
            waiting += 1
            if waited > self._sla_target:
                overdue += 1
            elif waited > self._at_risk_after:
                at_risk += 1
        return {"review_waiting": waiting, "review_at_risk": at_risk, "review_overdue": overdue}


def _aware(value: datetime, like: datetime) -> datetime:
    """Stored datetimes come back naive (UTC) unless the client is tz-aware."""
    return value if value.tzinfo is not None else value.replace(tzinfo=like.tzinfo)
