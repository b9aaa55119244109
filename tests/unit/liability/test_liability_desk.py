"""The liability Case methods and the LiabilityDesk use cases, with in-memory fakes."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from settlement.domain import agreement as documents
from settlement.domain.case import (
    AccidentScene,
    Case,
    CaseStatus,
    PartyDetails,
    Statement,
    open_case,
)
from settlement.domain.geo import GeoPoint
from settlement.errors import (
    CaseNotFound,
    ConcurrentUpdate,
    IllegalTransition,
    InvalidInput,
    NotFound,
    NotPermitted,
    PreconditionFailed,
)
from settlement.ports.documents import IssuedDocument, RenderedDocument
from settlement.services.auth import digest
from settlement.services.liability import (
    DocumentIssuer,
    LiabilityDesk,
    assess_party_loss,
    build_proposal,
    proposal_view,
)
from tests.builders import party_details, statement

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
SCENE = AccidentScene(
    occurred_at=NOW - timedelta(minutes=20),
    address="深圳市南山区科技园",
    location=GeoPoint(22.54, 113.93),
    weather="clear",
    road_type="urban_road",
    description="追尾",
)


def _statement(raw: Mapping[str, Any]) -> Statement:
    return Statement(
        raw["own_vehicle"], raw["other_vehicle"], raw["location"], raw["flags"], raw["narrative"]
    )


def complete_case(a_loss: int | None = 1200, b_loss: int | None = 3500, **b_overrides: Any) -> Case:
    case = open_case(case_id="C1", opener_id="alice", scene=SCENE, capture_nonce="n", now=NOW)
    case = case.invite("d", NOW + timedelta(hours=1), NOW).join("bob", NOW)
    a = statement("straight", "front")
    b = statement(
        "stopped_in_queue", "rear", other_vehicle={"manoeuvre": "straight"}, **b_overrides
    )
    if a_loss is not None:
        a["own_vehicle"]["damage_estimate_cny"] = a_loss
    if b_loss is not None:
        b["own_vehicle"]["damage_estimate_cny"] = b_loss
    case = case.with_details("alice", PartyDetails(**party_details()), NOW)
    case = case.with_statement("alice", _statement(a), NOW)
    case = case.with_details(
        "bob", PartyDetails(**party_details(name="李四", plate="粤B67890")), NOW
    )
    return case.with_statement("bob", _statement(b), NOW)


def proposed_case() -> tuple[Case, str]:
    case = complete_case()
    proposal, target = build_proposal(case, NOW)
    staged = case.propose(proposal, target, NOW)
    terms = documents.content_sha256(documents.agreement_terms(staged))
    return case.propose({**proposal, "terms_sha256": terms}, target, NOW), terms


# --- Case methods ---------------------------------------------------------------------


def test_propose_needs_both_statements_and_happens_once() -> None:
    case, _ = proposed_case()
    assert case.status is CaseStatus.LIABILITY_PROPOSED
    with pytest.raises(IllegalTransition):
        case.propose({}, CaseStatus.LIABILITY_PROPOSED, NOW)
    opened = open_case(case_id="C2", opener_id="a", scene=SCENE, capture_nonce="n", now=NOW)
    with pytest.raises(IllegalTransition):
        opened.propose({}, CaseStatus.LIABILITY_PROPOSED, NOW)
    with pytest.raises(IllegalTransition):
        build_proposal(opened, NOW)


def test_accept_and_sign_only_while_proposed_and_only_by_parties() -> None:
    with pytest.raises(IllegalTransition):
        complete_case().accept("alice", NOW)
    case, terms = proposed_case()
    with pytest.raises(NotPermitted):
        case.accept("mallory", NOW)
    with pytest.raises(PreconditionFailed):
        case.request_signature("alice", digest("c"), terms, NOW + timedelta(minutes=5), NOW)


def test_two_valid_signatures_make_the_case_agreed() -> None:
    case, terms = proposed_case()
    later = NOW + timedelta(minutes=5)
    for user in ("alice", "bob"):
        case = case.accept(user, NOW).request_signature(user, digest(user), terms, later, NOW)
    case = case.sign("alice", digest("alice"), terms, NOW)
    assert case.status is CaseStatus.LIABILITY_PROPOSED
    case = case.sign("bob", digest("bob"), terms, NOW)
    assert case.status is CaseStatus.AGREED
    assert set(case.agreement["signatures"]) == {"A", "B"}  # type: ignore[index]
    with pytest.raises(IllegalTransition):  # an agreed case takes no more signatures
        case.with_agreement_document({"sha256": "x"}, NOW).sign("alice", "d", terms, NOW)


@pytest.mark.parametrize(
    ("confirmation", "terms_ok", "at"),
    [
        ("wrong", True, NOW),  # not the issued confirmation
        ("alice", False, NOW),  # other terms than the ones issued for
        ("alice", True, NOW + timedelta(minutes=5)),  # expired (exactly at expiry)
    ],
)
def test_invalid_confirmations_are_refused(confirmation: str, terms_ok: bool, at: datetime) -> None:
    case, terms = proposed_case()
    case = case.accept("alice", NOW).request_signature(
        "alice", digest("alice"), terms, NOW + timedelta(minutes=5), NOW
    )
    with pytest.raises(PreconditionFailed) as refused:
        case.sign("alice", digest(confirmation), terms if terms_ok else "0" * 64, at)
    assert refused.value.details["reason"] == "signature_confirmation_invalid"


def test_a_confirmation_signs_once() -> None:
    case, terms = proposed_case()
    case = case.accept("alice", NOW).request_signature(
        "alice", digest("alice"), terms, NOW + timedelta(minutes=5), NOW
    )
    signed = case.sign("alice", digest("alice"), terms, NOW)
    with pytest.raises(PreconditionFailed):
        signed.sign("alice", digest("alice"), terms, NOW)
    with pytest.raises(PreconditionFailed):  # and a signed party gets no new one
        signed.request_signature("alice", digest("again"), terms, NOW + timedelta(hours=1), NOW)


def test_decline_sends_the_case_to_the_police_and_voids_pending_confirmations() -> None:
    case, terms = proposed_case()
    case = case.accept("bob", NOW).request_signature(
        "bob", digest("bob"), terms, NOW + timedelta(minutes=5), NOW
    )
    declined = case.decline("alice", "不同意", NOW)
    assert declined.status is CaseStatus.POLICE_REVIEW
    assert declined.agreement["declined"]["by"] == "A"  # type: ignore[index]
    assert declined.agreement["signature_requests"] == {}  # type: ignore[index]


# --- loss and proposal ----------------------------------------------------------------


def test_loss_is_stated_estimated_or_left_to_inspection() -> None:
    assert assess_party_loss({"damage_estimate_cny": 800}, "tier1") == {
        "amount": 800,
        "source": "stated",
    }
    estimate = assess_party_loss({"damage_location": "rear"}, "tier1")
    assert estimate["source"] == "estimate"
    assert estimate["amount"] > 0
    assert estimate["caveat_zh"]
    assert assess_party_loss({"damage_location": "front_structural"}, "tier1")["amount"] is None
    assert assess_party_loss({"damage_location": "none"}, "tier1")["amount"] == 0
    assert assess_party_loss({}, "tier1") == {"amount": None, "source": "not_stated"}


def test_an_estimated_loss_still_gives_a_payout() -> None:
    proposal, target = build_proposal(complete_case(b_loss=None), NOW)
    assert target is CaseStatus.LIABILITY_PROPOSED
    assert proposal["loss"]["B"]["source"] == "estimate"
    assert proposal["payout"]["jqx_A_to_B"] == proposal["loss"]["B"]["amount"]


def test_a_dispute_flag_routes_to_police_review() -> None:
    flags = {"injuries": False, "dispute_on_facts": True}
    proposal, target = build_proposal(complete_case(flags=flags), NOW)
    assert target is CaseStatus.POLICE_REVIEW
    assert proposal["route"] == "online_police_determination"


def test_agreement_terms_carry_every_article_21_item() -> None:
    case, _ = proposed_case()
    terms = documents.agreement_terms(case)
    assert terms["scene"]["time"] == "2026-11-20 08:40"  # Beijing time
    assert terms["scene"]["weather"] == "晴"
    party = terms["parties"]["A"]
    for key in (
        "name",
        "licence_number",
        "phone",
        "vehicle_type",
        "plate",
        "insurer",
        "policy_number",
        "collision_part",
    ):
        assert party[key], key
    assert terms["facts"]["collision_type"] == "追尾碰撞"
    assert terms["liability"]["levels"] == {"A": "全部责任", "B": "无责任"}
    assert terms["compensation"]["payments"]
    assert "id_number" not in party  # the licence number identifies; no need for the ID card


# --- the desk with fakes --------------------------------------------------------------


class FakeCases:
    def __init__(self, case: Case, conflicts: int = 0) -> None:
        self.case = case
        self.conflicts = conflicts

    async def get(self, case_id: str) -> Case:
        if case_id != self.case.id:
            raise CaseNotFound("no such case")
        return self.case

    async def save(self, case: Case) -> Case:
        if self.conflicts:
            self.conflicts -= 1
            raise ConcurrentUpdate("raced")
        self.case = dataclasses.replace(case, version=case.version + 1)
        return self.case

    async def add(self, case: Case) -> Case:
        raise NotImplementedError

    async def find_by_invitation(self, code_digest: str) -> Case | None:
        raise NotImplementedError

    async def list_for_user(self, user_id: str, limit: int) -> Sequence[Case]:
        raise NotImplementedError


class FixedClock:
    def __init__(self) -> None:
        self.at = NOW

    def now(self) -> datetime:
        return self.at


class CountingIds:
    def __init__(self) -> None:
        self.count = 0

    def case_id(self) -> str:
        return "C9"

    def token(self) -> str:
        self.count += 1
        return f"confirmation-{self.count:04d}-abcdefgh"

    def join_code(self) -> str:
        return "12345678"

    def nonce(self) -> str:
        return "n"


class FakeRenderer:
    async def render(self, content: Mapping[str, Any]) -> RenderedDocument:
        pdf = b"%PDF-fake " + documents.canonical_json(content)
        return RenderedDocument(
            str(content["kind"]),
            documents.content_sha256(content),
            pdf,
            hashlib.sha256(pdf).hexdigest(),
        )


class FakeStore:
    def __init__(self) -> None:
        self.issued: dict[str, tuple[IssuedDocument, bytes]] = {}

    async def put(
        self, case_id: str, document: RenderedDocument, issued_at: datetime
    ) -> IssuedDocument:
        issued = IssuedDocument(
            document.sha256,
            document.file_sha256,
            document.kind,
            case_id,
            issued_at,
            len(document.pdf),
        )
        self.issued.setdefault(document.sha256, (issued, document.pdf))
        return self.issued[document.sha256][0]

    async def pdf(self, sha256: str) -> bytes:
        if sha256 not in self.issued:
            raise NotFound("none")
        return self.issued[sha256][1]

    async def find(self, sha256: str) -> IssuedDocument | None:
        for issued, _ in self.issued.values():
            if sha256 in (issued.sha256, issued.file_sha256):
                return issued
        return None


def desk(case: Case, conflicts: int = 0) -> tuple[LiabilityDesk, FakeCases, FakeStore, FixedClock]:
    cases, store, clock = FakeCases(case, conflicts), FakeStore(), FixedClock()
    issuer = DocumentIssuer(renderer=FakeRenderer(), store=store, clock=clock)
    return (
        LiabilityDesk(cases=cases, clock=clock, ids=CountingIds(), documents=issuer),
        cases,
        store,
        clock,
    )


async def _sign(service: LiabilityDesk, user: str) -> Case:
    ticket = await service.request_signature(user, "C1")
    return await service.sign(
        user, "C1", {"confirmation": ticket.confirmation, "terms_sha256": ticket.terms_sha256}
    )


async def test_desk_runs_the_whole_flow_and_issues_one_agreement() -> None:
    service, _cases, store, _ = desk(complete_case(), conflicts=1)  # one lost race on the way
    case = await service.propose("alice", "C1")
    assert case.status is CaseStatus.LIABILITY_PROPOSED
    terms = case.proposal["terms_sha256"]  # type: ignore[index]
    assert terms == documents.content_sha256(documents.agreement_terms(case))
    for user in ("alice", "bob"):
        await service.accept(user, "C1")
    await _sign(service, "alice")
    agreed = await _sign(service, "bob")
    assert agreed.status is CaseStatus.AGREED
    record = agreed.agreement["document"]  # type: ignore[index]
    assert len(store.issued) == 1
    assert record["sha256"] == documents.content_sha256(documents.agreement_content(agreed))
    sha256, pdf = await service.agreement_pdf("bob", "C1")
    assert sha256 == record["sha256"]
    assert pdf.startswith(b"%PDF")
    verified = await service.verify(record["file_sha256"])
    assert (verified.issued, verified.case_id, verified.kind) == (True, "C1", "agreement")
    view = proposal_view(agreed, "alice")
    assert view["agreement"]["document"]["pdf_path"] == "/api/v1/cases/C1/agreement.pdf"


async def test_desk_refuses_strangers_expired_confirmations_and_bad_bodies() -> None:
    service, cases, _, clock = desk(complete_case())
    with pytest.raises(CaseNotFound):
        await service.propose("mallory", "C1")
    await service.propose("alice", "C1")
    await service.accept("alice", "C1")
    ticket = await service.request_signature("alice", "C1")
    before = cases.case
    clock.at = ticket.expires_at
    with pytest.raises(PreconditionFailed):
        await service.sign(
            "alice",
            "C1",
            {"confirmation": ticket.confirmation, "terms_sha256": ticket.terms_sha256},
        )
    assert cases.case is before
    with pytest.raises(InvalidInput) as bad:
        await service.sign("alice", "C1", {"confirmation": ticket.confirmation})
    assert bad.value.details["field"] == "terms_sha256"
    with pytest.raises(InvalidInput):
        await service.verify("not-a-hash")
    with pytest.raises(NotFound):
        await service.agreement_pdf("alice", "C1")


async def test_issue_determination_for_the_police_console() -> None:
    service, _, store, _ = desk(complete_case())
    issuer = DocumentIssuer(renderer=FakeRenderer(), store=store, clock=FixedClock())
    case = complete_case()
    record = await issuer.issue_determination(
        case,
        {
            "levels": {"A": "主要责任", "B": "次要责任"},
            "rule": "S20",
            "note": "",
            "reason": "未保持安全距离",
            "reviewer": "P001",
            "decided_at": NOW,
        },
        district="深圳市南山区",
    )
    assert record["kind"] == "determination"
    assert record["verify_path"] == f"/api/v1/documents/{record['sha256']}/verify"
    assert (await service.verify(record["sha256"])).issued


def test_local_rules_admit_more_than_two_vehicles_to_police_review() -> None:
    from settlement.domain.jurisdiction import LocalAdmissions

    location = {"road_type": "urban_road", "intersection": "signalized_approach",
                "time": "day", "vehicle_count": 3}
    case = complete_case(location=location)
    assert case.jurisdiction == "440305"
    refused, target = build_proposal(case, NOW)
    assert target is CaseStatus.ON_SCENE
    assert refused["refusal_reasons"] == ["more_than_two_vehicles"]
    here = LocalAdmissions.parse("440305=more_than_two_vehicles")
    proposal, target = build_proposal(case, NOW, here)
    assert target is CaseStatus.POLICE_REVIEW
    assert proposal["police_only_reasons"] == ["more_than_two_vehicles"]
    assert set(proposal["liability"].values()) == {"待交警认定"}
    elsewhere = LocalAdmissions.parse("110101=more_than_two_vehicles")
    assert build_proposal(case, NOW, elsewhere)[1] is CaseStatus.ON_SCENE
