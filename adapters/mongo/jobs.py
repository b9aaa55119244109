"""MongoJobLeases: one document per periodic job naming its current owner and lease end."""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo.errors import DuplicateKeyError

from adapters.mongo.types import Collection, Database

COLLECTION = "job_leases"


class MongoJobLeases:
    """Atomic take-or-renew: a conditional upsert, so two processes never both hold a job."""

    def __init__(self, db: Database) -> None:
        self._collection: Collection = db[COLLECTION]

    async def try_acquire(
        self, name: str, *, owner: str, lease_for: timedelta, now: datetime
    ) -> bool:
        try:
            await self._collection.update_one(
                {"_id": name, "$or": [{"owner": owner}, {"expires_at": {"$lte": now}}]},
                {"$set": {"owner": owner, "expires_at": now + lease_for, "renewed_at": now}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # someone else holds it: the upsert collided with their document
        return True
