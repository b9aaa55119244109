"""The rule index only skips rules that cannot fire: matching with it gives exactly what
evaluating every rule's every condition gives, on each rule's scenario with facts changed to
values the catalogue's own conditions name (or to none)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from settlement.domain.facts import AccidentFacts, PartyLabel, Vehicle, parse_facts
from settlement.domain.rules.catalogue import CATALOGUE
from settlement.domain.rules.evaluate import (
    DEFAULT_RULES,
    Evaluation,
    Firing,
    Misfit,
    Perspective,
    _misfits,
    compile_condition,
)
from settlement.domain.rules.model import Cond
from tests.unit.domain.test_catalogue import SCENARIOS


def _walk(conds: Iterable[Cond]) -> Iterator[Cond]:
    for cond in conds:
        yield cond
        yield from _walk(cond.parts)


# Every fact a condition reads, with the values conditions name for it.
_NAMED: dict[str, set[object]] = {}
for _cond in _walk(c for r in CATALOGUE.rules for c in r.when):
    for _path in filter(None, (_cond.path, _cond.other_path)):
        _NAMED.setdefault(_path.partition(".")[2] if _path.startswith(("self.", "other."))
                          else _path, set()).update(_cond.values)
_BOOL_OPS = {"true", "not_true", "false"}
_BOOLS = {c.path.partition(".")[2] if c.path.startswith(("self.", "other.")) else c.path
          for c in _walk(c for r in CATALOGUE.rules for c in r.when) if c.op in _BOOL_OPS}
_SETS = {"signs", "loc.site_features"}


def _values(name: str) -> st.SearchStrategy[Any]:
    named = sorted(_NAMED[name], key=str)
    if name in _SETS:
        return st.frozensets(st.sampled_from(named), max_size=2)
    if name in _BOOLS:
        return st.one_of(st.none(), st.booleans())
    # Unnamed values too: a lane no rule names, one side's lane only, and so on.
    return st.one_of(st.none(), st.sampled_from([*named, "lane_1", "lane_2"]))


_VEHICLE = sorted(n for n in _NAMED if "." not in n and n != "signs")
_LOCATION = sorted(n.partition(".")[2] for n in _NAMED if n.startswith("loc."))
_FLAGS = sorted(n.partition(".")[2] for n in _NAMED if n.startswith("flags."))
_SCENARIOS = {rule_id: parse_facts(document) for rule_id, document in SCENARIOS.items()}


def _changes(draw: st.DrawFn, names: list[str], prefix: str = "") -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(names), max_size=3, unique=True))
    return {name: draw(_values(prefix + name)) for name in chosen}


@st.composite
def facts(draw: st.DrawFn) -> AccidentFacts:
    """A rule's table-test scenario with up to three facts changed per vehicle, in the
    location and in the flags: documents on both sides of every rule's conditions."""
    base = _SCENARIOS[draw(st.sampled_from(sorted(_SCENARIOS)))]
    vehicles = {label: replace(vehicle, **_changes(draw, _VEHICLE))
                for label, vehicle in base.vehicles.items()}
    location = replace(base.location, **_changes(draw, _LOCATION, "loc."))
    if draw(st.booleans()):
        location = replace(location, signs_for_A=draw(_values("signs")),
                           signs_for_B=draw(_values("signs")))
    flags = replace(base.flags, **_changes(draw, _FLAGS, "flags."))
    return AccidentFacts(location=location, flags=flags, vehicles=vehicles)


_EVERY_CONDITION = [
    (rule, [compile_condition(c) for c in rule.when])
    for rule in CATALOGUE.rules if rule.kind != "combination"
]


def _without_index(document: AccidentFacts) -> Evaluation:
    firings: list[Firing] = []
    misfits: list[Misfit] = []
    for label in document.parties:
        other_label: PartyLabel = "B" if label == "A" else "A"
        me = document.vehicles[label]
        other = document.vehicles.get(other_label) or Vehicle(label=other_label)
        view = Perspective(me, other, document.location, document.flags)
        for rule, conditions in _EVERY_CONDITION:
            if all(holds(view) for holds in conditions):
                found = _misfits(rule.id, rule.parts, me, other) if rule.parts else ()
                if found:
                    misfits.extend(found)
                else:
                    firings.append(Firing(rule, label))
    return Evaluation(tuple(firings), tuple(misfits))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts())
def test_the_index_matches_exactly_what_every_condition_matches(document: AccidentFacts) -> None:
    assert DEFAULT_RULES.evaluate(document) == _without_index(document)
