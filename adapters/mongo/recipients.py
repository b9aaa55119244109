"""Drivers' WeChat openids and verified phone numbers, sealed at rest (AES-GCM).

One document per user id; the openid is recorded at every sign-in so notices reach the
account the driver uses now. Only sealed bytes are stored: a copy of the collection
without the key reveals neither openids nor numbers.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import Binary

from adapters.mongo.types import Database, mongo_session
from settlement.ports.identity import Sealer
from settlement.ports.outbox import Transaction


class MongoRecipients:
    """:class:`~settlement.ports.identity.RecipientStore` over the ``recipients`` collection."""

    def __init__(self, db: Database, sealer: Sealer) -> None:
        self._collection = db["recipients"]
        self._sealer = sealer

    async def remember(self, user_id: str, openid: str) -> None:
        sealed = self._sealer.seal(openid, f"openid:{user_id}")
        await self._collection.update_one(
            {"_id": user_id},
            {"$set": {"openid": Binary(sealed), "seen_at": datetime.now(UTC)}},
            upsert=True,
        )

    async def openid_for(self, user_id: str) -> str | None:
        return await self._open(user_id, "openid")

    async def remember_phone(self, user_id: str, phone: str, *,
                             tx: Transaction | None = None) -> None:  # fmt: skip
        sealed = self._sealer.seal(phone, f"phone:{user_id}")
        await self._collection.update_one(
            {"_id": user_id},
            {"$set": {"phone": Binary(sealed), "phone_verified_at": datetime.now(UTC)}},
            upsert=True,
            session=mongo_session(tx),
        )

    async def verified_phone(self, user_id: str) -> str | None:
        return await self._open(user_id, "phone")

    async def _open(self, user_id: str, name: str) -> str | None:
        document = await self._collection.find_one({"_id": user_id}, {name: 1})
        sealed = (document or {}).get(name)
        if not isinstance(sealed, bytes):
            return None
        return self._sealer.open(bytes(sealed), f"{name}:{user_id}")
