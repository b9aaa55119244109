"""Sealed openids open only with their key and their user; milestone notices are stable."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from adapters.sealing import AesGcmSealer
from settlement.config import ConfigurationError, Settings, parse_key
from settlement.domain.case import (
    AccidentScene,
    Case,
    CaseStatus,
    Invitation,
    ReconsiderationOutcome,
    open_case,
)
from settlement.domain.geo import GeoPoint
from settlement.domain.notices import Milestone, due_notices

KEY = bytes(range(32))


def test_a_sealed_value_opens_only_for_its_context_and_key() -> None:
    sealer = AesGcmSealer(KEY)
    sealed = sealer.seal("o_openid_1", "openid:u_1")
    assert b"o_openid_1" not in sealed
    assert sealer.open(sealed, "openid:u_1") == "o_openid_1"
    assert sealer.open(sealed, "openid:u_2") is None  # copied onto another user
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    assert sealer.open(tampered, "openid:u_1") is None
    assert AesGcmSealer(bytes(32)).open(sealed, "openid:u_1") is None
    assert sealer.seal("x", "c") != sealer.seal("x", "c")  # fresh nonce each time


def test_the_key_setting_is_checked_without_echoing_it() -> None:
    assert parse_key(KEY.hex()) == KEY
    with pytest.raises(ConfigurationError) as refused:
        Settings.from_env({"SETTLEMENT_OPENID_KEY": "not-a-key-secretvalue"})
    assert "secretvalue" not in str(refused.value)
    with pytest.raises(ConfigurationError):
        Settings.from_env({"SETTLEMENT_WECHAT_TEMPLATES": "nonsense=T1"})


def test_each_milestone_is_owed_once_with_a_stable_key() -> None:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    scene = AccidentScene(now, "深圳", GeoPoint(22.54, 113.93), "clear", "urban_road", "追尾")
    case = open_case(case_id="C1", opener_id="u_a", scene=scene, capture_nonce="n", now=now)
    assert due_notices(case) == []
    joined = replace(case, invitation=Invitation("d", now)).join("u_b", now)
    first = due_notices(joined)
    assert [(n.milestone, n.party) for n in first] == [(Milestone.JOINED, "A")]
    decided = replace(joined, status=CaseStatus.DETERMINED, determination={"levels": {}},
                      review={"requests": [{"reason": "补拍"}]})  # fmt: skip
    keys = [n.key for n in due_notices(decided)]
    assert keys == [n.key for n in due_notices(decided)]  # the same case owes the same keys
    assert len(keys) == len(set(keys)) == 5
    assert first[0].key in keys


def _determined(now: datetime) -> Case:
    scene = AccidentScene(now, "深圳", GeoPoint(22.54, 113.93), "clear", "urban_road", "追尾")
    case = open_case(case_id="C2", opener_id="u_a", scene=scene, capture_nonce="n", now=now)
    joined = replace(case, invitation=Invitation("d", now)).join("u_b", now)
    return replace(joined, status=CaseStatus.DETERMINED,
                   determination={"levels": {"A": "全部责任", "B": "无责任"}, "decided_at": now})  # fmt: skip


def _owed(case: Case, milestone: Milestone) -> list[tuple[str, str, str]]:
    return [(n.key, n.party, n.title) for n in due_notices(case) if n.milestone is milestone]


@pytest.mark.parametrize(("outcome", "title"), [
    (ReconsiderationOutcome.UPHELD, "复核结论：维持原认定"),
    (ReconsiderationOutcome.REDETERMINE, "复核结论：撤销原认定，重新认定"),
])  # fmt: skip
def test_a_concluded_reconsideration_is_owed_to_both_parties_in_words(
    outcome: ReconsiderationOutcome, title: str
) -> None:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    asked = _determined(now).request_reconsideration("u_b", "对方未减速", now)
    assert _owed(asked, Milestone.RECONSIDERED) == []  # pending: nothing concluded yet
    concluded = asked.conclude_reconsideration("sup", outcome, "复核理由", now)
    owed = _owed(concluded, Milestone.RECONSIDERED)
    assert owed == [("notice:C2:reconsidered:1:A", "A", title),
                    ("notice:C2:reconsidered:1:B", "B", title)]  # fmt: skip
    assert all(len(t) <= 20 for _, _, t in owed)  # a template's thing keyword holds 20
    assert "sup" not in str(owed)  # the supervisor's account stays with the police


def test_a_determination_made_again_after_a_reconsideration_is_announced_again() -> None:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    first = _determined(now)
    revoked = first.request_reconsideration("u_a", "不服", now).conclude_reconsideration(
        "sup", ReconsiderationOutcome.REDETERMINE, "重新认定", now
    )
    assert _owed(revoked, Milestone.POLICE_DECIDED) == []
    again = replace(revoked, status=CaseStatus.DETERMINED,
                    determination={"levels": {"A": "主要责任", "B": "次要责任"}, "decided_at": now})  # fmt: skip
    keys = {k for k, _, _ in _owed(again, Milestone.POLICE_DECIDED)}
    assert keys == {"notice:C2:police_decided:2:A", "notice:C2:police_decided:2:B"}
    assert keys.isdisjoint(k for k, _, _ in _owed(first, Milestone.POLICE_DECIDED))
    # The revoked determination's conclusion is still owed under its own round.
    assert [k for k, _, _ in _owed(again, Milestone.RECONSIDERED)] == [
        "notice:C2:reconsidered:1:A", "notice:C2:reconsidered:1:B"]
