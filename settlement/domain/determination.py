"""What a police reviewer may decide: a catalogue rule and the liability levels it allows.

A determination names the rule it applies, and the rule fixes the levels: a ``fault`` or
``decisive`` rule puts one party fully at fault and the other not at all, a ``graded`` rule
splits 主要/次要, ``mutual`` and ``combination`` rules give 同等, ``no_fault`` gives 无责任
to both. A rule reads from the point of view of the party whose conduct it describes, so the
levels may stand either way round. Routing rules (the eligibility gates G1–G14, which send a
case to the police rather than decide it) are not in the catalogue and cannot be applied.

When no catalogue rule fits, the reviewer applies ``other`` and must name the legal basis:
a statute of :data:`~settlement.domain.rules.model.STATUTES` and an article in it. Any pair of
levels that stands together (程序规定第六十条) is then allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from settlement.domain.rules.catalogue import CATALOGUE
from settlement.domain.rules.model import (
    EQUAL,
    FULL,
    MAJOR,
    MINOR,
    NONE,
    PENDING,
    STATUTES,
    VALID_PAIRS,
    Catalogue,
    LegalRef,
    Level,
    Rule,
    RuleKind,
)
from settlement.errors import InvalidInput

OTHER_RULE = "other"
"""The rule id a reviewer applies when no catalogue rule fits (legal basis required)."""

DECIDABLE_LEVELS: tuple[Level, ...] = (FULL, MAJOR, EQUAL, MINOR, NONE)
PROCEDURAL_BASIS: tuple[LegalRef, ...] = (
    LegalRef("程序规定", "第20条"),
    LegalRef("程序规定", "第60条"),
)
"""Online determination under the simple procedure, and the levels it may give."""

_NUMERAL = "[一二三四五六七八九十]"
_ARTICLE = re.compile(rf"第\d{{1,3}}条(之{_NUMERAL})?(第\d{{1,2}}款)?(第\({_NUMERAL}{{1,3}}\)项)?")

_RESULT_BY_KIND: Mapping[RuleKind, frozenset[tuple[Level, Level]]] = {
    "fault": frozenset({(FULL, NONE)}),
    "decisive": frozenset({(FULL, NONE)}),
    "graded": frozenset({(MAJOR, MINOR)}),
    "mutual": frozenset({(EQUAL, EQUAL)}),
    "combination": frozenset({(EQUAL, EQUAL)}),
    "no_fault": frozenset({(NONE, NONE)}),
}


class DecisionRefused(InvalidInput):
    """A determination the rule or the law does not allow.

    ``details["reason"]`` is one of ``levels_invalid``, ``rule_required``, ``rule_unknown``,
    ``rule_routing``, ``levels_mismatch``, ``basis_required``, ``basis_unknown`` and
    ``article_invalid``: the console shows each in the page's language.
    """

    code = "DETERMINATION_REFUSED"


@dataclass(frozen=True, slots=True)
class Decision:
    """A checked determination.

    Attributes:
        rule_id: the catalogue id, or :data:`OTHER_RULE`.
        levels: party label → level.
        rule: the catalogue rule (None for ``other``).
        basis: the substantive articles (the rule's, or the one the reviewer named).
        at_fault: the party whose conduct the rule describes, when the levels differ.
    """

    rule_id: str
    levels: Mapping[str, Level]
    rule: Rule | None
    basis: tuple[LegalRef, ...]
    at_fault: str | None

    @property
    def title_zh(self) -> str:
        return self.rule.title_zh if self.rule else "其他情形"

    @property
    def text_zh(self) -> str:
        return self.rule.explanation_zh if self.rule else ""

    @property
    def substantive_basis(self) -> tuple[LegalRef, ...]:
        """The basis without the procedural articles (what the conduct breached)."""
        return tuple(ref for ref in self.basis if ref.statute != "程序规定") or self.basis


def selectable_rules(catalogue: Catalogue = CATALOGUE) -> tuple[Rule, ...]:
    """The rules a reviewer can pick from, in catalogue order."""
    return catalogue.rules


def allowed_pairs(rule: Rule) -> frozenset[tuple[Level, Level]]:
    """The (A, B) level pairs a rule allows, whichever party it is read for."""
    pairs = _RESULT_BY_KIND[rule.kind] | {rule.result}
    return frozenset(pairs | {(b, a) for a, b in pairs})


def format_ref(ref: LegalRef) -> str:
    """A legal reference as printed: the full statute title and the article."""
    return f"{STATUTES[ref.statute]}{ref.article}"


def check_decision(
    rule_id: str,
    level_a: str,
    level_b: str,
    basis_statute: str = "",
    basis_article: str = "",
    catalogue: Catalogue = CATALOGUE,
) -> Decision:
    """Check a reviewer's decision against the law and the rule it applies.

    Raises:
        DecisionRefused: the levels do not stand together, the rule is unknown or a
            routing rule, the levels are not what the rule gives, or ``other`` lacks a
            valid legal basis (``details`` name the field and the reason).
    """
    pair = (level_a, level_b)
    if pair not in VALID_PAIRS or PENDING in pair:
        raise DecisionRefused(
            "Choose liability levels that stand together (程序规定第60条).",
            field="level", reason="levels_invalid",
        )  # fmt: skip
    levels: dict[str, Level] = {"A": level_a, "B": level_b}  # type: ignore[dict-item]
    rule_id = rule_id.strip()
    if not rule_id:
        raise DecisionRefused("Choose the rule applied.", field="rule", reason="rule_required")
    if rule_id == OTHER_RULE:
        at_fault = _at_fault(levels, (FULL, NONE)) or _at_fault(levels, (MAJOR, MINOR))
        return Decision(OTHER_RULE, levels, None, (_basis(basis_statute, basis_article),),
                        at_fault)  # fmt: skip
    rule = _find(catalogue, rule_id)
    if rule is None:
        routing = re.fullmatch(r"G\d{1,2}", rule_id.upper()) is not None
        raise DecisionRefused(
            "A routing rule sends a case to the police; it does not decide liability."
            if routing else "No such rule in the catalogue.",
            field="rule", reason="rule_routing" if routing else "rule_unknown",
        )  # fmt: skip
    if pair not in allowed_pairs(rule):
        raise DecisionRefused(
            f"Rule {rule.id} gives {rule.result[0]}/{rule.result[1]}; the levels chosen differ.",
            field="level", reason="levels_mismatch", rule=rule.id,
        )  # fmt: skip
    return Decision(rule.id, levels, rule, rule.basis, _at_fault(levels, rule.result))


def _find(catalogue: Catalogue, rule_id: str) -> Rule | None:
    try:
        return catalogue.by_id(rule_id)
    except KeyError:
        return None


def _at_fault(levels: Mapping[str, Level], result: Sequence[Level]) -> str | None:
    if result[0] == result[1]:
        return None
    for label, level in levels.items():
        if level == result[0]:
            return label
    return None


def _basis(statute: str, article: str) -> LegalRef:
    statute, article = statute.strip(), article.strip().replace(" ", "")
    if not statute and not article:
        raise DecisionRefused(
            "Name the legal basis when no catalogue rule applies.",
            field="basis", reason="basis_required",
        )  # fmt: skip
    if statute not in STATUTES:
        raise DecisionRefused("Choose a statute from the list.", field="basis",
                              reason="basis_unknown")  # fmt: skip
    if not _ARTICLE.fullmatch(article):
        raise DecisionRefused(
            "Write the article as it is cited, e.g. 第43条 or 第44条第2款.",
            field="basis", reason="article_invalid",
        )  # fmt: skip
    return LegalRef(statute, article)


def determination_record(
    decision: Decision,
    note: str,
    reason: str,
    reviewer: str,
    decided_at: datetime,
    officer: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The decision as kept on the case and printed on the 事故认定书.

    ``officer`` holds the reviewer's ``name``, ``badge_number`` and ``authority`` when the
    account has them.
    """
    return {
        "levels": dict(decision.levels),
        "rule": decision.rule_id,
        "rule_title": decision.title_zh,
        "rule_text": decision.text_zh,
        "basis": [format_ref(ref) for ref in decision.substantive_basis],
        "procedural_basis": [format_ref(ref) for ref in PROCEDURAL_BASIS],
        "at_fault": decision.at_fault,
        "note": note,
        "reason": reason,
        "reviewer": reviewer,
        "officer": dict(officer or {}),
        "decided_at": decided_at,
    }
