"""Match the catalogue against a facts document, both ways round.

Conditions are compiled once, at import, into closures over a :class:`Perspective`; rules are
indexed by the manoeuvre their *self* must be doing, so a decision only looks at the handful of
rules that can apply. Nothing here decides liability: :mod:`settlement.domain.liability`
combines what fired.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from operator import attrgetter

from settlement.domain.facts import (
    AccidentFacts,
    Flags,
    Location,
    PartyLabel,
    Vehicle,
    other_party,
)
from settlement.domain.rules.catalogue import CATALOGUE
from settlement.domain.rules.model import Catalogue, CollisionParts, Cond, Rule


class Perspective:
    """The facts seen from one party: ``me`` is *self* in the rules, ``other`` the other side."""

    __slots__ = ("flags", "loc", "me", "me_signs", "other", "other_signs")

    def __init__(self, me: Vehicle, other: Vehicle, loc: Location, flags: Flags) -> None:
        self.me = me
        self.other = other
        self.loc = loc
        self.flags = flags
        self.me_signs = loc.signs_for_A if me.label == "A" else loc.signs_for_B
        self.other_signs = loc.signs_for_B if me.label == "A" else loc.signs_for_A


Predicate = Callable[[Perspective], bool]

_FIELDS: dict[str, frozenset[str]] = {
    "self": frozenset(f.name for f in fields(Vehicle)) | {"signs"},
    "other": frozenset(f.name for f in fields(Vehicle)) | {"signs"},
    "loc": frozenset(f.name for f in fields(Location)),
    "flags": frozenset(f.name for f in fields(Flags)),
}


def _getter(path: str) -> Callable[[Perspective], object]:
    scope, _, name = path.partition(".")
    if name not in _FIELDS.get(scope, frozenset()):
        # Fail at import: a typo in the catalogue must never silently match nothing.
        raise ValueError(f"unknown condition path {path!r}")
    if name == "signs":
        return attrgetter("me_signs" if scope == "self" else "other_signs")
    return attrgetter(f"{'me' if scope == 'self' else scope}.{name}")


def compile_condition(cond: Cond) -> Predicate:
    """Turn one :class:`Cond` into a predicate over a :class:`Perspective`.

    Raises:
        ValueError: the condition names an unknown path or operator.
    """
    op = cond.op
    if op in ("all", "any", "none"):
        parts = [compile_condition(part) for part in cond.parts]
        if op == "all":
            return conjunction(parts)
        either = disjunction(parts)
        return either if op == "any" else lambda p: not either(p)
    get = _getter(cond.path)
    values = cond.values
    if op == "in":
        return lambda p: get(p) in values
    if op == "not_in":
        return lambda p: get(p) not in values
    if op == "true":
        return lambda p: get(p) is True
    if op == "not_true":
        return lambda p: get(p) is not True
    if op == "false":
        return lambda p: get(p) is False
    if op == "has":
        return lambda p: not values.isdisjoint(get(p))  # type: ignore[arg-type]
    if op == "same":
        get_other = _getter(cond.other_path)

        def same(p: Perspective) -> bool:
            left, right = get(p), get_other(p)
            return left is None or right is None or left == right

        return same
    raise ValueError(f"unknown condition operator {op!r}")


def conjunction(preds: list[Predicate]) -> Predicate:
    """One predicate that short-circuits through ``preds`` in order (true when empty).

    Built as a chain of two-argument closures: on the hot path this is markedly cheaper
    than ``all()`` over a generator, which allocates a generator per call.
    """
    if not preds:
        return lambda p: True
    head, *rest = preds
    if not rest:
        return head
    tail = conjunction(rest)
    return lambda p: head(p) and tail(p)


def disjunction(preds: list[Predicate]) -> Predicate:
    """One predicate true when any of ``preds`` is (false when empty); short-circuits."""
    if not preds:
        return lambda p: False
    head, *rest = preds
    if not rest:
        return head
    tail = disjunction(rest)
    return lambda p: head(p) or tail(p)


@dataclass(frozen=True, slots=True)
class Firing:
    """A rule that fired, read with ``party`` as its *self*."""

    rule: Rule
    party: PartyLabel


@dataclass(frozen=True, slots=True)
class Misfit:
    """A damage location that does not fit the manoeuvre a rule's scenario needs (§2.5)."""

    rule_id: str
    party: PartyLabel
    stated: str
    expected: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Everything the catalogue said about one document."""

    firings: tuple[Firing, ...]
    misfits: tuple[Misfit, ...]


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: Rule
    matches: Predicate


class RuleSet:
    """A catalogue compiled for matching. Build once per catalogue version and reuse."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._compiled = tuple(
            _Compiled(rule, conjunction([compile_condition(c) for c in rule.when]))
            for rule in catalogue.rules
            if rule.kind != "combination"  # applied by the combiner, never matched
        )
        self._keys = tuple(
            (_manoeuvre_keys(c.rule, "self.manoeuvre"),
             _manoeuvre_keys(c.rule, "other.manoeuvre"))
            for c in self._compiled
        )
        self.combination = next(
            (r for r in catalogue.rules if r.kind == "combination"), None
        )
        # (self manoeuvre, other manoeuvre) → rules that can match; filled on first use.
        self._by_pair: dict[tuple[str | None, str | None], tuple[_Compiled, ...]] = {}

    def _candidates(self, mine: str | None, theirs: str | None) -> tuple[_Compiled, ...]:
        found = self._by_pair.get((mine, theirs))
        if found is None:
            found = tuple(
                item
                for item, (self_keys, other_keys) in zip(self._compiled, self._keys, strict=True)
                if (self_keys is None or mine in self_keys)
                and (other_keys is None or theirs in other_keys)
            )
            self._by_pair[(mine, theirs)] = found
        return found

    def evaluate(self, facts: AccidentFacts) -> Evaluation:
        """Every rule that fires for either party, plus every collision-part misfit."""
        firings: list[Firing] = []
        misfits: list[Misfit] = []
        for label in facts.parties:
            me = facts.vehicles[label]
            other = facts.vehicles.get(other_party(label)) or Vehicle(label=other_party(label))
            view = Perspective(me, other, facts.location, facts.flags)
            for item in self._candidates(me.manoeuvre, other.manoeuvre):
                if not item.matches(view):
                    continue
                parts = item.rule.parts
                found = _misfits(item.rule.id, parts, me, other) if parts else ()
                if found:
                    misfits.extend(found)
                else:
                    firings.append(Firing(item.rule, label))
        return Evaluation(tuple(firings), tuple(misfits))


def _manoeuvre_keys(rule: Rule, path: str) -> frozenset[str] | None:
    """The values a top-level ``in`` condition on ``path`` allows (``None``: unconstrained)."""
    for cond in rule.when:
        if cond.op == "in" and cond.path == path:
            return cond.values
    return None


def _misfits(
    rule_id: str, parts: CollisionParts, me: Vehicle, other: Vehicle
) -> tuple[Misfit, ...]:
    found: list[Misfit] = []
    for vehicle, allowed in ((me, parts.self_parts), (other, parts.other_parts)):
        stated = vehicle.damage_location
        if stated is not None and stated != "none" and stated not in allowed:
            found.append(Misfit(rule_id, vehicle.label, stated, tuple(sorted(allowed))))
    return tuple(found)


DEFAULT_RULES = RuleSet(CATALOGUE)


def collision_part_misfits(
    facts: AccidentFacts, rules: RuleSet = DEFAULT_RULES
) -> tuple[Misfit, ...]:
    """Damage locations that contradict the manoeuvres stated (§2.5; 条例86, 程序规定21)."""
    return rules.evaluate(facts).misfits


def rule_ids(firings: Iterable[Firing]) -> tuple[str, ...]:
    """The distinct rule ids in ``firings``, in order."""
    return tuple(dict.fromkeys(f.rule.id for f in firings))
