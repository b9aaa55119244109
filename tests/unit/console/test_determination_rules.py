"""The reviewer's decision is checked against the rule it applies, on the server."""

from __future__ import annotations

import pytest

from settlement.domain.determination import (
    OTHER_RULE,
    DecisionRefused,
    allowed_pairs,
    check_decision,
    selectable_rules,
)
from settlement.domain.rules.catalogue import CATALOGUE


def refused(*args: str) -> str:
    with pytest.raises(DecisionRefused) as caught:
        check_decision(*args)
    return str(caught.value.details["reason"])


def test_a_fault_rule_fixes_full_and_none_either_way_round() -> None:
    decision = check_decision("S01", "全部责任", "无责任")
    assert decision.at_fault == "A"
    assert [str(ref) for ref in decision.substantive_basis] == ["道交法第43条"]
    assert "安全距离" in decision.text_zh
    assert check_decision("S01", "无责任", "全部责任").at_fault == "B"
    assert refused("S01", "主要责任", "次要责任") == "levels_mismatch"
    assert refused("S01", "同等责任", "同等责任") == "levels_mismatch"


def test_graded_mutual_and_no_fault_rules_give_their_own_levels() -> None:
    assert check_decision("RE2", "次要责任", "主要责任").at_fault == "B"
    assert refused("RE2", "全部责任", "无责任") == "levels_mismatch"
    assert check_decision("S15", "同等责任", "同等责任").at_fault is None
    assert refused("S47", "主要责任", "次要责任") == "levels_mismatch"
    assert check_decision("S46", "无责任", "无责任").levels == {"A": "无责任", "B": "无责任"}
    assert refused("S46", "全部责任", "无责任") == "levels_mismatch"


def test_routing_unknown_and_missing_rules_are_refused() -> None:
    assert refused("G12", "全部责任", "无责任") == "rule_routing"
    assert refused("NOT-A-RULE", "全部责任", "无责任") == "rule_unknown"
    assert refused("", "全部责任", "无责任") == "rule_required"
    assert refused("S01", "全部责任", "全部责任") == "levels_invalid"
    assert refused("S01", "待交警认定", "待交警认定") == "levels_invalid"


def test_other_needs_a_statute_from_the_list_and_a_cited_article() -> None:
    decision = check_decision(OTHER_RULE, "主要责任", "次要责任", "道交法", "第44条第2款")
    assert [str(ref) for ref in decision.basis] == ["道交法第44条第2款"]
    assert decision.at_fault == "A"
    assert refused(OTHER_RULE, "主要责任", "次要责任") == "basis_required"
    assert refused(OTHER_RULE, "主要责任", "次要责任", "民法典", "第1条") == "basis_unknown"
    assert refused(OTHER_RULE, "主要责任", "次要责任", "道交法", "43") == "article_invalid"


def test_every_selectable_rule_allows_at_least_one_valid_pair_and_no_gate_is_offered() -> None:
    rules = selectable_rules()
    assert rules
    assert all(not r.id.startswith("G") for r in rules)
    for rule in rules:
        pairs = allowed_pairs(rule)
        assert rule.result in pairs
        for a, b in pairs:
            check_decision(rule.id, a, b)
    assert len(rules) == len(CATALOGUE.rules)
