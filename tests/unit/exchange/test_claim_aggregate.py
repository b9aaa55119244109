"""The claim aggregate: the money each claim carries comes from the decision that settled the
case (worked patterns of the payout research, §3.5), and its life cycle refuses illegal moves."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from settlement.domain.case import CaseStatus
from settlement.domain.claim import (
    MAX_ASSESSMENTS,
    TRANSITIONS,
    Assessment,
    Claim,
    ClaimStatus,
    Cover,
    claims_for,
)
from settlement.domain.exchange import Payout
from settlement.errors import IllegalTransition, PreconditionFailed
from settlement.services.claim_filing import decide_claims_source
from tests.claim_builders import settled_case

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
KEYS = [f"k{i}" for i in range(6)]


def cut(**kwargs: object) -> dict[str, Claim]:
    case = settled_case(**kwargs)  # type: ignore[arg-type]
    found = claims_for(case, decide_claims_source(case), request_ids=KEYS, now=NOW)
    return {f"{c.party}.{c.cover.value}": c for c in found}


def test_full_and_no_fault_agreement_files_the_worked_amounts() -> None:
    # A 全 / B 无, A loss 1,200, B loss 3,500 (§3.5 row 1).
    claims = cut(losses=("1200", "3500"))
    assert set(claims) == {"A.compulsory", "A.commercial_third_party", "B.compulsory"}
    a_jqx = claims["A.compulsory"]
    # A's 交强险 pays B 2,000 and, as 无责代赔, A's own car 100 on B's behalf.
    assert a_jqx.amount_due == Decimal("2100")
    assert {(ln.cover, ln.payee, ln.amount) for ln in a_jqx.lines} == {
        ("jqx_at_fault", "B", Decimal("2000")),
        ("jqx_no_fault_proxy", "A", Decimal("100")),
    }
    assert claims["A.commercial_third_party"].amount_due == Decimal("1500")
    assert claims["B.compulsory"].amount_due == Decimal("0")
    assert (a_jqx.own_loss, a_jqx.third_party_loss) == (Decimal("1200"), Decimal("3500"))
    assert (a_jqx.liability_level, a_jqx.liability_share) == ("全部责任", Decimal(1))
    assert claims["B.compulsory"].liability_share == Decimal(0)
    assert a_jqx.decided_by == "agreement"


def test_police_major_minor_determination_uses_70_30() -> None:
    # A 主 / B 次 (police), A 4,000, B 6,000 (§3.5 row 5) — the engine had said 全/无.
    claims = cut(status=CaseStatus.DETERMINED, losses=("4000", "6000"))
    assert claims["A.compulsory"].amount_due == Decimal("2000")
    assert claims["B.compulsory"].amount_due == Decimal("2000")
    assert claims["A.commercial_third_party"].amount_due == Decimal("2800")
    assert claims["B.commercial_third_party"].amount_due == Decimal("600")
    assert claims["A.compulsory"].liability_share == Decimal("0.7")
    assert claims["B.compulsory"].liability_level == "次要责任"
    assert {c.decided_by for c in claims.values()} == {"determination"}
    assert {c.document_number for c in claims.values()} == {"JD-7"}


def test_no_commercial_cover_files_no_commercial_claim() -> None:
    claims = cut(status=CaseStatus.DETERMINED, losses=("4000", "6000"), commercial=(True, False))
    assert "B.commercial_third_party" not in claims
    assert claims["A.commercial_third_party"].amount_due == Decimal("2800")


def test_own_damage_cover_files_the_remainder() -> None:
    claims = cut(status=CaseStatus.DETERMINED, losses=("4000", "6000"), own_damage=(True, False))
    # A's own car: 4,000 − 2,000 (B's 交强险) − 600 (B's 商三) = 1,400 left to 车损险.
    assert claims["A.own_damage"].amount_due == Decimal("1400")
    assert "B.own_damage" not in claims


def test_same_insurer_gets_separate_claims_with_their_own_ids() -> None:
    claims = cut(insurers=("PICC", "PICC"))
    ids = {c.id for c in claims.values()}
    assert len(ids) == len(claims) == 3
    assert {c.insurer_code for c in claims.values()} == {"PICC"}
    assert all(c.case_id not in ids for c in claims.values())


def test_unknown_loss_files_compulsory_claims_to_be_assessed() -> None:
    claims = cut(losses=("800", None))
    assert claims["A.compulsory"].amount_due is None
    assert claims["A.compulsory"].third_party_loss is None
    assert "A.commercial_third_party" in claims  # at fault and covered: the insurer assesses


def a_claim() -> Claim:
    return cut()["A.compulsory"]


def test_life_cycle_follows_the_table() -> None:
    claim = a_claim().acknowledge("PICC-1", by="insurer:PICC", now=NOW)
    assert claim.status is ClaimStatus.ACKNOWLEDGED
    claim = claim.assess(Assessment(Decimal("2000"), "定损员", "", NOW), by="insurer:PICC", now=NOW)
    claim = claim.transition(ClaimStatus.APPROVED, by="insurer:PICC", now=NOW)
    claim = claim.pay(Payout(Decimal("2000"), NOW, "TX"), by="insurer:PICC", now=NOW)
    assert [h.status for h in claim.history] == [
        ClaimStatus.FILED, ClaimStatus.ACKNOWLEDGED, ClaimStatus.ASSESSED,
        ClaimStatus.APPROVED, ClaimStatus.PAID,
    ]  # fmt: skip
    assert claim.terminal


@pytest.mark.parametrize("start", list(ClaimStatus))
@pytest.mark.parametrize("target", list(ClaimStatus))
def test_every_move_outside_the_table_is_refused(start: ClaimStatus, target: ClaimStatus) -> None:
    claim = replace(a_claim(), status=start)
    if target in TRANSITIONS[start]:
        assert claim.transition(target, by="x", now=NOW).status is target
    else:
        with pytest.raises(IllegalTransition):
            claim.transition(target, by="x", now=NOW)


def test_paid_cannot_be_reached_without_approval() -> None:
    assessed = replace(a_claim(), status=ClaimStatus.ASSESSED)
    with pytest.raises(IllegalTransition):
        assessed.pay(Payout(Decimal(1), NOW, "TX"), by="x", now=NOW)
    assert assessed.path_to(ClaimStatus.PAID) == [ClaimStatus.APPROVED, ClaimStatus.PAID]
    assert replace(a_claim(), status=ClaimStatus.PAID).path_to(ClaimStatus.ASSESSED) == []


def test_cover_ids_are_distinct() -> None:
    claims = cut(status=CaseStatus.DETERMINED, losses=("4000", "6000"), own_damage=(True, True))
    assert len({c.id for c in claims.values()}) == len(claims)
    assert {c.cover for c in claims.values()} == set(Cover)


def test_an_assessment_can_be_revised_but_not_without_end() -> None:
    claim = replace(a_claim(), status=ClaimStatus.ACKNOWLEDGED)
    for n in range(MAX_ASSESSMENTS):
        claim = claim.assess(Assessment(Decimal(1000 + n), "定损员", "", NOW), by="insurer:PICC",
                             now=NOW)  # fmt: skip
    assert claim.assessment is not None
    assert claim.assessment.amount == Decimal(1000 + MAX_ASSESSMENTS - 1)
    with pytest.raises(PreconditionFailed) as refused:
        claim.assess(Assessment(Decimal(1), "定损员", "", NOW), by="insurer:PICC", now=NOW)
    assert refused.value.details["limit"] == MAX_ASSESSMENTS
    # What the insurer may still do: move the claim on.
    assert claim.transition(ClaimStatus.APPROVED, by="insurer:PICC", now=NOW).status is (
        ClaimStatus.APPROVED
    )
