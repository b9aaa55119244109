"""Sign-in and sign-out audit entries on a real mongod, with the audit log made to fail:
no token is handed out without its entry (fail closed), while a WeChat outage is still
answered as an outage."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.mongo.audit import MongoAuditLog
from adapters.mongo.sessions import MongoSessionStore, ensure_session_indexes
from adapters.mongo.types import Database
from adapters.mongo.unit_of_work import MongoUnitOfWork
from adapters.system import RandomIds, SystemClock
from settlement.domain.audit import AuditEntry
from settlement.errors import DatabaseUnavailable, NotAuthenticated, UpstreamUnavailable
from settlement.ports.identity import WeChatIdentity
from settlement.ports.outbox import Transaction
from settlement.services.audit import AuditTrail
from settlement.services.auth import DriverAuth


class WeChat:
    def __init__(self) -> None:
        self.down = False

    async def code_to_session(self, code: str) -> WeChatIdentity:
        if self.down:
            raise UpstreamUnavailable("WeChat is busy.", wechat_errcode=-1)
        return WeChatIdentity(openid=f"openid-{code}")


class BrokenAuditLog(MongoAuditLog):
    """An audit log that can be made to refuse writes (the database failing mid-way)."""

    broken = False

    async def append(self, entry: AuditEntry, *, tx: Transaction | None = None) -> None:
        if self.broken:
            raise DatabaseUnavailable("The audit log cannot be written.")
        await super().append(entry, tx=tx)


def driver_auth(db: Database, wechat: WeChat, log: MongoAuditLog) -> DriverAuth:
    return DriverAuth(wechat=wechat, sessions=MongoSessionStore(db), clock=SystemClock(),
                      ids=RandomIds(), app_id="wx-test", token_ttl=timedelta(hours=2),
                      audit=AuditTrail(log, SystemClock()),
                      uow=MongoUnitOfWork(db.client))  # fmt: skip


async def _actions(db: Database) -> list[tuple[str, str]]:
    return [(e["action"], e["outcome"]) async for e in db["audit_log"].find().sort("at", 1)]


async def test_no_token_without_its_sign_in_entry_and_an_outage_stays_an_outage(
    mongo_db: Database,
) -> None:
    await ensure_session_indexes(mongo_db)
    wechat, log = WeChat(), BrokenAuditLog(mongo_db)
    auth = driver_auth(mongo_db, wechat, log)

    log.broken = True
    with pytest.raises(DatabaseUnavailable):
        await auth.sign_in("code-1")
    # Rolled back with the entry: neither the session nor the token beside the code.
    assert await mongo_db["sessions"].count_documents({}) == 0
    assert await mongo_db["login_codes"].count_documents({}) == 0
    wechat.down = True
    with pytest.raises(UpstreamUnavailable):  # not the audit log's failure: 503, not 500
        await auth.sign_in("code-2")

    log.broken = False
    with pytest.raises(UpstreamUnavailable):
        await auth.sign_in("code-2")
    wechat.down = False
    session, token = await auth.sign_in("code-1")
    repeated, same_token = await auth.sign_in("code-1")  # answered from the first exchange
    assert (repeated.token_digest, same_token) == (session.token_digest, token)
    assert await _actions(mongo_db) == [("auth.wechat_login", "failure"),
                                        ("auth.wechat_login", "success")]  # fmt: skip

    log.broken = True
    with pytest.raises(DatabaseUnavailable):
        await auth.sign_out(token)
    assert await auth.authenticate(token) == session.user_id  # not signed out unrecorded
    log.broken = False
    assert await auth.sign_out(token)
    with pytest.raises(NotAuthenticated):
        await auth.authenticate(token)
    assert (await _actions(mongo_db))[-1] == ("auth.logout", "success")
