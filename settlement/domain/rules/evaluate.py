"""Match the catalogue against a facts document, both ways round.

Conditions are compiled once, at import, into closures over a :class:`Perspective`; rules are
indexed by the facts they need (the manoeuvres, the kind of junction, a flag stated true…), so
a decision only evaluates the handful of rules that can apply. Nothing here decides liability:
:mod:`settlement.domain.liability` combines what fired.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from functools import reduce
from operator import attrgetter, or_

from settlement.domain.facts import (
    AccidentFacts,
    Flags,
    Location,
    PartyLabel,
    Vehicle,
    attribute_reader,
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
    # The rule's conditions that the index does not already guarantee.
    matches: Predicate


# Conditions the index reads from one fact's value: ``in``, ``true`` and ``false``.
_INDEXED_OPS: dict[str, Callable[[Cond], frozenset[object]]] = {
    "in": lambda cond: frozenset(cond.values),
    "true": lambda cond: frozenset({True}),
    "false": lambda cond: frozenset({False}),
}

# A fact and the values that satisfy it, e.g. ("self.manoeuvre", {"reversing", ...}).
_Literal = tuple[str, frozenset[object]]

# Distinct candidate sets kept (a handful in practice: they follow the manoeuvres stated).
_MAX_CACHED_MASKS = 4096


class _FactTables:
    """Facts of one object (self's vehicle, the other's, or the scene) read at once, each with
    a table from its value to the clauses that value satisfies (bit masks)."""

    __slots__ = ("_none", "_read", "_tables")

    def __init__(self, satisfies: dict[str, dict[object, int]]) -> None:
        self._read = attribute_reader(list(satisfies))
        self._tables = tuple(satisfies.values())
        self._none = (0,) * len(satisfies)  # a value no clause names satisfies none

    def held(self, obj: object) -> int:
        """The clauses ``obj``'s facts satisfy."""
        # tables[i].get(value_i, 0) for every fact, the non-zero ones ORed; all in C, and
        # most facts are unstated, so few ORs.
        return reduce(or_, filter(None, map(dict.get, self._tables, self._read(obj),
                                            self._none)), 0)


class RuleSet:
    """A catalogue compiled for matching. Build once per catalogue version and reuse.

    Rules are indexed by the facts they need. Each top-level condition that pins facts
    becomes a *clause*: facts with the values that satisfy them, one of which must hold for
    the condition to hold (``is_("self.manoeuvre", ...)`` is one fact; ``any_of`` whose every
    alternative pins a fact is several). Per fact, a table maps its value to the clauses it
    satisfies (a bit mask, one bit per clause). A decision reads the scene's facts once and
    each vehicle's as self and as the other, ORs their masks, and evaluates only the rules
    whose clauses all hold; a top-level ``is_``/``true``/``false`` condition is settled by the
    index and not evaluated again.
    """

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        matched = tuple(r for r in catalogue.rules
                        if r.kind != "combination")  # applied by the combiner, never matched
        self.combination = next(
            (r for r in catalogue.rules if r.kind == "combination"), None
        )
        clauses: list[tuple[_Literal, ...]] = []
        needs: list[int] = []  # per rule, the bits of its clauses
        for rule in matched:
            need = 0
            for cond in rule.when:
                clause = _clause(cond)
                if clause is not None:
                    need |= 1 << len(clauses)
                    clauses.append(clause)
            needs.append(need)
        # Per scope and fact: value → the clauses it satisfies.
        satisfies: dict[str, dict[str, dict[object, int]]] = {
            "self": {}, "other": {}, "scene": {}}
        for bit, clause in enumerate(clauses):
            for path, values in clause:
                _getter(path)  # an unknown path fails at import, as in compile_condition
                scope, _, name = path.partition(".")
                if scope in ("loc", "flags"):
                    scope, name = "scene", f"{'location' if scope == 'loc' else scope}.{name}"
                table = satisfies[scope].setdefault(name, {})
                for value in values:
                    table[value] = table.get(value, 0) | 1 << bit
        self._mine = _FactTables(satisfies["self"])
        self._theirs = _FactTables(satisfies["other"])
        self._scene = _FactTables(satisfies["scene"])
        self._needs = tuple(needs)
        self._compiled = tuple(
            _Compiled(rule, conjunction([compile_condition(c) for c in rule.when
                                         if not _read_by_index(c)]))
            for rule in matched
        )
        # Clauses that hold → the rules they admit, in catalogue order; filled on first use.
        self._by_mask: dict[int, tuple[_Compiled, ...]] = {}

    def _admitted(self, held: int) -> tuple[_Compiled, ...]:
        found = self._by_mask.get(held)
        if found is None:
            found = tuple(item for item, need in zip(self._compiled, self._needs, strict=True)
                          if need & ~held == 0)
            if len(self._by_mask) < _MAX_CACHED_MASKS:  # bounded, whatever the traffic
                self._by_mask[held] = found
        return found

    def evaluate(self, facts: AccidentFacts) -> Evaluation:
        """Every rule that fires for either party, plus every collision-part misfit."""
        firings: list[Firing] = []
        misfits: list[Misfit] = []
        scene = self._scene.held(facts)
        for label in facts.parties:
            me = facts.vehicles[label]
            other = facts.vehicles.get(other_party(label)) or _ABSENT[other_party(label)]
            candidates = self._admitted(scene | self._mine.held(me) | self._theirs.held(other))
            if not candidates:
                continue
            view = Perspective(me, other, facts.location, facts.flags)
            for item in candidates:
                if not item.matches(view):
                    continue
                parts = item.rule.parts
                found = _misfits(item.rule.id, parts, me, other) if parts else ()
                if found:
                    misfits.extend(found)
                else:
                    firings.append(Firing(item.rule, label))
        return Evaluation(tuple(firings), tuple(misfits))


# The other side of a single-vehicle accident: a vehicle of which nothing is stated.
_ABSENT: dict[PartyLabel, Vehicle] = {"A": Vehicle(label="A"), "B": Vehicle(label="B")}


def _read_by_index(cond: Cond) -> bool:
    """The index answers ``cond`` itself: one fact, one of some values. (A party's signs
    come from the location, not from the vehicle the index reads, so they are evaluated.)"""
    return cond.op in _INDEXED_OPS and not cond.path.endswith(".signs")


def _clause(cond: Cond) -> tuple[_Literal, ...] | None:
    """Facts of which one at least must have one of its values for ``cond`` to hold
    (``None``: the condition pins no fact the index can read)."""
    if _read_by_index(cond):
        return ((cond.path, _INDEXED_OPS[cond.op](cond)),)
    if cond.op == "all":
        # Every part must hold, so any one part's clause will do: the first there is.
        return next((c for c in map(_clause, cond.parts) if c is not None), None)
    if cond.op == "any":
        # One alternative must hold: its facts join the clause, so every one must pin some.
        options = [_clause(part) for part in cond.parts]
        if not options or None in options:
            return None
        return tuple(literal for option in options if option for literal in option)
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
