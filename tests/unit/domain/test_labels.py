"""Every code of the domain has a Chinese and an English label (settlement.domain.labels).

The walk is driven by the code, not by the label table: every enum and every ``Literal``
vocabulary defined in ``settlement.domain``, every field of the facts document and its value
type, every photo finding, eligibility exclusion and audit action. A new one fails here until
it is labelled (and, for a new enum or Literal, mapped below to its label kind).
"""

from __future__ import annotations

import ast
import enum
import importlib
import inspect
import pkgutil
import re
import types
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import pytest

import settlement.domain
import settlement.services
from settlement import errors
from settlement.domain import eligibility, facts, labels, payout
from settlement.domain.rules import model
from settlement.services import schemas

ROOT = Path(__file__).resolve().parents[3]

# Enums and Literal vocabularies of the domain → their label kind.
ENUM_KINDS: dict[str, str] = {
    "settlement.domain.evidence.PhotoSlot": "photo_slot",
    "settlement.domain.evidence.Outcome": "photo_verdict",
    "settlement.domain.case.CaseStatus": "case_status",
    "settlement.domain.staff.Role": "staff_role",
    "settlement.domain.exchange.InsurerClaimStatus": "claim_status",
    "settlement.domain.claim.ClaimStatus": "claim_status",
    "settlement.domain.claim.Cover": "claim_cover",
    "settlement.domain.exchange.PartyRole": "dispute_party_role",
    "settlement.domain.exchange.DisputeStage": "dispute_stage",
    "settlement.domain.exchange.MediationResult": "mediation_result",
    "settlement.domain.exchange.OutboxStatus": "outbox_status",
    "settlement.domain.notices.Milestone": "notice",
    "settlement.domain.case.ReconsiderationOutcome": "reconsideration_outcome",
}
LITERAL_KINDS: dict[str, str] = {
    "settlement.domain.eligibility.Route": "route",
    "settlement.domain.payout.Cover": "payout_cover",
    "settlement.domain.rules.model.Level": "liability",
    "settlement.domain.audit.ActorKind": "actor_kind",
    "settlement.domain.audit.AuditOutcome": "audit_outcome",
    "settlement.domain.loss.Grade": "loss_grade",
    "settlement.domain.loss.Operation": "repair_operation",
    "settlement.domain.loss.Confidence": "confidence",
    "settlement.domain.facts.PartyLabel": "party",
}
# Vocabularies no person reads: rule-engine internals and the label module's own languages.
INTERNAL_LITERALS = {
    "settlement.domain.rules.model.CondOp",
    "settlement.domain.rules.model.RuleKind",
    "settlement.domain.labels.Lang",
}


def _domain_modules() -> list[types.ModuleType]:
    return [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(settlement.domain.__path__, "settlement.domain.")
    ]


def _is_literal(value: object) -> bool:
    return get_origin(value) is Literal


def _literal_in(hint: object) -> tuple[str, ...] | None:
    """The values of a ``Literal`` inside ``hint`` (``X | None`` included), if any."""
    if _is_literal(hint):
        return tuple(str(v) for v in get_args(hint))
    if get_origin(hint) in (Union, types.UnionType):
        for arg in get_args(hint):
            found = _literal_in(arg)
            if found is not None:
                return found
    return None


def _defines(source: str, name: str) -> bool:
    """Whether the module source defines ``name`` itself (not merely imports it)."""
    return re.search(rf"^{name}\s*(?::[^=]*)?=\s*Literal\[", source, re.MULTILINE) is not None


def _missing(kind: str, codes: Iterable[object]) -> list[str]:
    return [f"{kind}:{code}" for code in codes if not labels.has_label(kind, str(code))]


def test_every_pair_has_chinese_and_english() -> None:
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for kind, codes in labels.LABELS.items():
        for code, (zh, en) in codes.items():
            assert cjk.search(zh), f"{kind}:{code} zh label {zh!r} is not Chinese"
            assert re.match(r"[A-Z0-9]", en), f"{kind}:{code} en label {en!r} is not English"


def test_every_domain_enum_is_labelled() -> None:
    missing: list[str] = []
    for module in _domain_modules():
        for name, obj in vars(module).items():
            if not (isinstance(obj, type) and issubclass(obj, enum.Enum)):
                continue
            if obj.__module__ != module.__name__:
                continue
            qualified = f"{module.__name__}.{name}"
            assert qualified in ENUM_KINDS, f"{qualified}: label it and map it in ENUM_KINDS"
            kind = ENUM_KINDS[qualified]
            # An IntEnum (the photo verdict) is shown by its lower-case name.
            codes = [m.name.lower() if isinstance(m, enum.IntEnum) else m.value for m in obj]
            missing += _missing(kind, codes)
    assert not missing, f"codes without labels: {missing}"


def test_every_domain_literal_vocabulary_is_labelled() -> None:
    missing: list[str] = []
    for module in _domain_modules():
        if module is facts:
            continue  # walked field by field below
        source = inspect.getsource(module)
        for name, obj in vars(module).items():
            if not _is_literal(obj) or not _defines(source, name):
                continue
            qualified = f"{module.__name__}.{name}"
            if qualified in INTERNAL_LITERALS:
                continue
            assert qualified in LITERAL_KINDS, f"{qualified}: label it and map it in LITERAL_KINDS"
            missing += _missing(LITERAL_KINDS[qualified], get_args(obj))
    assert not missing, f"codes without labels: {missing}"


def test_every_facts_key_and_value_is_labelled() -> None:
    missing: list[str] = []
    covered: set[frozenset[str]] = set()
    for cls in (facts.Location, facts.Flags, facts.Vehicle):
        hints: dict[str, Any] = get_type_hints(cls)
        for f in fields(cls):
            missing += _missing("fact_field", [f.name])
            values = _literal_in(hints[f.name])
            if values is not None:
                covered.add(frozenset(values))
                # The kind of a value is the key it belongs to.
                missing += _missing("party" if f.name == "label" else f.name, values)
    missing += _missing("site_features", get_args(facts.SiteFeature))
    covered.add(frozenset(get_args(facts.SiteFeature)))
    for name, obj in vars(facts).items():
        if _is_literal(obj):
            assert frozenset(get_args(obj)) in covered, (
                f"facts.{name} is not the type of any facts field; label it here"
            )
    assert not missing, f"codes without labels: {missing}"


def test_every_photo_finding_is_labelled() -> None:
    source = (ROOT / "settlement/domain/evidence.py").read_text(encoding="utf-8")
    codes: set[str] = set()
    places = re.findall(r'_judge_place\(\s*"([A-Z]+)"', source)
    assert places, "the photo findings moved: update this walk"
    for is_template, code in re.findall(r'_reason\(\s*(f?)"([^"]+)"', source):
        if is_template:
            codes |= {code.replace("{label}", place) for place in places}
        else:
            codes.add(code)
    assert len(codes) >= 10, "the photo findings moved: update this walk"
    assert not _missing("photo_flag", sorted(codes))


def test_every_eligibility_reason_and_statute_is_labelled() -> None:
    assert not _missing("refusal_reason", [e.reason for e in eligibility.EXCLUSIONS])
    assert not _missing("statute", model.STATUTES)
    assert not _missing("payout_cover", get_args(payout.Cover))
    assert not _missing("weather", schemas.WEATHER)


def _audit_actions() -> set[str]:
    """Dotted action names passed to the audit trail anywhere in the code."""
    audit_calls = {"_staff_event", "staff_event", "_event", "_visible", "visible", "_act", "act",
                   "_assign", "AuditEvent", "driver_event", "_update", "_apply", "_change", "_send",
                   "record_read"}  # fmt: skip
    dotted = re.compile(r"[a-z_]+\.[a-z_]+")
    found: set[str] = set()
    for base in ("settlement", "adapters"):
        for path in (ROOT / base).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                values: list[ast.expr] = [k.value for k in node.keywords if k.arg == "action"]
                if name in audit_calls:
                    values += list(node.args)
                for value in values:
                    if (
                        isinstance(value, ast.Constant)
                        and isinstance(value.value, str)
                        and dotted.fullmatch(value.value)
                    ):
                        found.add(value.value)
    return found


def test_every_audit_action_is_labelled() -> None:
    actions = _audit_actions()
    assert {"auth.login", "case.determine", "photo.view"} <= actions
    assert not _missing("audit_action", sorted(actions))
    # Actions named after their entry point read as their family.
    assert labels.label("audit_action", "api.Proposal.post", "en") == "API call"


def _error_codes(cls: type[errors.SettlementError]) -> set[str]:
    found = {cls.code}
    for sub in cls.__subclasses__():
        found |= _error_codes(sub)
    return found


def test_every_error_code_is_labelled() -> None:
    # Audit entries record refusals by these codes; the console shows them in words.
    for package in (settlement.domain, settlement.services):  # errors defined beside the rules
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(info.name)
    codes = _error_codes(errors.SettlementError) - {errors.SettlementError.code}
    assert {"INVALID_LOGIN_CODE", "UPSTREAM_UNAVAILABLE", "RATE_LIMITED"} <= codes
    assert not _missing("error_code", sorted(codes))


@pytest.mark.parametrize(
    ("kind", "code", "lang", "expected"),
    [
        ("manoeuvre", "left_turn", "zh", "左转"),
        ("manoeuvre", "left_turn", "en", "Turning left"),
        ("fact_field", "approach_from", "zh", "来车方向"),
        ("liability", "同等责任", "en", "Equal liability"),
        ("case_status", "police_review", "fr", "待交警认定"),  # unknown language: Chinese
        ("manoeuvre", "moonwalk", "en", "moonwalk"),  # a gap shows the code
        ("no_such_kind", "x", "zh", "x"),
    ],
)
def test_label_lookup(kind: str, code: str, lang: str, expected: str) -> None:
    assert labels.label(kind, code, lang) == expected


def test_all_labels_is_a_json_copy() -> None:
    first = labels.all_labels()
    assert first["photo_slot"]["side_front"] == {"zh": "侧前方", "en": "Side-front view"}
    first["photo_slot"]["side_front"]["zh"] = "changed"
    assert labels.all_labels()["photo_slot"]["side_front"]["zh"] == "侧前方"
    assert set(first) == set(labels.KINDS)
