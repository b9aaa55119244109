"""MongoDB persistence of console staff accounts and their server-side sessions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from adapters.mongo.types import Collection, Database, Document, mongo_session
from settlement.domain.staff import LockoutPolicy, Role, StaffAccount, StaffSession
from settlement.errors import AlreadyExists, NotFound
from settlement.ports.outbox import Transaction


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class MongoStaffRepository:
    """Accounts in ``staff_accounts``, keyed by username."""

    def __init__(self, db: Database) -> None:
        self._collection: Collection = db["staff_accounts"]

    async def add(self, account: StaffAccount, *, tx: Transaction | None = None) -> None:
        try:
            await self._collection.insert_one(
                _account_document(account), session=mongo_session(tx)
            )
        except DuplicateKeyError:
            raise AlreadyExists("This username is taken.", username=account.username) from None

    async def get(self, username: str) -> StaffAccount | None:
        document = await self._collection.find_one({"_id": username})
        return None if document is None else _account_from(document)

    async def record_failed_login(
        self, username: str, now: datetime, policy: LockoutPolicy
    ) -> StaffAccount:
        # StaffAccount.after_failed_login as one server-side pipeline update.
        locked_until = {"$ifNull": ["$locked_until", None]}
        limit_reached = {"$gte": ["$failed_logins", policy.max_failures]}
        document = await self._collection.find_one_and_update(
            {"_id": username},
            [
                {"$set": {
                    "_locked": {"$gt": [locked_until, now]},
                    "_expired": {"$and": [{"$ne": [locked_until, None]},
                                          {"$lte": [locked_until, now]}]},
                }},
                {"$set": {"failed_logins": {"$cond": [
                    "$_locked", "$failed_logins",
                    {"$add": [{"$cond": ["$_expired", 0, {"$ifNull": ["$failed_logins", 0]}]},
                              1]},
                ]}}},
                {"$set": {
                    "locked_until": {"$cond": [
                        "$_locked", "$locked_until",
                        {"$cond": [limit_reached, now + policy.lock_for, None]},
                    ]},
                    "failed_logins": {"$cond": [
                        {"$and": [{"$not": ["$_locked"]}, limit_reached]}, 0, "$failed_logins",
                    ]},
                }},
                {"$unset": ["_locked", "_expired"]},
            ],
            return_document=ReturnDocument.AFTER,
        )  # fmt: skip
        if document is None:
            raise NotFound("No such staff account.")
        return _account_from(document)

    async def record_successful_login(self, username: str, now: datetime) -> bool:
        result = await self._collection.update_one(
            {"_id": username,
             "$or": [{"locked_until": None}, {"locked_until": {"$lte": now}}]},
            {"$set": {"failed_logins": 0, "locked_until": None}},
        )  # fmt: skip
        return result.matched_count == 1

    async def set_password_hash(self, username: str, password_hash: str) -> None:
        await self._collection.update_one(
            {"_id": username}, {"$set": {"password_hash": password_hash}}
        )

    async def list(self) -> Sequence[StaffAccount]:
        cursor = self._collection.find({}).sort("_id", ASCENDING)
        return [_account_from(document) async for document in cursor]


def _account_document(account: StaffAccount) -> Document:
    return {
        "_id": account.username,
        "role": account.role.value,
        "jurisdiction": account.jurisdiction,
        "password_hash": account.password_hash,
        "created_at": account.created_at,
        "display_name": account.display_name,
        "badge_number": account.badge_number,
        "failed_logins": account.failed_logins,
        "locked_until": account.locked_until,
        "disabled": account.disabled,
    }


def _account_from(document: dict[str, Any]) -> StaffAccount:
    created = _utc(document["created_at"]) or datetime.now(UTC)
    return StaffAccount(
        username=document["_id"],
        role=Role(document["role"]),
        jurisdiction=document["jurisdiction"],
        password_hash=document["password_hash"],
        created_at=created,
        display_name=document.get("display_name", ""),
        badge_number=document.get("badge_number", ""),
        failed_logins=int(document.get("failed_logins", 0)),
        locked_until=_utc(document.get("locked_until")),
        disabled=bool(document.get("disabled", False)),
    )


class MongoStaffSessionStore:
    """Console sessions in ``staff_sessions``, keyed by the digest of the cookie token."""

    def __init__(self, db: Database) -> None:
        self._collection: Collection = db["staff_sessions"]

    async def create(self, session: StaffSession, expires_at: datetime) -> None:
        await self._collection.insert_one(
            {
                "_id": session.token_digest,
                "username": session.username,
                "role": session.role.value,
                "jurisdiction": session.jurisdiction,
                "created_at": session.created_at,
                "last_seen_at": session.last_seen_at,
                "expires_at": expires_at,
            }
        )

    async def get(self, token_digest: str) -> StaffSession | None:
        document = await self._collection.find_one({"_id": token_digest})
        if document is None:
            return None
        created = _utc(document["created_at"]) or datetime.now(UTC)
        seen = _utc(document["last_seen_at"]) or created
        return StaffSession(
            token_digest=document["_id"],
            username=document["username"],
            role=Role(document["role"]),
            jurisdiction=document["jurisdiction"],
            created_at=created,
            last_seen_at=seen,
        )

    async def touch(self, token_digest: str, now: datetime) -> None:
        await self._collection.update_one({"_id": token_digest}, {"$set": {"last_seen_at": now}})

    async def delete(self, token_digest: str) -> None:
        await self._collection.delete_one({"_id": token_digest})


async def ensure_staff_indexes(db: Database) -> None:
    # Sessions past their absolute lifetime are removed by MongoDB itself.
    await db["staff_sessions"].create_index("expires_at", expireAfterSeconds=0)
