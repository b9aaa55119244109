"""The 复核结论 on a determined case: upheld keeps it; revoked sends the case back to the police
and the next determination files claims of its own (round 2), while the 复核 is heard once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from settlement.domain.case import Case, CaseStatus, ReconsiderationOutcome
from settlement.domain.claim import Cover, claim_id, claim_round, claims_for
from settlement.domain.exchange import (
    ClaimCancellation,
    InsurerClaimReport,
    OutboxMessage,
    OutboxStatus,
)
from settlement.errors import (
    IllegalTransition,
    PreconditionFailed,
    UpstreamNotFound,
    UpstreamUnavailable,
)
from settlement.services.claim_filing import (
    CANCEL_REASON,
    cancellation_message,
    decide_claims_source,
)
from settlement.services.dispatcher import (
    KIND_CANCEL_CLAIM,
    cancel_claim_handler,
    is_retryable_error,
)
from tests.claim_builders import settled_case

NOW = datetime.now(UTC)
KEYS = [f"k{i}" for i in range(6)]


def asked() -> Case:
    case = settled_case(CaseStatus.DETERMINED, losses=("4000", "6000"))
    return case.request_reconsideration(case.parties["B"].user_id, "乙车已停稳", NOW)


def test_upheld_keeps_the_determination_and_closes_the_request() -> None:
    case = asked()
    kept = case.conclude_reconsideration("sup", ReconsiderationOutcome.UPHELD, "事实清楚", NOW)
    assert kept.status is CaseStatus.DETERMINED
    assert kept.determination["reconsideration_requests"]["B"]["status"] == "upheld"
    assert kept.decision_round == 1
    with pytest.raises(PreconditionFailed):  # nothing pending any more
        kept.conclude_reconsideration("sup", ReconsiderationOutcome.UPHELD, "再次维持", NOW)
    # The 复核 is heard once: the party who did not ask cannot open a second one.
    with pytest.raises(PreconditionFailed) as refused:
        kept.request_reconsideration(case.parties["A"].user_id, "我也不服", NOW)
    assert refused.value.details["reason"] == "reconsideration_already_heard"


def test_revoked_goes_back_to_the_police_and_refiles_under_new_ids() -> None:
    case = asked()
    revoked = case.conclude_reconsideration(
        "sup", ReconsiderationOutcome.REDETERMINE, "证据不足", NOW
    )
    assert revoked.status is CaseStatus.POLICE_REVIEW
    assert revoked.determination is None
    assert revoked.claimed_by is None
    assert revoked.revoked_determinations[0]["revoked_by"] == "sup"
    assert revoked.decision_round == 2
    # Determined again (主要/次要): the claims of round 2 have ids of their own.
    again = replace(revoked, status=CaseStatus.DETERMINED, determination={
        "levels": {"A": "主要责任", "B": "次要责任"}, "rule": "S01", "decided_at": NOW,
        "document": {"number": "JD-8"}})  # fmt: skip
    claims = claims_for(again, decide_claims_source(again), request_ids=KEYS, now=NOW)
    assert {c.id for c in claims} >= {claim_id(case.id, "A", Cover.COMPULSORY, 2)}
    assert all(c.id.endswith(".r2") and claim_round(c.id) == 2 for c in claims)
    assert {c.party: str(c.liability_share) for c in claims} == {"A": "0.7", "B": "0.3"}
    # The 复核 of one accident is heard once.
    with pytest.raises(PreconditionFailed) as refused:
        again.request_reconsideration(case.parties["A"].user_id, "仍不服", NOW)
    assert refused.value.details["reason"] == "reconsideration_already_heard"


def test_round_one_ids_are_unchanged() -> None:
    assert claim_id("C1", "A", Cover.COMPULSORY) == "C1.A.jqx"
    assert claim_round("C1.A.jqx") == 1
    assert claim_round("C1.B.sz.r3") == 3


@pytest.mark.parametrize("status", [CaseStatus.MEDIATION, CaseStatus.CLOSED])
def test_no_revocation_once_in_mediation_or_closed(status: CaseStatus) -> None:
    case = replace(asked(), status=status)
    with pytest.raises(IllegalTransition):
        case.conclude_reconsideration("sup", ReconsiderationOutcome.REDETERMINE, "证据不足", NOW)


def test_no_conclusion_without_a_request() -> None:
    case = settled_case(CaseStatus.DETERMINED)
    with pytest.raises(PreconditionFailed):
        case.conclude_reconsideration("sup", ReconsiderationOutcome.REDETERMINE, "证据不足",
                                      NOW + timedelta(minutes=1))  # fmt: skip


class _UnknownClaimInsurer:
    """An insurer that has not received the claim's filing yet."""

    async def cancel_claim(self, cancellation: ClaimCancellation) -> InsurerClaimReport:
        raise UpstreamNotFound("no such claim", claim_id=cancellation.claim_id)


async def test_a_cancellation_that_overtakes_its_filing_is_retried_not_dead_lettered() -> None:
    claim = claims_for(asked(), decide_claims_source(asked()), request_ids=KEYS, now=NOW)[0]
    queued = cancellation_message(claim, CANCEL_REASON)
    assert (queued.kind, queued.key, queued.payload["claim_id"]) == (
        KIND_CANCEL_CLAIM, claim.id, claim.id)
    message = OutboxMessage(id="m1", kind=queued.kind, key=queued.key, payload=queued.payload,
                            request_id=queued.request_id, status=OutboxStatus.PENDING,
                            attempts=1, created_at=NOW, next_attempt_at=NOW)  # fmt: skip
    handle = cancel_claim_handler(_UnknownClaimInsurer())  # type: ignore[arg-type]
    with pytest.raises(UpstreamUnavailable) as raised:
        await handle(message)
    assert is_retryable_error(raised.value)


def test_money_waits_while_a_reconsideration_is_pending() -> None:
    settled_case(CaseStatus.DETERMINED).check_payable()  # nobody asked: payable
    case = asked()
    assert case.reconsideration_pending
    with pytest.raises(PreconditionFailed) as held:
        case.check_payable()
    assert held.value.details["reason"] == "reconsideration_pending"
    kept = case.conclude_reconsideration("sup", ReconsiderationOutcome.UPHELD, "事实清楚", NOW)
    assert not kept.reconsideration_pending
    kept.check_payable()
