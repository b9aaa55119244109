"""MongoDB persistence of driver sessions and of recent login-code exchanges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from adapters.mongo.types import Database, Document, mongo_session
from adapters.mongo.types import Session as MongoSession
from settlement.ports.cases import Session
from settlement.ports.outbox import Transaction

LOGIN_CODE_LIFETIME = timedelta(minutes=5)
"""WeChat login codes live five minutes; a repeat within that returns the first token."""


class MongoSessionStore:
    def __init__(self, db: Database) -> None:
        self._sessions = db["sessions"]
        self._login_codes = db["login_codes"]

    async def create(self, session: Session, login_code_digest: str, token: str, *,
                     tx: Transaction | None = None) -> Session:  # fmt: skip
        now = datetime.now(UTC)
        s = mongo_session(tx)
        # A code past its life lingers until the TTL sweep; it no longer names a token.
        await self._login_codes.delete_one(
            {"_id": login_code_digest, "expire_at": {"$lte": now}}, session=s
        )
        # The raw token is kept only with the login code, and only for the code's
        # five-minute life (TTL index), so that a retried login gets the same token. An
        # upsert rather than insert-and-catch: a duplicate key would abort a transaction.
        mine = {"token": token, "token_digest": session.token_digest,
                "expire_at": now + LOGIN_CODE_LIFETIME}  # fmt: skip
        record = await self._code_record(login_code_digest, mine, s)
        if record["token_digest"] != session.token_digest:
            earlier = await self._get(record["token_digest"], s)
            if earlier is not None:
                return earlier
            # The earlier session was signed out: this exchange's token takes its place.
            await self._login_codes.update_one({"_id": login_code_digest}, {"$set": mine},
                                               session=s)  # fmt: skip
        await self._sessions.insert_one(
            {
                "_id": session.token_digest,
                "user_id": session.user_id,
                "expires_at": session.expires_at,
            },
            session=s,
        )
        return session

    async def _code_record(self, login_code_digest: str, mine: Document,
                           s: MongoSession | None) -> Document:  # fmt: skip
        try:
            found = await self._login_codes.find_one_and_update(
                {"_id": login_code_digest}, {"$setOnInsert": mine}, upsert=True,
                return_document=ReturnDocument.AFTER, session=s,
            )  # fmt: skip
        except DuplicateKeyError:  # a concurrent upsert of the same code won (no transaction)
            found = await self._login_codes.find_one({"_id": login_code_digest}, session=s)
        return found or {"_id": login_code_digest, **mine}

    async def find_by_login_code(self, login_code_digest: str) -> tuple[Session, str] | None:
        record = await self._login_codes.find_one(
            {"_id": login_code_digest, "expire_at": {"$gt": datetime.now(UTC)}}
        )
        if record is None:
            return None
        session = await self.get(record["token_digest"])
        return None if session is None else (session, record["token"])

    async def get(self, token_digest: str) -> Session | None:
        return await self._get(token_digest, None)

    async def _get(self, token_digest: str, s: MongoSession | None) -> Session | None:
        document = await self._sessions.find_one({"_id": token_digest}, session=s)
        if document is None:
            return None
        expires_at = document["expires_at"]
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)
        return Session(
            token_digest=document["_id"], user_id=document["user_id"], expires_at=expires_at
        )

    async def delete(self, token_digest: str, *, tx: Transaction | None = None) -> bool:
        s = mongo_session(tx)
        result = await self._sessions.delete_one({"_id": token_digest}, session=s)
        # The raw token must not outlive the session beside a recent login code (a few
        # documents at most: codes live five minutes).
        await self._login_codes.delete_many({"token_digest": token_digest}, session=s)
        return result.deleted_count > 0


async def ensure_session_indexes(db: Database) -> None:
    await db["login_codes"].create_index("expire_at", expireAfterSeconds=0)
    # Expired sessions are answered 'expired' for a day, then removed.
    await db["sessions"].create_index("expires_at", expireAfterSeconds=86_400)
