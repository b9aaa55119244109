"""Online liability determination for two-party minor collisions (research notes §7).

:func:`decide` runs, in order:

1. the eligibility gate (:mod:`settlement.domain.eligibility`): any exclusion refuses quick
   handling and leaves liability to the police (待交警认定); an exclusion the jurisdiction
   admits (a non-motor party, more than two vehicles) keeps the case online but sends it to
   online police determination with the catalogue's answer only proposed;
2. the "never guess" checks: a stated dispute, a signal only *claimed*, contradictory
   positions, or damage that does not fit the manoeuvres (§2.5) → 待交警认定 and online police
   determination (程序规定第20条);
3. the catalogue (:mod:`settlement.domain.rules`), both ways round, combined as the local
   quick-handling rules do: one party at fault → 全部/无; both → 同等 (S47); a graded
   refinement → 主要/次要, which only the police may confirm, so it is proposed and routed
   to online police determination; nobody at fault only when stated (S46); no rule → police;
4. the payout (:mod:`settlement.domain.payout`) when liability is settled or proposed and every
   loss is stated.

The function is pure and synchronous; it never raises for a valid :class:`AccidentFacts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from settlement.domain import eligibility
from settlement.domain.eligibility import ROUTE_GUIDANCE, Refusal, Route
from settlement.domain.facts import APPROACH_COMPLEMENT, AccidentFacts, PartyLabel, other_party
from settlement.domain.payout import Payout, compute_payout, positions_from_facts
from settlement.domain.rules.evaluate import DEFAULT_RULES, Evaluation, Firing, Misfit, RuleSet
from settlement.domain.rules.model import EQUAL, MAJOR, MINOR, PENDING, LegalRef, Level, Rule

_POSITION_COMPLEMENT: Mapping[str, str] = {
    "behind": "ahead",
    "ahead": "behind",
    "alongside_left": "alongside_right",
    "alongside_right": "alongside_left",
    "oncoming": "oncoming",
    "from_left": "from_right",
    "from_right": "from_left",
}

_DISPUTE_EXPLANATION = (
    "当事人对事实或成因有争议，不得自行确定责任，应在线共同申请交警认定。",
    "The parties disagree on what happened, so they may not fix liability themselves; they "
    "apply together online for the police to decide.",
)
_UNDETERMINED_EXPLANATION = (
    "现有事实不足以适用任何责任情形，交由交警认定，不作推测。",
    "The facts given fit no catalogue scenario, so the police decide; the engine does not "
    "guess.",
)


@dataclass(frozen=True, slots=True)
class FiredRule:
    """A rule that shaped the answer, as shown to the parties.

    Attributes:
        id: catalogue id (``S01``…, ``RE1``…) or gate id (``G1``…, ``G12``).
        party: the party the rule is about (its *self*), if any.
        basis: statutes and articles.
        explanation_zh / explanation_en: one line each.
        result: liability levels the rule gives, when it is a catalogue rule.
        reason: the refusal code, for gate entries.
    """

    id: str
    party: PartyLabel | None
    basis: tuple[LegalRef, ...]
    explanation_zh: str
    explanation_en: str
    result: Mapping[PartyLabel, Level] | None = None
    reason: str | None = None

    def to_json_dict(self) -> dict[str, object]:
        """JSON form."""
        out: dict[str, object] = {
            "id": self.id,
            "legal_basis": [str(ref) for ref in self.basis],
            "explanation_zh": self.explanation_zh,
            "explanation_en": self.explanation_en,
        }
        if self.party is not None:
            out["party"] = self.party
        if self.result is not None:
            out["result"] = dict(self.result)
        if self.reason is not None:
            out["reason"] = self.reason
        return out


@dataclass(frozen=True, slots=True)
class FactConflict:
    """Two stated facts that cannot both be true, or a fact only claimed."""

    field: str
    detail: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the catalogue alone says (before the gate and the dispute checks)."""

    liability: Mapping[PartyLabel, Level]
    rules: tuple[FiredRule, ...]
    graded: bool


@dataclass(frozen=True, slots=True)
class Determination:
    """The engine's answer (shape described in ``accident-facts.md``).

    Attributes:
        catalogue_version: the rule catalogue version used.
        quick_handling_allowed: the case may be settled off-scene online.
        route: where the parties go next.
        liability: per party; 待交警认定 when the police must decide.
        refusals: exclusions that refused quick handling.
        rules: the gate entries and catalogue rules behind the answer.
        payout: the payment breakdown, when liability is settled or proposed.
        proposed_liability: when refused, what the catalogue would say (for the police).
        proposed_rules: the rules behind ``proposed_liability``.
        conflicts: stated facts that contradict each other.
        misfits: damage locations that do not fit the manoeuvres.
        admitted: exclusions the jurisdiction admitted to online police determination.
    """

    catalogue_version: str
    quick_handling_allowed: bool
    route: Route
    liability: Mapping[PartyLabel, Level]
    refusals: tuple[Refusal, ...] = ()
    rules: tuple[FiredRule, ...] = ()
    payout: Payout | None = None
    proposed_liability: Mapping[PartyLabel, Level] | None = None
    proposed_rules: tuple[FiredRule, ...] = ()
    conflicts: tuple[FactConflict, ...] = ()
    misfits: tuple[Misfit, ...] = ()
    admitted: tuple[Refusal, ...] = ()

    @property
    def refusal_reasons(self) -> tuple[str, ...]:
        """Refusal codes in gate order."""
        return tuple(dict.fromkeys(r.reason for r in self.refusals))

    @property
    def basis(self) -> str:
        """Every legal basis cited by ``rules``, once each, joined by ``"; "``."""
        refs = dict.fromkeys(str(ref) for rule in self.rules for ref in rule.basis)
        return "; ".join(refs)

    def to_json_dict(self) -> dict[str, object]:
        """The JSON answer, with the key names of the worked examples' ``expected`` objects."""
        zh, en = ROUTE_GUIDANCE[self.route]
        out: dict[str, object] = {
            "catalogue_version": self.catalogue_version,
            "quick_handling_allowed": self.quick_handling_allowed,
            "route": self.route,
            "liability": dict(self.liability),
            "basis": self.basis,
            "rules": [rule.to_json_dict() for rule in self.rules],
            "guidance": {"zh": zh, "en": en},
        }
        if self.refusals:
            out["refusal_reasons"] = list(self.refusal_reasons)
            out["refusal_details"] = [_refusal_json(r) for r in self.refusals]
        if self.admitted:
            # Excluded from self-negotiation, admitted online by the local rules.
            out["police_only_reasons"] = list(dict.fromkeys(r.reason for r in self.admitted))
            out["police_only_details"] = [_refusal_json(r) for r in self.admitted]
        if self.proposed_liability is not None:
            out["proposed_liability"] = dict(self.proposed_liability)
            out["proposed_rules"] = [rule.to_json_dict() for rule in self.proposed_rules]
        if self.conflicts:
            out["fact_conflicts"] = [{"field": c.field, "detail": c.detail}
                                     for c in self.conflicts]
        if self.misfits:
            out["collision_part_misfits"] = [
                {"rule": m.rule_id, "party": m.party, "stated": m.stated,
                 "expected_one_of": list(m.expected)}
                for m in self.misfits
            ]
        if self.payout is not None:
            out["payout"] = self.payout.to_json_dict()
        return out


def _refusal_json(refusal: Refusal) -> dict[str, object]:
    exclusion = refusal.exclusion
    return {
        "reason": refusal.reason,
        "gate": exclusion.gate,
        "parties": list(refusal.parties),
        "route": exclusion.route,
        "legal_basis": [str(ref) for ref in exclusion.basis],
        "advice_zh": exclusion.advice_zh,
        "advice_en": exclusion.advice_en,
    }


def _gate_rules(refusals: tuple[Refusal, ...]) -> tuple[FiredRule, ...]:
    return tuple(
        FiredRule(r.exclusion.gate, None, r.exclusion.basis, r.exclusion.advice_zh,
                  r.exclusion.advice_en, reason=r.reason)
        for r in refusals
    )


def _from_rule(rule: Rule, party: PartyLabel, parties: tuple[PartyLabel, ...]) -> FiredRule:
    key = (id(rule), party, parties)
    cached = _SHOWN.get(key)
    if cached is not None and cached[0] is rule:
        return cached[1]
    result = {party: rule.result[0]}
    if other_party(party) in parties:
        result[other_party(party)] = rule.result[1]
    fired = FiredRule(rule.id, party, rule.basis, rule.explanation_zh, rule.explanation_en,
                      result)
    if len(_SHOWN) < _MAX_SHOWN:
        _SHOWN[key] = (rule, fired)
    return fired


# A rule as shown for a party never changes, so each is built once. Keyed by the rule's
# identity: the entry holds the rule, so that identity cannot be reused while it is cached.
_SHOWN: dict[tuple[int, PartyLabel, tuple[PartyLabel, ...]], tuple[Rule, FiredRule]] = {}
_MAX_SHOWN = 4096


def _pair(first: PartyLabel, first_level: Level, second_level: Level,
          parties: tuple[PartyLabel, ...]) -> dict[PartyLabel, Level]:
    levels = {first: first_level, other_party(first): second_level}
    return {label: levels[label] for label in parties}


def combine(evaluation: Evaluation, facts: AccidentFacts, rules: RuleSet = DEFAULT_RULES
            ) -> Outcome | None:
    """Combine the firings into liability levels, or ``None`` when no rule settles it.

    Args:
        evaluation: what the catalogue matched for these facts.
        facts: the same facts (for the list of parties).
        rules: the compiled catalogue (for S47).
    """
    parties = facts.parties
    superseded = {(rid, f.party) for f in evaluation.firings for rid in f.rule.supersedes}
    # The firings that stand, by kind, in firing order ("fault" and "mutual" together).
    decisive: list[Firing] = []
    faults: list[Firing] = []
    graded: list[Firing] = []
    no_fault: list[Firing] = []
    by_kind = {"decisive": decisive, "fault": faults, "mutual": faults, "graded": graded,
               "no_fault": no_fault}
    for firing in evaluation.firings:
        if (firing.rule.id, firing.party) not in superseded:
            by_kind[firing.rule.kind].append(firing)

    def shown(items: list[Firing]) -> tuple[FiredRule, ...]:
        return tuple([_from_rule(f.rule, f.party, parties) for f in items])

    if decisive:
        first = decisive[0]
        levels = _pair(first.party, first.rule.result[0], first.rule.result[1], parties)
        return Outcome(levels, shown([first]), graded=False)

    at_fault = {f.party for f in faults}
    at_fault |= {other_party(f.party) for f in faults if f.rule.kind == "mutual"}
    both = rules.combination or rules.catalogue.by_id("S47")

    if graded:
        mainly = {f.party for f in graded}
        if len(mainly) == 1:
            main = next(iter(mainly))
            if other_party(main) not in at_fault:
                own = [f for f in faults if f.party == main]
                return Outcome(_pair(main, MAJOR, MINOR, parties), shown(graded + own),
                               graded=True)
        # Graded both ways, or the lesser party also has a full fault: equal shares.
        return Outcome(_pair("A", EQUAL, EQUAL, parties),
                       (*shown(graded + faults), _from_rule(both, "A", parties)),
                       graded=False)
    if len(at_fault) == 2:
        only_mutual = all(f.rule.kind == "mutual" for f in faults)
        combined: tuple[FiredRule, ...] = () if only_mutual else (_from_rule(both, "A", parties),)
        return Outcome(_pair("A", EQUAL, EQUAL, parties), shown(faults) + combined,
                       graded=False)
    if len(at_fault) == 1:
        party = next(iter(at_fault))
        lead = faults[0].rule
        return Outcome(_pair(party, lead.result[0], lead.result[1], parties), shown(faults),
                       graded=False)
    if no_fault:
        rule = no_fault[0].rule
        return Outcome(_pair("A", rule.result[0], rule.result[1], parties), shown(no_fault[:1]),
                       graded=False)
    return None


def fact_conflicts(facts: AccidentFacts) -> tuple[FactConflict, ...]:
    """Facts in one document that cannot be relied on: claimed signals, clashing positions."""
    found: list[FactConflict] = []
    for label in facts.parties:
        if facts.vehicles[label].signal_faced == "claimed_green":
            found.append(FactConflict(f"vehicles.{label}.signal_faced",
                                      "green is claimed but not established"))
    if facts.flags.single_vehicle and "B" in facts.vehicles:
        found.append(FactConflict("flags.single_vehicle", "a single vehicle, yet B is described"))
    if len(facts.parties) == 2:
        a, b = facts.vehicles["A"].position, facts.vehicles["B"].position
        if a is not None and b is not None and _POSITION_COMPLEMENT[a] != b:
            found.append(FactConflict("vehicles.B.position",
                                      f"A says it was {a} of B, B says it was {b} of A"))
        a_from, b_from = facts.vehicles["A"].approach_from, facts.vehicles["B"].approach_from
        if a_from is not None and b_from is not None and (
            APPROACH_COMPLEMENT.get(a_from, b_from) != b_from
            or APPROACH_COMPLEMENT.get(b_from, a_from) != a_from
        ):
            found.append(FactConflict(
                "vehicles.B.approach_from",
                f"A came from B's {a_from}, yet B came from A's {b_from}"))
    return tuple(found)


def _payout(facts: AccidentFacts, liability: Mapping[PartyLabel, Level]) -> Payout | None:
    positions = positions_from_facts(facts, liability)
    if positions is None:
        return None  # an unstated loss is not a zero loss
    return compute_payout(
        positions,
        injuries=facts.flags.injuries is True or facts.flags.deaths is True,
        outside_property_damage=facts.flags.public_facility_damage is True,
    )


def settled_payout(facts: AccidentFacts, liability: Mapping[PartyLabel, Level]) -> Payout | None:
    """The payout for liability settled elsewhere (the police's levels), as the engine splits
    it; None while a loss is unstated."""
    return _payout(facts, liability)


def _pending(facts: AccidentFacts) -> dict[PartyLabel, Level]:
    return dict.fromkeys(facts.parties, PENDING)


def decide(
    facts: AccidentFacts,
    rules: RuleSet = DEFAULT_RULES,
    *,
    admitted: frozenset[str] = frozenset(),
) -> Determination:
    """Decide eligibility, route, liability and payout for one accident.

    Args:
        facts: a validated facts document (:func:`settlement.domain.facts.parse_facts`).
        rules: the compiled catalogue; the default is the current version.
        admitted: exclusions the case's jurisdiction admits to online police determination
            (:meth:`settlement.domain.jurisdiction.LocalAdmissions.admitted`).

    Returns:
        The determination. 主要/次要 is only ever *proposed*, with the route
        ``online_police_determination``; self-negotiation yields 全部/无, 同等/同等 or 无/无.
    """
    version = rules.catalogue.version
    gate = eligibility.check(facts, admitted=admitted)
    evaluation = rules.evaluate(facts)
    outcome = combine(evaluation, facts, rules)

    if not gate.allowed:
        refused_route = gate.route
        assert refused_route is not None  # noqa: S101  # refusals always carry a route
        return Determination(
            version, False, refused_route, _pending(facts), gate.refusals,
            _gate_rules(gate.refusals),
            proposed_liability=outcome.liability if outcome else None,
            proposed_rules=outcome.rules if outcome else (),
            misfits=evaluation.misfits,
        )

    if gate.admitted:
        # Online, but the parties may not settle it themselves: the police decide.
        return Determination(
            version, True, "online_police_determination", _pending(facts),
            rules=_gate_rules(gate.admitted),
            proposed_liability=outcome.liability if outcome else None,
            proposed_rules=outcome.rules if outcome else (),
            conflicts=fact_conflicts(facts), misfits=evaluation.misfits,
            admitted=gate.admitted,
        )

    conflicts = fact_conflicts(facts)
    if gate.disputed or conflicts or evaluation.misfits:
        dispute = FiredRule("G12", None, eligibility.DISPUTE_BASIS, *_DISPUTE_EXPLANATION)
        return Determination(version, True, "online_police_determination", _pending(facts),
                             rules=(dispute,), conflicts=conflicts, misfits=evaluation.misfits)

    if outcome is None:
        undetermined = FiredRule("G12", None, (eligibility.DISPUTE_BASIS[0],),
                                 *_UNDETERMINED_EXPLANATION)
        return Determination(version, True, "online_police_determination", _pending(facts),
                             rules=(undetermined,))

    route: Route = "online_police_determination" if outcome.graded else "self_negotiation"
    return Determination(version, True, route, outcome.liability, rules=outcome.rules,
                         payout=_payout(facts, outcome.liability))

