"""MongoDB persistence of driver sessions and of recent login-code exchanges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pymongo.errors import DuplicateKeyError

from adapters.mongo.types import Database
from settlement.ports.cases import Session

LOGIN_CODE_LIFETIME = timedelta(minutes=5)
"""WeChat login codes live five minutes; a repeat within that returns the first token."""


class MongoSessionStore:
    def __init__(self, db: Database) -> None:
        self._sessions = db["sessions"]
        self._login_codes = db["login_codes"]

    async def create(self, session: Session, login_code_digest: str, token: str) -> Session:
        now = datetime.now(UTC)
        try:
            # The raw token is kept only with the login code, and only for the code's
            # five-minute life (TTL index), so that a retried login gets the same token.
            await self._login_codes.insert_one(
                {
                    "_id": login_code_digest,
                    "token": token,
                    "token_digest": session.token_digest,
                    "expire_at": now + LOGIN_CODE_LIFETIME,
                }
            )
        except DuplicateKeyError:
            earlier = await self.find_by_login_code(login_code_digest)
            if earlier is not None:
                return earlier[0]
        await self._sessions.insert_one(
            {
                "_id": session.token_digest,
                "user_id": session.user_id,
                "expires_at": session.expires_at,
            }
        )
        return session

    async def find_by_login_code(self, login_code_digest: str) -> tuple[Session, str] | None:
        record = await self._login_codes.find_one(
            {"_id": login_code_digest, "expire_at": {"$gt": datetime.now(UTC)}}
        )
        if record is None:
            return None
        session = await self.get(record["token_digest"])
        return None if session is None else (session, record["token"])

    async def get(self, token_digest: str) -> Session | None:
        document = await self._sessions.find_one({"_id": token_digest})
        if document is None:
            return None
        expires_at = document["expires_at"]
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)
        return Session(
            token_digest=document["_id"], user_id=document["user_id"], expires_at=expires_at
        )


async def ensure_session_indexes(db: Database) -> None:
    await db["login_codes"].create_index("expire_at", expireAfterSeconds=0)
    # Expired sessions are answered 'expired' for a day, then removed.
    await db["sessions"].create_index("expires_at", expireAfterSeconds=86_400)
