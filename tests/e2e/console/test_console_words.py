"""Every console page, rendered in Chinese, shows words and never a raw vocabulary code.

Cases are built through the drivers' use cases so that, between them, their statements use
every value of every statement vocabulary; the queue, the review pages, the confirmation,
the issued document, the dashboard, the audit trail and the staff list are then read as a
reviewer, a supervisor and an admin would, and their visible text is searched for codes.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from itertools import cycle
from typing import Any

import pytest

from settlement.domain.labels import LABELS, has_label, label
from settlement.services import schemas
from tests.e2e.console.conftest import Browserless, Console, text, version_of

pytestmark = pytest.mark.e2e

# A Python value printed as such (``str(True)``, ``str(None)``) is a code too.
PY_VALUE = re.compile(r"(?<![\w.@:/-])(?:True|False|None)(?![\w.@/-])")
CODE_WORD = re.compile(r"(?<![\w.@:/-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w.@/-])")
WORD = re.compile(r"(?<![\w.@:/-])[a-z]{3,}(?![\w.@/-])")
# Lower-case words that are codes somewhere in the vocabulary: none may show on its own.
CODES = {code for codes in LABELS.values() for code in codes if code.isascii() and code.islower()}


class _Text(HTMLParser):
    """The text a person reads (no tags, attributes, scripts or styles; ``<code>`` is a
    command to type, not words)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def raw_codes(page: str) -> set[str]:
    """Each raw code on the page, with the text around it (to find where it comes from)."""
    visible = visible_text(page)
    found = {m for m in CODE_WORD.finditer(visible)}
    found |= {m for m in PY_VALUE.finditer(visible)}
    found |= {m for m in WORD.finditer(visible) if m.group() in CODES}
    return {f"{m.group()}: …{visible[max(0, m.start() - 30):m.end() + 30]}…" for m in found}


def _enum(schema: dict[str, Any], key: str) -> list[Any]:
    prop = schema["properties"][key]
    if prop.get("type") == "boolean":
        return [True, False]
    return list(prop["enum"])


# A stated number for each numeric fact (a new one must be added here to be rendered).
NUMBERS: dict[str, list[int]] = {
    "damage_estimate_cny": [3200, 0], "commercial_third_party_cover_cny": [1_000_000, 500_000],
    "lanes_same_direction": [2, 3], "vehicle_count": [2, 3],
}  # fmt: skip


def _numeric(schema: dict[str, Any]) -> set[str]:
    return {k for k, p in schema["properties"].items() if p.get("type") in ("number", "integer")}


def statements(count: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """``count`` pairs of statements that together use every vocabulary value."""
    vehicle = {k: cycle(_enum(schemas.VEHICLE_FACTS, k))
               for k, p in schemas.VEHICLE_FACTS["properties"].items()
               if "enum" in p or p.get("type") == "boolean"}  # fmt: skip
    scene = {k: cycle(_enum(schemas.SCENE_FACTS, k))
             for k, p in schemas.SCENE_FACTS["properties"].items()
             if "enum" in p or p.get("type") == "boolean"}  # fmt: skip
    assert _numeric(schemas.VEHICLE_FACTS) | _numeric(schemas.SCENE_FACTS) == set(NUMBERS)
    vehicle |= {k: cycle(NUMBERS[k]) for k in _numeric(schemas.VEHICLE_FACTS)}
    scene |= {k: cycle(NUMBERS[k]) for k in _numeric(schemas.SCENE_FACTS)}
    flags = {k: cycle([True, False]) for k in schemas.FLAGS["properties"]}
    markings, signs = cycle(LABELS["markings"]), cycle(LABELS["signs"])
    lanes = cycle(["lane_1", "lane_2", "lane_1->lane_2"])
    pairs = []
    for _ in range(count):
        def one() -> dict[str, Any]:
            return {
                "own_vehicle": {k: next(v) for k, v in vehicle.items()} | {"lane": next(lanes)},
                "other_vehicle": {k: next(v) for k, v in vehicle.items()},
                "location": {k: next(v) for k, v in scene.items()}
                | {"markings": [next(markings)], "signs": [next(signs), next(signs)]},
                "flags": {k: next(v) for k, v in flags.items()},
                "narrative": "双方陈述",
            }
        pairs.append((one(), one()))
    return pairs


def _needed() -> int:
    longest = max(len(p.get("enum", ())) for p in (
        *schemas.VEHICLE_FACTS["properties"].values(), *schemas.SCENE_FACTS["properties"].values()
    ))  # fmt: skip
    return max(longest, len(LABELS["signs"]) // 2 + 1, len(LABELS["markings"]))


async def vocabulary_case(console: Console, index: int, a: dict[str, Any],
                          b: dict[str, Any]) -> str:  # fmt: skip
    intake = console.runtime.services.intake
    weather = list(schemas.WEATHER)
    (_, user_a), (_, user_b) = await console.driver(), await console.driver()
    case = await intake.open(user_a, {
        "occurred_at": "2026-11-30T08:00:00+08:00", "address": "深圳市南山区科技园",
        "location": {"latitude": 22.5405, "longitude": 113.9345},
        "weather": weather[index % len(weather)],
        "road_type": schemas.ROAD_TYPES[index % len(schemas.ROAD_TYPES)],
        "description": "测试事故",
    })  # fmt: skip
    invite = await intake.invite(user_a, case.id)
    await intake.join(user_b, {"code": invite.code})
    types = schemas.VEHICLE_TYPES
    for n, (user, said) in enumerate(((user_a, a), (user_b, b))):
        await intake.submit_details(user, case.id, {
            "name": "张三", "id_number": "440305198803152316", "phone": "13812345678",
            "licence_number": "440305198803152316", "licence_class": "C1",
            "plate": "粤B7K2M9", "vehicle_type": types[(2 * index + n) % len(types)],
            "insurer_code": ("PICC", "CPIC", "PING_AN")[(index + n) % 3],
            "policy_number": "PDZA202600001",
        })  # fmt: skip
        await intake.submit_statement(user, case.id, said)
    return case.id


async def test_every_console_page_speaks_chinese_for_every_vocabulary_value(
    console: Console,
) -> None:
    seeded = [await console.seed(i) for i in (0, 1, 2, 3)]
    ids = [case.id for case in seeded]
    said = statements(_needed())
    for index, (a, b) in enumerate(said):
        ids.append(await vocabulary_case(console, index, a, b))

    reviewer = Browserless(console.base_url)
    await reviewer.login("reviewer.ns")
    pages: dict[str, str] = {"/console/queue": text(await reviewer.request("GET", "/console/queue"))}
    for case_id in ids:
        path = f"/console/cases/{case_id}"
        pages[path] = text(await reviewer.request("GET", path))
    # A decision: the refusal, the confirmation and the issued document.
    target = seeded[0].id
    await reviewer.request("POST", f"/console/cases/{target}/claim",
                           {"version": version_of(pages[f"/console/cases/{target}"])})  # fmt: skip
    form = {"rule": "S01", "level_A": "全部责任", "level_B": "无责任", "reason": "未保持安全距离"}
    refused = await reviewer.request("POST", f"/console/cases/{target}/determine",
                                     {**form, "level_B": "全部责任"})  # fmt: skip
    pages["refused"] = text(refused)
    pages["confirm"] = text(await reviewer.request("POST", f"/console/cases/{target}/determine",
                                                   form))  # fmt: skip
    issued = await reviewer.request("POST", f"/console/cases/{target}/determine",
                                    {**form, "confirm": "1"})  # fmt: skip
    assert issued.code == 302
    for path in (f"/console/cases/{target}", f"/console/cases/{target}/document"):
        pages[path + "#issued"] = text(await reviewer.request("GET", path))
    await reviewer.request("POST", f"/console/cases/{target}/mediation", {"reason": "赔偿有争议"})
    pages["#mediation"] = text(await reviewer.request("GET", f"/console/cases/{target}"))
    assert "赔偿有争议" in pages["#mediation"]

    for path in ("/console/search", "/console/search?q=粤B7K2M9", f"/console/search?q={target}",
                 "/console/search?date=2026-11-30", "/console/search?date=bad"):
        pages[path] = text(await reviewer.request("GET", path))

    supervisor = Browserless(console.base_url)
    await supervisor.login("supervisor.ns")
    held = seeded[1].id
    await reviewer.request("POST", f"/console/cases/{held}/claim", {
        "version": version_of(text(await reviewer.request("GET", f"/console/cases/{held}")))})
    await supervisor.request("POST", f"/console/cases/{held}/release", {"reason": "测试释放"})
    await supervisor.request("POST", f"/console/cases/{held}/reassign",
                             {"to": "reviewer.ns2", "reason": "测试改派"})  # fmt: skip
    await reviewer.request("POST", f"/console/cases/{target}/reveal",
                           {"party": "A", "field": "phone", "reason": "联系当事人"})  # fmt: skip
    for path in ("/console/supervision", "/console/audit", "/console/audit?verify=1",
                 f"/console/audit?case_id={target}", "/console/audit?action=case.determine"):
        pages[path] = text(await supervisor.request("GET", path))
    admin = Browserless(console.base_url)
    await admin.login("admin.all")
    for path in ("/console/admin/staff", "/console/queue", "/console/supervision"):
        pages[f"{path}#admin"] = text(await admin.request("GET", path))

    problems = {path: sorted(raw_codes(page)) for path, page in pages.items() if raw_codes(page)}
    assert not problems, problems
    assert all(page for page in pages.values())
    assert_every_fact_in_words(said, " ".join(visible_text(pages[f"/console/cases/{case_id}"])
                                              for case_id in ids[len(seeded):]))


def assert_every_fact_in_words(said: list[tuple[dict[str, Any], dict[str, Any]]],
                               shown: str) -> None:  # fmt: skip
    """Each stated fact's name and each stated value is on a review page in its Chinese words
    (a fact the page left out would pass the raw-code check unnoticed)."""
    missing = set()
    for statement in (s for pair in said for s in pair):
        for section in ("own_vehicle", "other_vehicle", "location", "flags"):
            for key, value in statement[section].items():
                # (kind, code) pairs that need a label of their own
                coded = [("fact_field", key)]
                if isinstance(value, bool):
                    coded.append(("bool", str(value).lower()))
                elif isinstance(value, list):
                    coded += [(key, item) for item in value]
                elif isinstance(value, str) and key != "lane":  # a lane is numbered, not named
                    coded.append((key, value))
                words = [label(kind, code) for kind, code in coded if has_label(kind, code)]
                words += [str(value)] if isinstance(value, int) and not isinstance(value, bool) else []
                missing |= {f"{key}={value}: no label" for kind, code in coded
                            if not has_label(kind, code)}  # fmt: skip
                missing |= {f"{key}={value}: {w}" for w in words if w not in shown}
    assert not missing, sorted(missing)
