"""Every worked example in tests/data goes through the engine."""

from __future__ import annotations

from typing import Any

import pytest

from settlement.domain.facts import parse_facts
from settlement.domain.liability import decide
from tests.unit.domain.factsdocs import load_examples

EXAMPLES = load_examples()
# Prose keys of the expected objects: compared elsewhere by meaning, not text.
_PROSE = {"basis", "irsa_analogue", "note"}


def test_examples_file_is_not_empty() -> None:
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_example_gives_expected_determination(example: dict[str, Any]) -> None:
    expected = example["expected"]
    answer = decide(parse_facts(example["facts"])).to_json_dict()

    assert answer["quick_handling_allowed"] == expected["quick_handling_allowed"]
    assert answer["route"] == expected["route"]
    assert answer["liability"] == expected["liability"]
    assert answer.get("refusal_reasons", []) == expected.get("refusal_reasons", [])
    assert answer["basis"], "every answer cites a legal basis"
    if "payout" in expected:
        payout = answer["payout"]
        for key, value in expected["payout"].items():
            if key not in _PROSE:
                assert payout[key] == value, key


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_example_answer_uses_expected_key_names(example: dict[str, Any]) -> None:
    answer = decide(parse_facts(example["facts"])).to_json_dict()
    missing = set(example["expected"]) - _PROSE - {"payout"} - set(answer)
    assert not missing
    if "payout" in example["expected"]:
        assert set(example["expected"]["payout"]) <= set(answer["payout"])


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_refused_examples_carry_advice_for_the_driver(example: dict[str, Any]) -> None:
    answer = decide(parse_facts(example["facts"])).to_json_dict()
    for detail in answer.get("refusal_details", []):
        assert detail["advice_zh"]
        assert detail["advice_en"]
        assert detail["legal_basis"]
    assert answer["guidance"]["zh"]
    assert answer["guidance"]["en"]
