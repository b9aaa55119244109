"""What a QR code on an issued document opens: whether the document was issued, and a
summary of what it says, with the parties masked (anyone holding the paper may look)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from settlement.domain.agreement import AGREEMENT
from settlement.domain.privacy import mask_name, mask_plate
from settlement.errors import CaseNotFound
from settlement.ports.cases import CaseRepository
from settlement.services.liability import DocumentIssuer, Verification


@dataclass(frozen=True, slots=True)
class PartySummary:
    label: str
    name: str  # masked
    plate: str  # masked
    liability: str


@dataclass(frozen=True, slots=True)
class IssuedSummary:
    """A verification answer and, when the document was issued, what it states."""

    verification: Verification
    parties: Sequence[PartySummary] = ()
    rule: str = ""

    def to_json(self) -> dict[str, Any]:
        v = self.verification
        return {
            "sha256": v.sha256,
            "issued": v.issued,
            "kind": v.kind,
            "case_id": v.case_id,
            "issued_at": v.issued_at.isoformat() if v.issued_at else None,
            "parties": [
                {"label": p.label, "name": p.name, "plate": p.plate, "liability": p.liability}
                for p in self.parties
            ],
            "rule": self.rule,
        }


class DocumentVerification:
    """Looks a document hash up and summarises the issued document for the public page."""

    def __init__(self, *, documents: DocumentIssuer, cases: CaseRepository) -> None:
        self._documents = documents
        self._cases = cases

    async def check(self, sha256: str) -> IssuedSummary:
        """The answer for a content or file hash.

        Raises:
            InvalidInput: not 64 lowercase hexadecimal digits.
        """
        found = await self._documents.verify(sha256)
        if not found.issued or not found.case_id:
            return IssuedSummary(found)
        try:
            case = await self._cases.get(found.case_id)
        except CaseNotFound:
            return IssuedSummary(found)
        if found.kind == AGREEMENT:
            levels: Mapping[str, Any] = (case.proposal or {}).get("liability") or {}
            rule = ""
        else:
            decided = case.determination or {}
            levels = decided.get("levels") or {}
            rule = f"{decided.get('rule', '')} {decided.get('rule_title', '')}".strip()
        parties = [
            PartySummary(
                label,
                mask_name(party.details.name) if party.details else "",
                mask_plate(party.details.plate) if party.details else "",
                str(levels.get(label, "")),
            )
            for label, party in sorted(case.parties.items())
        ]
        return IssuedSummary(found, parties, rule)
