"""The eligibility gate for online quick handling (快处快赔), research notes §1.5 (G1–G15, G16).

Each exclusion is data: what triggers it, its legal basis, where it sends the parties (the
*route*) and what the driver should do right now, in Chinese and English. :func:`check` reads
a validated :class:`~settlement.domain.facts.AccidentFacts` and returns every exclusion that
applies; the most urgent route wins (stay and call the police > move then report > report to
the police or insurer).

A disputed account of the facts (G12) is not a refusal: quick handling stays open, but
liability is left to online police determination (程序规定第20条).

Only facts stated as true (or, for a licence or insurance, stated as false) trigger an
exclusion; an unstated fact does not, because the intake form must ask for it first.

Online quick handling covers two motor vehicles only (G15, G16): a non-motor party (e-bike,
bicycle, pedestrian) or more than two vehicles leaves self-negotiation. Those two exclusions
are *admissible*: where local rules allow it, a jurisdiction admits them to online police
determination (:func:`check` ``admitted``; see :mod:`settlement.domain.jurisdiction`), so the
case stays online but only the police may decide it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from settlement.domain.facts import (
    MAX_VEHICLE_COUNT,
    NON_MOTOR_TYPES,
    AccidentFacts,
    PartyLabel,
    Vehicle,
    attribute_reader,
)
from settlement.domain.rules.model import LegalRef

Route = Literal[
    "self_negotiation",
    "online_police_determination",
    "call_police_stay_at_scene",
    "move_then_report_police",
    "report_to_police_or_insurer",
]

# Higher wins when several exclusions apply at once.
_URGENCY: dict[Route, int] = {
    "call_police_stay_at_scene": 3,
    "move_then_report_police": 2,
    "report_to_police_or_insurer": 1,
}

ROUTE_GUIDANCE: dict[Route, tuple[str, str]] = {
    "self_negotiation": (
        "拍照固定证据后立即撤离现场，在线填写并签署自行协商协议书。",
        "Take the photos, clear the road at once, then fill in and sign the self-negotiation "
        "agreement online.",
    ),
    "online_police_determination": (
        "拍照固定证据后撤离现场，双方在线共同申请交警认定责任，无需在现场等待。",
        "Take the photos and clear the road; then apply together online for the police to "
        "decide liability. You need not wait at the scene.",
    ),
    "call_police_stay_at_scene": (
        "请立即拨打122报警，保护现场，不要移动车辆，等待交警到场。",
        "Call the police on 122 now, keep the scene as it is, do not move the vehicles and wait "
        "for the officers.",
    ),
    "move_then_report_police": (
        "请拍照或标划车辆位置固定证据，将车辆移至不妨碍交通的地点，然后报警。",
        "Take photos or mark the positions, move the vehicles out of the traffic, then call "
        "the police.",
    ),
    "report_to_police_or_insurer": (
        "本事故不能通过线上快处处理；请拍照固定证据、移车后向保险公司报案，必要时报警。",
        "This accident cannot be handled online; take photos, move the vehicle, then report "
        "it to your insurer, and to the police if needed.",
    ),
}


@dataclass(frozen=True, slots=True)
class Trigger:
    """A fact value that triggers an exclusion: ``scope.field`` equals one of ``values``."""

    scope: Literal["flags", "location", "vehicle"]
    field: str
    values: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Exclusion:
    """One gate entry.

    Attributes:
        reason: the refusal code clients see (``refusal_reasons``).
        gate: the gate number in the research notes (G1…G15); G16 (more than two
            vehicles) comes from the facts document.
        triggers: any one of these triggers the exclusion.
        route: where the parties go instead of self-negotiation.
        basis: statutes and articles.
        advice_zh / advice_en: what the driver should do now, in plain words.
        unless: a reason code that, applying to the same party, makes this one redundant.
        admissible: a jurisdiction may admit the case to online police determination
            despite this exclusion (local rules for non-motor parties and several vehicles).
    """

    reason: str
    gate: str
    triggers: tuple[Trigger, ...]
    route: Route
    basis: tuple[LegalRef, ...]
    advice_zh: str
    advice_en: str
    unless: str | None = None
    admissible: bool = False


def _flag(name: str) -> tuple[Trigger, ...]:
    return (Trigger("flags", name, (True,)),)


def _vehicle(name: str, *values: object) -> Trigger:
    return Trigger("vehicle", name, values)


_STAY: Route = "call_police_stay_at_scene"
_MOVE: Route = "move_then_report_police"
_INSURER: Route = "report_to_police_or_insurer"

EXCLUSIONS: tuple[Exclusion, ...] = (
    Exclusion(
        "death", "G1", _flag("deaths"), _STAY,
        (LegalRef("道交法", "第70条第1款"), LegalRef("程序规定", "第13条第1款")),
        "有人员死亡：立即拨打122和120，保护现场，不得移动车辆。",
        "Someone has died: call 122 and 120 at once, keep the scene and do not move the "
        "vehicles.",
    ),
    Exclusion(
        "injury", "G1", _flag("injuries"), _STAY,
        (LegalRef("道交法", "第70条第1款"), LegalRef("实施条例", "第86条"),
         LegalRef("程序规定", "第13条第1款"), LegalRef("程序规定", "第23条")),
        "有人受伤：先救助伤员（必要时拨打120），立即拨打122报警并保护现场；"
        "伤情轻微且各方同意的，由交警决定是否适用简易程序。",
        "Someone is hurt: help them first (call 120 if needed), call the police on 122 and keep "
        "the scene. If the injury is minor and everyone agrees, the officers decide whether "
        "the simple procedure applies.",
    ),
    Exclusion(
        "no_valid_licence", "G2",
        (_vehicle("driver_licence_valid", False), _vehicle("licence_class_matches", False)),
        _STAY, (LegalRef("程序规定", "第13条第1款第(一)项"),),
        "驾驶人无有效驾驶证或准驾车型不符：请报警并在现场等候。",
        "A driver has no valid licence, or not for this class of vehicle: call the police and "
        "wait at the scene.",
    ),
    Exclusion(
        "alcohol_or_drugs_suspected", "G3", (_vehicle("alcohol_or_drugs_suspected", True),),
        _STAY, (LegalRef("程序规定", "第13条第1款第(二)项"), LegalRef("实施条例", "第104条")),
        "驾驶人疑似饮酒或服用毒品、精神药品：请报警并在现场等候检测。",
        "A driver may have been drinking or taking drugs: call the police and wait at the scene "
        "for the test.",
    ),
    Exclusion(
        "overload_or_severe_speeding_suspected", "G4",
        (_vehicle("passenger_overload_or_severe_speeding_suspected", True),),
        _STAY, (LegalRef("程序规定", "第13条第1款第(三)项"),),
        "疑似校车或客运车辆严重超员、或严重超速：请报警并在现场等候。",
        "A school or passenger vehicle may be seriously overloaded, or a vehicle was seriously "
        "speeding: call the police and wait at the scene.",
    ),
    Exclusion(
        "no_plate", "G5", (_vehicle("plate", "none", "forged"),),
        _STAY, (LegalRef("程序规定", "第13条第1款第(四)项"),),
        "车辆无号牌或号牌疑似伪造、变造：请报警并在现场等候。",
        "A vehicle has no number plate, or a false one: call the police and wait at the scene.",
    ),
    Exclusion(
        "vehicle_not_movable", "G6", (_vehicle("movable", False),),
        _STAY, (LegalRef("程序规定", "第13条第1款第(五)项"),),
        "车辆无法自行移动：开启危险报警闪光灯、在车后放置警告标志，人员撤至安全处后报警。",
        "A vehicle cannot be moved: switch on the hazard lights, set the warning triangle behind "
        "it, get everyone to a safe place and call the police.",
    ),
    Exclusion(
        "party_left_scene", "G7", _flag("party_left_scene"),
        _STAY, (LegalRef("程序规定", "第13条第1款第(六)项"), LegalRef("实施条例", "第92条")),
        "对方已驾车离开现场：记下号牌、车型和离开方向，保护现场并立即报警。",
        "The other driver has left: note the plate, the model and where it went, keep the scene "
        "and call the police now.",
    ),
    Exclusion(
        "intentional_collision_evidence", "G8", _flag("intentional_evidence"),
        _STAY, (LegalRef("程序规定", "第13条第1款第(七)项"), LegalRef("程序规定", "第60条第2款")),
        "有证据表明碰撞系故意造成：保留行车记录仪等证据，立即报警并在现场等候。",
        "There is evidence the crash was deliberate: keep the dashcam footage and other "
        "evidence, call the police and wait at the scene.",
    ),
    Exclusion(
        "dangerous_goods_vehicle", "G11",
        (_vehicle("carrying_dangerous_goods", True), _vehicle("type", "hazmat_tanker")),
        _STAY, (LegalRef("程序规定", "第15条"),),
        "涉及危险物品运输车辆：远离车辆，立即拨打122报警并说明危险物品情况。",
        "A vehicle carrying dangerous goods is involved: keep away from it and call 122 now, "
        "saying what it carries.",
    ),
    Exclusion(
        "crime_suspected", "G14", _flag("crime_suspected"),
        _STAY, (LegalRef("程序规定", "第23条"),),
        "涉嫌交通肇事罪或危险驾驶罪：请报警并在现场等候。",
        "A traffic crime or dangerous driving is suspected: call the police and wait at the "
        "scene.",
    ),
    Exclusion(
        "no_compulsory_insurance", "G9", (_vehicle("jqx_insured", False),),
        _MOVE, (LegalRef("程序规定", "第14条第1款第(一)项"), LegalRef("12123快处条件", "")),
        "有车辆未投保交强险：拍照固定证据、移车至安全处后报警，不能通过线上快处处理。",
        "A vehicle has no compulsory (交强险) insurance: take photos, move the cars to a safe "
        "place and then call the police; online quick handling is not available.",
    ),
    Exclusion(
        "no_insurance_sticker", "G9", (_vehicle("insurance_sticker_or_e_policy", False),),
        _MOVE, (LegalRef("程序规定", "第14条第1款第(一)项"),),
        "车辆无保险标志或电子保单：拍照固定证据、移车后报警。",
        "A vehicle shows no insurance sticker or e-policy: take photos, move the cars, then "
        "call the police.",
        unless="no_compulsory_insurance",
    ),
    Exclusion(
        "no_inspection_pass", "G9", (_vehicle("inspection_valid", False),),
        _MOVE, (LegalRef("程序规定", "第14条第1款第(一)项"),),
        "车辆无有效检验合格标志：拍照固定证据、移车后报警。",
        "A vehicle has no valid inspection pass: take photos, move the cars, then call the "
        "police.",
    ),
    Exclusion(
        "public_facility_damage", "G10", _flag("public_facility_damage"),
        _MOVE, (LegalRef("程序规定", "第14条第1款第(二)项"), LegalRef("实施条例", "第88条")),
        "碰撞了建筑物、护栏、标志杆等公共设施：拍照固定证据，能移动的先移车，然后报警等候处理。",
        "A building, guardrail, sign post or other facility was hit: take photos, move the cars "
        "if they can be moved, then call the police and wait for them.",
    ),
    Exclusion(
        "non_motor_party", "G15", (_vehicle("type", *sorted(NON_MOTOR_TYPES)),),
        _MOVE, (LegalRef("程序规定", "第19条"), LegalRef("实施条例", "第87条"),
                LegalRef("12123快处条件", "")),
        "涉及非机动车或行人，不能线上自行协商：拍照固定证据、移至安全处后报警，由交警处理。",
        "A bicycle, e-bike or pedestrian is involved, so the parties cannot settle online "
        "themselves: take photos, move to a safe place and call the police.",
        admissible=True,
    ),
    Exclusion(
        "more_than_two_vehicles", "G16",
        (Trigger("location", "vehicle_count", tuple(range(3, MAX_VEHICLE_COUNT + 1))),),
        _MOVE, (LegalRef("程序规定", "第19条"), LegalRef("12123快处条件", "")),
        "三辆及以上车辆的事故不能线上自行协商：拍照固定证据、移车至安全处后报警，由交警处理。",
        "Three or more vehicles are involved, so the parties cannot settle online themselves: "
        "take photos, move the vehicles to a safe place and call the police.",
        admissible=True,
    ),
    Exclusion(
        "single_vehicle", "G13", _flag("single_vehicle"),
        _INSURER, (LegalRef("程序规定", "第19条"), LegalRef("12123快处条件", "")),
        "单车事故不能线上快处：拍照固定证据、移车后向保险公司报案；损坏公共设施的还应报警。",
        "A single-vehicle accident cannot be handled online: take photos, move the car and "
        "report to your insurer; call the police too if public property was damaged.",
    ),
)

DISPUTE_BASIS: tuple[LegalRef, ...] = (
    LegalRef("程序规定", "第20条"),
    LegalRef("实施条例", "第86条"),
    LegalRef("道交法", "第70条第2款"),
)


@dataclass(frozen=True, slots=True)
class Refusal:
    """An exclusion that applies; ``parties`` is empty for a scene-level fact."""

    exclusion: Exclusion
    parties: tuple[PartyLabel, ...]

    @property
    def reason(self) -> str:
        """The refusal code."""
        return self.exclusion.reason


@dataclass(frozen=True, slots=True)
class Eligibility:
    """The gate's answer.

    Attributes:
        refusals: every exclusion that applies, in gate order.
        disputed: the parties dispute the facts (G12): no self-agreed liability.
        admitted: exclusions the jurisdiction admits to online police determination; the
            case stays online, but only the police decide it.
    """

    refusals: tuple[Refusal, ...]
    disputed: bool
    admitted: tuple[Refusal, ...] = ()

    @property
    def allowed(self) -> bool:
        """True when no exclusion applies (online handling may go on)."""
        return not self.refusals

    @property
    def route(self) -> Route | None:
        """The most urgent route among the refusals, or ``None`` when allowed."""
        if not self.refusals:
            return None
        return max((r.exclusion.route for r in self.refusals), key=_URGENCY.__getitem__)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Refusal codes, in gate order, without repeats."""
        return tuple(dict.fromkeys(r.reason for r in self.refusals))


_Check = tuple[str, str, frozenset[object]]


@dataclass(frozen=True, slots=True)
class _Table:
    """A gate table compiled for checking.

    ``entries`` are the exclusions in gate order with their scene and vehicle checks;
    ``scene`` and ``vehicle`` read every triggering fact at once, and ``scene_values`` /
    ``vehicle_values`` hold the matching sets in the same order, for a quick screen: most
    documents trigger nothing, and then the gate is answered without walking its entries.
    """

    entries: tuple[tuple[Exclusion, tuple[_Check, ...], tuple[_Check, ...]], ...]
    scene: Callable[[AccidentFacts], tuple[object, ...]]
    scene_values: tuple[frozenset[object], ...]
    vehicle: Callable[[Vehicle], tuple[object, ...]]
    vehicle_values: tuple[frozenset[object], ...]

    def triggers_any(self, facts: AccidentFacts, vehicles: list[Vehicle]) -> bool:
        """True when some fact has a triggering value (the entries then say which)."""
        if any(map(frozenset.__contains__, self.scene_values, self.scene(facts))):
            return True
        return any(any(map(frozenset.__contains__, self.vehicle_values, self.vehicle(v)))
                   for v in vehicles)


def _compile(exclusions: tuple[Exclusion, ...]) -> _Table:
    # Sets, not the tuples as written: an unstated (None) fact is looked up, not scanned for.
    def checks(e: Exclusion, vehicle: bool) -> tuple[_Check, ...]:
        return tuple((t.scope, t.field, frozenset(t.values)) for t in e.triggers
                     if (t.scope == "vehicle") is vehicle)

    entries = tuple((e, checks(e, False), checks(e, True)) for e in exclusions)
    scene = [(f"{scope}.{name}", values) for _, found, _ in entries
             for scope, name, values in found]
    vehicle = [(name, values) for _, _, found in entries for _, name, values in found]
    return _Table(
        entries,
        attribute_reader([path for path, _ in scene]),
        tuple(values for _, values in scene),
        attribute_reader([name for name, _ in vehicle]),
        tuple(values for _, values in vehicle),
    )


_COMPILED = _compile(EXCLUSIONS)


def check(
    facts: AccidentFacts,
    exclusions: tuple[Exclusion, ...] = EXCLUSIONS,
    *,
    admitted: frozenset[str] = frozenset(),
) -> Eligibility:
    """Apply the eligibility gate.

    Args:
        facts: a validated facts document.
        exclusions: the gate table (the default is the national one above).
        admitted: reason codes of admissible exclusions the jurisdiction admits to online
            police determination (other codes are ignored: they never apply).

    Returns:
        All applicable exclusions and whether the facts are disputed.
    """
    table = _COMPILED if exclusions is EXCLUSIONS else _compile(exclusions)
    flags, location = facts.flags, facts.location
    disputed = flags.dispute_on_facts is True
    vehicles: list[Vehicle] = [facts.vehicles[label] for label in facts.parties]
    if not table.triggers_any(facts, vehicles):
        return Eligibility((), disputed)
    refusals: list[Refusal] = []
    hits: dict[str, tuple[PartyLabel, ...]] = {}
    for exclusion, scene_triggers, vehicle_triggers in table.entries:
        scene = False
        for scope, name, values in scene_triggers:
            if getattr(flags if scope == "flags" else location, name) in values:
                scene = True
        parties: tuple[PartyLabel, ...] = ()
        if vehicle_triggers:
            covered = hits.get(exclusion.unless, ()) if exclusion.unless else ()
            for vehicle in vehicles:
                if vehicle.label in covered:
                    continue
                for _, name, values in vehicle_triggers:
                    if getattr(vehicle, name) in values:
                        parties += (vehicle.label,)
                        break
        if scene or parties:
            hits[exclusion.reason] = parties
            refusals.append(Refusal(exclusion, parties))
    if not (admitted and refusals):
        return Eligibility(tuple(refusals), disputed)
    admits = tuple(r for r in refusals if r.exclusion.admissible and r.reason in admitted)
    kept = tuple(r for r in refusals if r not in admits)
    return Eligibility(kept, disputed, admits)
