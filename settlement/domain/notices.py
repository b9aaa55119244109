"""Which WeChat notices a case owes its drivers, read from the case as it stands.

Each milestone yields one notice per recipient with a stable key, so reading the same
case twice (a restart, two processes, a repeated change event) owes the same notices and
the outbox's unique request id sends each once. Claim assessments and payouts are
announced by the claims flow itself.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from settlement.domain.case import (
    CONCLUDED_REQUEST_STATUS,
    Case,
    CaseStatus,
    ReconsiderationOutcome,
)
from settlement.domain.labels import label


class Milestone(enum.StrEnum):
    JOINED = "joined"  # the other party joined (to A)
    PROPOSAL_READY = "proposal_ready"  # liability proposed, or sent to the police (both)
    POLICE_DECIDED = "police_decided"  # the determination was issued (both)
    RETAKE_ASKED = "retake_asked"  # a reviewer asked for photos again (both)
    RECONSIDERED = "reconsidered"  # the 复核 was concluded: upheld or to decide again (both)


def title_zh(milestone: Milestone) -> str:
    """What the notice says happened (the shared label of the notice)."""
    return label("notice", milestone.value)


@dataclass(frozen=True, slots=True)
class DueNotice:
    key: str
    """Stable per case, milestone, occurrence and recipient (the outbox request id)."""
    milestone: Milestone
    party: str
    title: str
    """What the notice says happened, in the driver's words (at most 20 characters, the
    limit of a template's ``thing`` keyword)."""


def due_notices(case: Case) -> list[DueNotice]:
    """Every notice ``case`` owes so far (the outbox drops the ones already queued)."""
    due: list[DueNotice] = []

    def owe(milestone: Milestone, occurrence: str, parties: list[str], title: str = "") -> None:
        for party in parties:
            if party in case.parties:
                key = f"notice:{case.id}:{milestone.value}:{occurrence}:{party}"
                due.append(DueNotice(key, milestone, party, title or title_zh(milestone)))

    if "B" in case.parties:
        owe(Milestone.JOINED, "1", ["A"])
    proposal = case.proposal or {}
    if proposal and case.status is CaseStatus.LIABILITY_PROPOSED:
        owe(Milestone.PROPOSAL_READY, str(proposal.get("terms_sha256") or "1")[:16], ["A", "B"])
    if case.determination:
        # Per decision round: a determination made again after a 复核 is announced too.
        owe(Milestone.POLICE_DECIDED, str(case.decision_round), ["A", "B"])
    for index, _ in enumerate((case.review or {}).get("requests") or []):
        owe(Milestone.RETAKE_ASKED, str(index + 1), ["A", "B"])
    # The 复核结论 is announced to every party, whoever asked (程序规定, 复核); a revoked
    # determination keeps its conclusion, an upheld one carries it.
    decisions = [*case.revoked_determinations, case.determination or {}]
    for round_, decision in enumerate(decisions, start=1):
        outcome = (decision.get("reconsideration") or {}).get("outcome")
        if outcome in set(ReconsiderationOutcome):
            status = CONCLUDED_REQUEST_STATUS[ReconsiderationOutcome(outcome)]
            owe(Milestone.RECONSIDERED, str(round_), ["A", "B"],
                label("reconsideration_status", status))  # fmt: skip
    return due
