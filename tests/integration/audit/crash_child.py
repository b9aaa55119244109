"""Child process for the crash test: commits a case change that stalls inside its
transaction (after the case save and the audit append) until it is killed.

    python -m tests.integration.audit.crash_child MONGO_URI DB CASE_ID MARKER [--no-stall]
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from adapters.mongo.audit import MongoAuditLog
from adapters.mongo.cases import MongoCaseRepository
from adapters.mongo.client import open_client
from adapters.mongo.unit_of_work import MongoUnitOfWork
from adapters.system import SystemClock
from settlement.ports.documents import IssuedDocument, RenderedDocument
from settlement.services.audit import AuditTrail, driver_event
from settlement.services.unit_of_work import CaseChange, CaseWriter, PendingDocument


class StallingStore:
    """A document store that signals it is inside the transaction, then waits forever."""

    def __init__(self, marker: Path, stall: bool) -> None:
        self.marker, self.stall = marker, stall

    async def put(self, case_id: str, document: RenderedDocument, issued_at: datetime,
                  *, tx: object = None) -> IssuedDocument:  # fmt: skip
        self.marker.write_text("inside the transaction")
        while self.stall:
            await asyncio.sleep(1)
        return IssuedDocument(document.sha256, document.file_sha256, document.kind, case_id,
                              issued_at, len(document.pdf))  # fmt: skip

    async def pdf(self, sha256: str) -> bytes:
        raise NotImplementedError

    async def find(self, sha256: str) -> IssuedDocument | None:
        return None


async def main(uri: str, db_name: str, case_id: str, marker: Path, stall: bool) -> None:
    client = open_client(uri)
    db = client[db_name]
    cases = MongoCaseRepository(db)
    writer = CaseWriter(cases=cases, uow=MongoUnitOfWork(client),
                        audit=AuditTrail(MongoAuditLog(db), SystemClock()),
                        documents=StallingStore(marker, stall))  # fmt: skip
    case = await cases.get(case_id)
    user = next(iter(case.parties.values())).user_id
    changed = case.withdraw(user, datetime.now(UTC))
    document = PendingDocument(case_id, RenderedDocument("agreement", "a" * 64, b"%PDF", "b" * 64),
                               datetime.now(UTC))  # fmt: skip
    await writer.commit(CaseChange(changed, [driver_event(user, "case.withdraw", changed)],
                                   documents=[document]))  # fmt: skip
    await client.close()


if __name__ == "__main__":
    uri, db_name, case_id, marker = sys.argv[1:5]
    asyncio.run(main(uri, db_name, case_id, Path(marker), "--no-stall" not in sys.argv))
