"""Vocabulary of the rule catalogue: liability levels, legal references, conditions, rules.

Conditions are small frozen values (:class:`Cond`) built with the helper functions below and
compiled once into closures by :mod:`settlement.domain.rules.evaluate`. A rule is read from the
point of view of one party ("self") against the other ("other"); the engine tries both ways
round, so every rule is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Level = Literal["全部责任", "主要责任", "同等责任", "次要责任", "无责任", "待交警认定"]
FULL: Level = "全部责任"
MAJOR: Level = "主要责任"
EQUAL: Level = "同等责任"
MINOR: Level = "次要责任"
NONE: Level = "无责任"
PENDING: Level = "待交警认定"

# Which pairs of levels may stand together for two parties (程序规定第60条).
VALID_PAIRS: frozenset[tuple[Level, Level]] = frozenset(
    {
        (FULL, NONE),
        (NONE, FULL),
        (EQUAL, EQUAL),
        (MAJOR, MINOR),
        (MINOR, MAJOR),
        (NONE, NONE),
        (PENDING, PENDING),
    }
)

STATUTES: dict[str, str] = {
    "道交法": "《中华人民共和国道路交通安全法》(2021年修正)",
    "实施条例": "《中华人民共和国道路交通安全法实施条例》(2017年修订)",
    "程序规定": "《道路交通事故处理程序规定》(公安部令第146号)",
    "交强险条例": "《机动车交通事故责任强制保险条例》(2019年修订)",
    "商业险示范条款": "《机动车综合商业保险示范条款》(2014版)",
    "互碰自赔办法": "中国保险行业协会《交强险财产损失“互碰自赔”处理办法》",
    "交强险理赔实务规程": "《交强险理赔实务规程》",
    "12123快处条件": "交管12123“事故快处”受理条件",
}


@dataclass(frozen=True, slots=True)
class LegalRef:
    """One legal basis: a statute (short name, a key of :data:`STATUTES`) and an article.

    ``article`` is written as it is cited, e.g. ``"第44条第2款"`` or ``"第13条第1款第(五)项"``.
    """

    statute: str
    article: str

    def __post_init__(self) -> None:
        if self.statute not in STATUTES:
            raise ValueError(f"unknown statute {self.statute!r}")

    def __str__(self) -> str:
        return f"{self.statute}{self.article}"


CondOp = Literal["in", "not_in", "true", "not_true", "false", "has", "same", "all", "any", "none"]


@dataclass(frozen=True, slots=True)
class Cond:
    """A declarative condition over one perspective of the facts.

    ``path`` is ``self.<field>``, ``other.<field>``, ``loc.<field>`` or ``flags.<field>``;
    ``self.signs``/``other.signs`` are the signs binding that party. An unstated fact
    (``None``) never satisfies ``in``/``true``/``false``/``has`` and always satisfies
    ``not_in``/``not_true``.
    """

    op: CondOp
    path: str = ""
    values: frozenset[str] = frozenset()
    other_path: str = ""
    parts: tuple[Cond, ...] = ()


def is_(path: str, *values: str | frozenset[str]) -> Cond:
    """``path`` is one of ``values`` (strings or sets of strings, flattened)."""
    return Cond("in", path, _flatten(values))


def is_not(path: str, *values: str | frozenset[str]) -> Cond:
    """``path`` is not one of ``values``, or is not stated."""
    return Cond("not_in", path, _flatten(values))


def true(path: str) -> Cond:
    """``path`` is stated as true."""
    return Cond("true", path)


def not_true(path: str) -> Cond:
    """``path`` is false or not stated."""
    return Cond("not_true", path)


def false(path: str) -> Cond:
    """``path`` is stated as false (not merely unstated)."""
    return Cond("false", path)


def has(path: str, *values: str) -> Cond:
    """The set at ``path`` contains at least one of ``values``."""
    return Cond("has", path, frozenset(values))


def same_if_stated(path: str, other_path: str) -> Cond:
    """The two paths are equal, or at least one of them is not stated."""
    return Cond("same", path, other_path=other_path)


def all_of(*parts: Cond) -> Cond:
    """Every part holds."""
    return Cond("all", parts=parts)


def any_of(*parts: Cond) -> Cond:
    """At least one part holds."""
    return Cond("any", parts=parts)


def none_of(*parts: Cond) -> Cond:
    """No part holds."""
    return Cond("none", parts=parts)


def _flatten(values: tuple[str | frozenset[str], ...]) -> frozenset[str]:
    out: set[str] = set()
    for value in values:
        if isinstance(value, str):
            out.add(value)
        else:
            out |= value
    return frozenset(out)


RuleKind = Literal["fault", "mutual", "graded", "decisive", "no_fault", "combination"]


@dataclass(frozen=True, slots=True)
class CollisionParts:
    """The damage locations (碰撞部位) a rule's scenario can produce on each vehicle (§2.5).

    A stated location outside the set (``"none"`` is always accepted) means the claimed
    manoeuvre does not fit the damage, so the rule does not fire and a misfit is reported.
    """

    self_parts: frozenset[str]
    other_parts: frozenset[str]


@dataclass(frozen=True, slots=True)
class Rule:
    """One catalogue entry.

    Attributes:
        id: stable identifier (``S01``…``S47``, ``RE1``…``RE6``).
        kind: ``fault`` — self has a listed fault (result 全部/无 unless the other has one
            too); ``mutual`` — a scenario that by itself puts both at fault (同等);
            ``graded`` — a 主要/次要 split only the police may confirm; ``decisive`` — the
            result stands whatever else fired (intent, flight, single vehicle); ``no_fault``
            — nobody at fault; ``combination`` — applied when both parties have faults.
        when: conditions that must all hold, read with self = the party the result names first.
        result: (self's level, other's level).
        basis: statutes and articles the rule rests on.
        reliability: the source grade of the research notes (A primary text … U unconfirmed).
        supersedes: ids of rules this more specific rule replaces for the same party.
        parts: optional collision-part pattern checked against stated damage.
    """

    id: str
    kind: RuleKind
    title_zh: str
    title_en: str
    when: tuple[Cond, ...]
    result: tuple[Level, Level]
    basis: tuple[LegalRef, ...]
    explanation_zh: str
    explanation_en: str
    reliability: Literal["A", "B", "C", "U"] = "B"
    supersedes: frozenset[str] = field(default_factory=frozenset)
    parts: CollisionParts | None = None


@dataclass(frozen=True, slots=True)
class Catalogue:
    """A versioned, ordered set of rules. Order decides which ``decisive`` rule wins."""

    version: str
    rules: tuple[Rule, ...]

    def by_id(self, rule_id: str) -> Rule:
        """The rule with ``rule_id``.

        Raises:
            KeyError: no such rule in this catalogue version.
        """
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)
