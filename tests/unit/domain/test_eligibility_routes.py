"""Two motor vehicles only: non-motor parties and more than two vehicles leave
self-negotiation with their reason and route, unless the jurisdiction admits them online."""

from __future__ import annotations

from typing import Any

import pytest

from settlement.domain import eligibility
from settlement.domain.facts import parse_facts
from settlement.domain.jurisdiction import LocalAdmissions
from settlement.domain.liability import decide
from settlement.domain.rules.model import FULL, NONE, PENDING
from tests.unit.domain.factsdocs import doc

S = "straight"
REAR_END = ({"manoeuvre": S, "damage_location": "front", "damage_estimate_cny": 900},
            {"manoeuvre": "stopped_in_queue", "damage_location": "rear",
             "damage_estimate_cny": 1500})


def _doc(a: dict[str, Any] | None = None, b: dict[str, Any] | None = None,
         loc: dict[str, Any] | None = None, flags: dict[str, Any] | None = None
         ) -> dict[str, Any]:
    return doc({**REAR_END[0], **(a or {})}, {**REAR_END[1], **(b or {})}, loc, flags)


# (case, document, refusal reason or None, route when not admitted)
TABLE: list[tuple[str, dict[str, Any], str | None, str]] = [
    ("e-bike", _doc(b={"type": "e_bike"}), "non_motor_party", "move_then_report_police"),
    ("bicycle", _doc(a={"type": "bicycle"}), "non_motor_party", "move_then_report_police"),
    ("pedestrian", _doc(b={"type": "pedestrian_none"}), "non_motor_party",
     "move_then_report_police"),
    ("three vehicles", _doc(loc={"vehicle_count": 3}), "more_than_two_vehicles",
     "move_then_report_police"),
    ("twelve vehicles", _doc(loc={"vehicle_count": 12}), "more_than_two_vehicles",
     "move_then_report_police"),
    ("a motorcycle is a motor vehicle", _doc(b={"type": "motorcycle"}), None,
     "self_negotiation"),
    ("two vehicles stated", _doc(loc={"vehicle_count": 2}), None, "self_negotiation"),
]


@pytest.mark.parametrize(("case", "document", "reason", "route"), TABLE,
                         ids=[row[0] for row in TABLE])
def test_two_motor_vehicles_only(case: str, document: dict[str, Any], reason: str | None,
                                 route: str) -> None:
    decided = decide(parse_facts(document))
    assert decided.route == route
    if reason is None:
        assert decided.quick_handling_allowed
        assert dict(decided.liability) == {"A": FULL, "B": NONE}
        return
    assert not decided.quick_handling_allowed
    assert decided.refusal_reasons == (reason,)
    assert set(decided.liability.values()) == {PENDING}
    assert decided.proposed_liability == {"A": FULL, "B": NONE}  # for the police
    detail = decided.to_json_dict()["refusal_details"][0]  # type: ignore[index]
    assert detail["reason"] == reason
    assert detail["legal_basis"]
    assert detail["advice_zh"]
    assert detail["advice_en"]


@pytest.mark.parametrize(("case", "document", "reason", "route"),
                         [row for row in TABLE if row[2] is not None],
                         ids=[row[0] for row in TABLE if row[2] is not None])
def test_a_jurisdiction_can_admit_them_to_online_police_determination(
    case: str, document: dict[str, Any], reason: str, route: str
) -> None:
    decided = decide(parse_facts(document), admitted=frozenset({reason}))
    assert decided.quick_handling_allowed
    assert decided.route == "online_police_determination"
    assert decided.refusal_reasons == ()
    assert set(decided.liability.values()) == {PENDING}  # the police decide, never the parties
    assert decided.proposed_liability == {"A": FULL, "B": NONE}
    assert decided.payout is None
    answer = decided.to_json_dict()
    assert answer["police_only_reasons"] == [reason]
    assert answer["rules"][0]["reason"] == reason  # type: ignore[index]


def test_admitting_one_reason_does_not_admit_the_other() -> None:
    document = _doc(b={"type": "e_bike"}, loc={"vehicle_count": 3})
    decided = decide(parse_facts(document), admitted=frozenset({"non_motor_party"}))
    assert not decided.quick_handling_allowed
    assert decided.refusal_reasons == ("more_than_two_vehicles",)


def test_admission_never_overrides_a_non_admissible_refusal() -> None:
    document = _doc(b={"type": "e_bike"}, flags={"injuries": True})
    decided = decide(parse_facts(document), admitted=frozenset({"non_motor_party", "injury"}))
    assert not decided.quick_handling_allowed
    assert decided.route == "call_police_stay_at_scene"
    assert decided.refusal_reasons == ("injury",)


def test_every_admissible_exclusion_is_configurable() -> None:
    from settlement.domain.jurisdiction import ADMISSIBLE_REASONS

    admissible = {e.reason for e in eligibility.EXCLUSIONS if e.admissible}
    assert admissible == ADMISSIBLE_REASONS


def test_local_admissions_per_district() -> None:
    rules = LocalAdmissions.parse(
        " 440304=non_motor_party+more_than_two_vehicles , *=non_motor_party")
    assert rules.admitted("440304") == {"non_motor_party", "more_than_two_vehicles"}
    assert rules.admitted("110101") == {"non_motor_party"}
    assert LocalAdmissions().admitted("440304") == frozenset()
    assert LocalAdmissions.parse("").admitted("440304") == frozenset()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("440304", "DISTRICT=reason"),
        ("440304=", "DISTRICT=reason"),
        ("999999=non_motor_party", "unknown district"),
        ("440304=injury", "cannot be admitted"),
        ("440304=non_motor_party,440304=more_than_two_vehicles", "listed twice"),
    ],
)
def test_local_admissions_reject_bad_settings(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LocalAdmissions.parse(raw)


def test_settings_read_admissions_from_the_environment() -> None:
    from settlement.config import Settings
    from settlement.errors import ConfigurationError

    settings = Settings.from_env({"SETTLEMENT_ONLINE_POLICE_ADMITS": "440305=non_motor_party"})
    assert settings.online_police_admits.admitted("440305") == {"non_motor_party"}
    assert Settings.from_env({}).online_police_admits.admitted("440305") == frozenset()
    with pytest.raises(ConfigurationError, match="SETTLEMENT_ONLINE_POLICE_ADMITS"):
        Settings.from_env({"SETTLEMENT_ONLINE_POLICE_ADMITS": "440305=death"})
