"""The scenario → liability catalogue (S01–S48) and the rear-end refinements (RE1–RE6), as data.

Each rule is read with *self* = the party whose conduct the scenario describes. Unless a rule
says otherwise its result is self 全部责任 / other 无责任; when both parties have a listed fault
the engine applies S47 (同等). Statute articles follow the research notes (§2.2, §2.3); the
``reliability`` grade is theirs too ([A] primary text … [U] unconfirmed).

Bump :data:`CATALOGUE_VERSION` whenever a rule's conditions, result or basis change: stored
determinations carry the version they were made under.
"""

from __future__ import annotations

from settlement.domain.rules.model import (
    EQUAL,
    FULL,
    MAJOR,
    MINOR,
    NONE,
    Catalogue,
    CollisionParts,
    Cond,
    LegalRef,
    Rule,
    all_of,
    any_of,
    false,
    has,
    is_,
    is_not,
    none_of,
    not_true,
    same_if_stated,
    true,
)

CATALOGUE_VERSION = "cn-quick-liability/2025.3"

# --- groups of facts the rules share ----------------------------------------------------

STRAIGHT = frozenset({"straight", "straight_on_major_road", "straight_from_minor_road"})
STOPPED = frozenset(
    {"stationary", "stopped_in_queue", "stopped_broken_down_in_lane", "parked_lawfully_unattended"}
)
REVERSING = frozenset({"reversing", "reversing_out_of_bay"})
LANE_CHANGES = frozenset({"lane_change_left", "lane_change_right", "lane_change_into_bus_lane"})
OVERTAKING = frozenset({"overtaking", "overtaking_on_right", "overtaking_across_centre_line"})
TURNS = frozenset({"left_turn", "right_turn"})
# Vehicles going about their way that others must yield to.
PROCEEDING = STRAIGHT | {"stationary", "stopped_in_queue"}
# Everything that moves under its own power (a door opens on a stopped car).
MOVING = frozenset(
    {
        *STRAIGHT,
        *REVERSING,
        *LANE_CHANGES,
        *OVERTAKING,
        *TURNS,
        "rolling_back",
        "cutting_into_queue",
        "u_turn",
        "wrong_way",
        "entering_roundabout",
        "circulating_in_roundabout",
        "merging_from_ramp",
        "entering_road_from_private_access",
        "pulling_out_from_parking",
        "parking_in",
        "deliberate_sudden_braking",
    }
)
# What a car ahead in the same lane may be doing when it is hit from behind (IRSA case 10 too).
AHEAD_IN_LANE = STRAIGHT | TURNS | {
    "stationary",
    "stopped_in_queue",
    "stopped_broken_down_in_lane",
    "deliberate_sudden_braking",
    "parking_in",
}
SIGNALISED = frozenset({"signalized", "signalized_no_arrow", "signalized_with_guide_lanes"})
JUNCTIONS = SIGNALISED | {
    "uncontrolled_no_signs",
    "uncontrolled_with_priority_signs",
    "roundabout",
    "side_road_junction",
}
GREEN = frozenset({"green", "green_arrow_left"})

FRONTISH = frozenset(
    {
        "front",
        "left_front",
        "right_front",
        "left_front_corner",
        "left_side_and_front",
        "front_structural",
        "bonnet_windscreen",
    }
)
REARISH = frozenset({"rear", "left_rear", "right_rear"})
SIDES = frozenset(
    {
        "left_side",
        "right_side",
        "left_front_door",
        "right_rear_door",
        "left_side_and_front",
        "left_front",
        "right_front",
        "left_rear",
        "right_rear",
        "left_front_corner",
    }
)
ANY_PART = FRONTISH | REARISH | SIDES

# --- reusable condition blocks ----------------------------------------------------------

# A load that fell or spilled from a vehicle onto the other (道交法第48条, S41); the parser
# reads the older key ``load_spilled`` into ``load_shed``.
SHED_LOAD = true("self.load_shed")
OTHER_SHED_LOAD = true("other.load_shed")
# The other vehicle came from self's right (让右方来车先行), as either party states it.
OTHER_FROM_RIGHT = any_of(
    is_("other.approach_from", "right"),
    is_("self.approach_from", "left"),
    is_("other.position", "from_right"),
    is_("self.position", "from_left"),
)
OPPOSING = any_of(
    is_("other.approach_from", "opposite"),
    is_("self.approach_from", "opposite"),
    is_("other.position", "oncoming"),
    is_("self.position", "oncoming"),
)

# Self's front met other's rear while other was ahead in the same lane (and no load the
# vehicle ahead shed caused it: then S41 decides).
REAR_END: tuple[Cond, ...] = (
    is_("self.manoeuvre", STRAIGHT),
    any_of(
        all_of(is_("self.damage_location", FRONTISH), is_("other.damage_location", REARISH)),
        is_("self.position", "behind"),
        is_("other.position", "ahead"),
    ),
    same_if_stated("self.lane_to", "other.lane_to"),
    none_of(OTHER_SHED_LOAD),  # last: rarely reached, so it costs the hot path nothing
)
REAR_END_PARTS = CollisionParts(FRONTISH, REARISH)
# Self moved backwards into a vehicle behind it.
BACKWARDS_INTO_FOLLOWER = any_of(
    is_("other.damage_location", FRONTISH),
    is_("other.position", "behind"),
    is_("self.position", "ahead"),
)
UTURN_FORBIDDEN = any_of(
    false("loc.u_turn_permitted"),
    has("self.signs", "no_u_turn", "no_left_turn"),
    has("loc.site_features", "crosswalk", "narrow_bridge", "sharp_bend", "steep_slope", "tunnel",
        "level_crossing"),
)
GUIDE_LANE_BROKEN = any_of(
    all_of(is_("self.lane_from", "left_turn_only_lane"), is_not("self.manoeuvre", "left_turn",
                                                                  "u_turn")),
    all_of(is_("self.lane_from", "right_turn_only_lane"), is_not("self.manoeuvre", "right_turn")),
    all_of(is_("self.lane_from", "straight_only_lane"), is_not("self.manoeuvre", STRAIGHT)),
)
GIVE_WAY_SIGNS = ("stop_sign", "give_way", "yield")
BOUND_TO_GIVE_WAY = any_of(
    has("self.signs", *GIVE_WAY_SIGNS), is_("self.signal_faced", "stop_sign")
)
OTHER_BOUND_TO_GIVE_WAY = any_of(
    has("other.signs", *GIVE_WAY_SIGNS), is_("other.signal_faced", "stop_sign")
)
ENTERED_FIRST = all_of(true("self.entered_narrow_section_first"),
                       not_true("other.entered_narrow_section_first"))
OTHER_ENTERED_FIRST = all_of(true("other.entered_narrow_section_first"),
                             not_true("self.entered_narrow_section_first"))


def _ref(statute: str, article: str) -> LegalRef:
    return LegalRef(statute, article)


def _rule(
    rule_id: str,
    title_zh: str,
    title_en: str,
    when: tuple[Cond, ...],
    basis: tuple[LegalRef, ...],
    explanation_zh: str,
    explanation_en: str,
    **extra: object,
) -> Rule:
    """A ``fault`` rule (self 全部 / other 无) unless ``extra`` overrides kind or result."""
    fields: dict[str, object] = {"kind": "fault", "result": (FULL, NONE), "reliability": "B"}
    fields.update(extra)
    return Rule(
        id=rule_id,
        title_zh=title_zh,
        title_en=title_en,
        when=when,
        basis=basis,
        explanation_zh=explanation_zh,
        explanation_en=explanation_en,
        **fields,  # type: ignore[arg-type]  # only Rule fields are passed below
    )


RULES: tuple[Rule, ...] = (
    # Decisive outcomes first: their order is their precedence.
    _rule(
        "S45", "一方故意造成事故",
        "Intentional collision",
        (true("flags.intentional_evidence"),
         any_of(true("self.intentional"), is_("self.manoeuvre", "deliberate_sudden_braking"))),
        (_ref("程序规定", "第60条第2款"),),
        "有证据表明本方故意造成碰撞，由本方承担全部责任，对方无责任。",
        "There is evidence this party caused the collision on purpose: it bears full "
        "liability and the other party none.",
        kind="decisive", reliability="A",
    ),
    _rule(
        "S44", "肇事逃逸",
        "Fleeing the scene",
        (true("flags.party_left_scene"), true("self.left_scene")),
        (_ref("程序规定", "第61条"), _ref("实施条例", "第92条")),
        "本方驾车离开现场，依法承担全部责任；对方也有过错的，交警可减轻其责任。",
        "This party left the scene and bears full liability by law; the police may reduce "
        "it if the other party was also at fault.",
        kind="decisive", reliability="A",
    ),
    _rule(
        "S43", "单方事故",
        "Single-vehicle accident",
        (true("flags.single_vehicle"),),
        (_ref("程序规定", "第60条第1款第(一)项"),),
        "只有本车一方，事故由本车造成，承担全部责任。",
        "Only this vehicle was involved, so it bears full liability.",
        kind="decisive",
    ),
    # Rear-end family (§2.2 S01 and the §2.3 refinements).
    _rule(
        "S01", "追尾：同车道追撞前车尾部",
        "Rear-end in the same lane",
        (*REAR_END, is_("other.manoeuvre", AHEAD_IN_LANE)),
        (_ref("道交法", "第43条"),),
        "本车在同一车道内追撞前车尾部，未与前车保持足以采取紧急制动措施的安全距离。",
        "This car ran into the back of the car ahead in the same lane: it did not keep a "
        "distance that would let it brake in an emergency.",
        parts=REAR_END_PARTS,
    ),
    _rule(
        "RE1", "追尾行驶中的前车",
        "Rear-end of a moving car ahead",
        (*REAR_END, is_("other.manoeuvre", STRAIGHT | TURNS | {"deliberate_sudden_braking"})),
        (_ref("道交法", "第43条"),),
        "前车正常行驶（含减速、制动），后车追尾，后车全部责任。",
        "The car ahead was moving normally (braking included); the following car that hit "
        "it bears full liability.",
        reliability="C", parts=REAR_END_PARTS,
    ),
    _rule(
        "RE2", "夜间前车尾灯不亮被追尾",
        "Rear-end at night, car ahead without tail-lights",
        (*REAR_END, is_("other.manoeuvre", AHEAD_IN_LANE), is_("loc.time", "night"),
         false("other.tail_lights_on")),
        (_ref("道交法", "第43条"), _ref("程序规定", "第60条第1款第(二)项")),
        "夜间前车尾灯未开启，双方均有过错：后车主要责任、前车次要责任，需交警确认。",
        "At night the car ahead had no tail-lights: both are at fault, the following car "
        "mainly and the car ahead partly; the police must confirm the split.",
        kind="graded", result=(MAJOR, MINOR), reliability="C",
        supersedes=frozenset({"S01", "RE1"}), parts=REAR_END_PARTS,
    ),
    _rule(
        "RE3", "前车故障停车未开危险报警闪光灯/未设警告标志被追尾",
        "Rear-end of a broken-down car without hazard lights or warning triangle",
        (*REAR_END, is_("other.manoeuvre", "stopped_broken_down_in_lane"),
         any_of(false("other.hazard_lights"), false("other.warning_triangle"))),
        (_ref("道交法", "第43条"), _ref("道交法", "第52条"), _ref("实施条例", "第60条"),
         _ref("程序规定", "第60条第1款第(二)项")),
        "前车故障停车未按规定开启危险报警闪光灯并设置警告标志，后车主要、前车次要，需交警确认。",
        "The broken-down car ahead showed no hazard lights and warning triangle as required: "
        "the following car is mainly and the stopped car partly at fault; the police must "
        "confirm the split.",
        kind="graded", result=(MAJOR, MINOR), reliability="C",
        supersedes=frozenset({"S01"}), parts=REAR_END_PARTS,
    ),
    _rule(
        "RE4", "前车故障停车已开灯设标志仍被追尾",
        "Rear-end of a broken-down car showing hazard lights and triangle",
        (*REAR_END, is_("other.manoeuvre", "stopped_broken_down_in_lane"),
         true("other.hazard_lights"), true("other.warning_triangle")),
        (_ref("道交法", "第43条"), _ref("实施条例", "第60条")),
        "前车故障停车已按规定示警，后车仍追尾，后车全部责任。",
        "The broken-down car ahead gave the required warnings; the following car that hit it "
        "bears full liability.",
        reliability="C", parts=REAR_END_PARTS,
    ),
    _rule(
        "RE5", "前车超长未设明显标志被追尾",
        "Rear-end of an over-length car without clear markings",
        (*REAR_END, is_("other.manoeuvre", AHEAD_IN_LANE), true("other.over_length_unmarked")),
        (_ref("道交法", "第43条"), _ref("道交法", "第48条"),
         _ref("程序规定", "第60条第1款第(二)项")),
        "前车超长且未设置明显标志，后车主要、前车次要，需交警确认。",
        "The car ahead was over-length without clear markings: the following car is mainly "
        "and the car ahead partly at fault; the police must confirm the split.",
        kind="graded", result=(MAJOR, MINOR), reliability="C",
        supersedes=frozenset({"S01", "RE1"}), parts=REAR_END_PARTS,
    ),
    _rule(
        "RE6", "前车倒车或溜车撞后车",
        "Car ahead reverses or rolls back into the car behind",
        (is_("self.manoeuvre", REVERSING | {"rolling_back"}), BACKWARDS_INTO_FOLLOWER),
        (_ref("实施条例", "第50条"), _ref("道交法", "第22条第1款")),
        "前车倒车或溜车撞上后方车辆，前车全部责任。",
        "The car ahead moved backwards into the car behind it and bears full liability.",
        reliability="C", parts=CollisionParts(REARISH, FRONTISH | SIDES),
    ),
    _rule(
        "S02", "倒车",
        "Reversing",
        (is_("self.manoeuvre", REVERSING),),
        (_ref("实施条例", "第50条"),),
        "倒车时应当察明车后情况、确认安全；倒车发生碰撞，倒车一方全部责任。",
        "A reversing driver must make sure the way behind is clear; the reversing car bears "
        "full liability for the collision.",
        parts=CollisionParts(REARISH | {"left_side", "right_side"}, ANY_PART),
    ),
    _rule(
        "S03", "溜车",
        "Roll-away",
        (is_("self.manoeuvre", "rolling_back"),),
        (_ref("道交法", "第22条第1款"),),
        "车辆停放未制动或挂挡导致溜车碰撞，溜车一方全部责任（无专门条文，依安全驾驶义务）。",
        "The car rolled away because it was not braked or left in gear; it bears full "
        "liability (general duty of safe driving; no specific article).",
        reliability="U", parts=CollisionParts(REARISH, ANY_PART),
    ),
    _rule(
        "S04", "开关车门妨碍他车",
        "Opening or closing a door into traffic",
        (is_("self.manoeuvre", "door_opening"),),
        (_ref("实施条例", "第63条第(四)项"),),
        "开关车门不得妨碍其他车辆和行人通行；开门一方全部责任。",
        "Opening or closing a door must not obstruct other traffic; the party whose door it "
        "was bears full liability.",
        parts=CollisionParts(SIDES, ANY_PART - {"rear"}),
    ),
    _rule(
        "S05", "逆向行驶",
        "Wrong-way driving",
        (any_of(is_("self.manoeuvre", "wrong_way"),
                all_of(is_("self.lane_to", "opposite_lane"), is_("self.manoeuvre", STRAIGHT))),),
        (_ref("道交法", "第35条"),),
        "机动车应当右侧通行，逆向行驶一方全部责任。",
        "Vehicles keep to the right; the wrong-way driver bears full liability.",
    ),
    _rule(
        "S06", "闯红灯",
        "Red-light running",
        (is_("self.signal_faced", "red"), is_("self.manoeuvre", MOVING - {"right_turn"}),
         is_("loc.intersection", SIGNALISED),
         # A car that entered on its own green and is clearing the junction did not run it.
         not_true("self.entered_junction_first")),
        (_ref("道交法", "第38条"), _ref("实施条例", "第38条第1款第(三)项")),
        "红灯亮时禁止通行，闯红灯一方全部责任。",
        "A red light forbids proceeding; the party that ran it bears full liability.",
        reliability="A",
    ),
    _rule(
        "S07", "在禁止掉头处掉头",
        "U-turn where prohibited",
        (is_("self.manoeuvre", "u_turn"), UTURN_FORBIDDEN),
        (_ref("实施条例", "第49条第1款"),),
        "在有禁止掉头或禁止左转弯标志标线处，或人行横道、桥梁、急弯、陡坡、隧道等处不得掉头。",
        "U-turns are forbidden where a no-U-turn or no-left-turn sign or marking applies, and "
        "at crosswalks, bridges, sharp bends, steep slopes and tunnels.",
    ),
    _rule(
        "S08", "驶入专用车道",
        "Entering a dedicated (bus) lane",
        (any_of(is_("self.manoeuvre", "lane_change_into_bus_lane"),
                all_of(is_("self.lane_to", "bus_lane"),
                       is_("loc.dedicated_lane", "bus_lane_in_force"))),
         is_not("self.type", "bus")),
        (_ref("道交法", "第37条"),),
        "道路划设专用车道的，其他车辆不得进入；驶入专用车道一方全部责任。",
        "Other vehicles may not enter a dedicated lane in force; the intruder bears full "
        "liability.",
    ),
    _rule(
        "S09", "不按导向车道行驶",
        "Not following the guide lane",
        (GUIDE_LANE_BROKEN,),
        (_ref("实施条例", "第51条第(一)项"), _ref("道交法", "第38条")),
        "在划有导向车道的路口，应按所需行进方向驶入导向车道；违反导向一方全部责任。",
        "At a junction with guide lanes a car must use the lane for its direction; the car "
        "that did not bears full liability.",
    ),
    _rule(
        "S10", "驶入禁行道路",
        "Entering a prohibited road",
        (is_("self.manoeuvre", MOVING),
         any_of(has("self.signs", "no_entry"),
                all_of(is_("loc.road_type", "urban_one_way_street"),
                       is_("self.manoeuvre", "wrong_way")))),
        (_ref("道交法", "第38条"),),
        "违反禁令标志驶入禁行道路（含逆向驶入单行路）一方全部责任。",
        "A car that entered a road closed to it by a sign (including a one-way street the "
        "wrong way) bears full liability.",
    ),
    _rule(
        "S11", "不服从交警指挥",
        "Ignoring police directions",
        (true("self.ignored_police_direction"),),
        (_ref("道交法", "第38条"),),
        "遇有交通警察现场指挥时应当按照指挥通行；不服从指挥一方全部责任。",
        "Where a police officer directs traffic, drivers follow the officer; the party that "
        "did not bears full liability.",
    ),
    _rule(
        "S12", "跨越中心实线或隔离实线",
        "Crossing a solid centre or barrier line",
        (any_of(true("self.crossed_solid_line"),
                all_of(is_("loc.centre_line", "double_solid_yellow"),
                       is_("self.manoeuvre", "overtaking_across_centre_line", "u_turn")),
                all_of(is_("loc.centre_line", "double_solid_yellow"),
                       is_("self.manoeuvre", "left_turn"),
                       is_("loc.intersection", "none", "private_access"))),),
        (_ref("道交法", "第38条"),),
        "实线禁止跨越；跨越中心实线或隔离实线一方全部责任。",
        "Solid lines may not be crossed; the party that crossed the solid centre or barrier "
        "line bears full liability.",
    ),
    _rule(
        "S13", "未让执行紧急任务的特种车",
        "Not yielding to an emergency vehicle",
        (true("other.emergency_vehicle_on_duty"), not_true("self.emergency_vehicle_on_duty")),
        (_ref("道交法", "第53条"),),
        "应当让行执行紧急任务的警车、消防车、救护车、工程救险车；未让行一方全部责任。",
        "Emergency vehicles on duty have priority; the party that did not yield bears full "
        "liability.",
    ),
    _rule(
        "S14", "变更车道影响相关车道车辆",
        "Lane change affecting the target lane",
        (is_("self.manoeuvre", LANE_CHANGES),
         is_not("other.manoeuvre", LANE_CHANGES | {"cutting_into_queue"}),
         same_if_stated("self.lane_to", "other.lane_to")),
        (_ref("实施条例", "第44条第2款"),),
        "变更车道不得影响相关车道内机动车的正常行驶；变道一方全部责任。",
        "A lane change must not disturb vehicles already in the target lane; the car that "
        "changed lanes bears full liability.",
        reliability="A", parts=CollisionParts(ANY_PART - {"rear"}, ANY_PART),
    ),
    _rule(
        "S15", "双方同时变更车道",
        "Both change lanes at once",
        (is_("self.manoeuvre", LANE_CHANGES), is_("other.manoeuvre", LANE_CHANGES)),
        (_ref("实施条例", "第44条第2款"), _ref("程序规定", "第60条第1款第(二)项")),
        "双方同时变更车道相撞，均违反变道让行义务，同等责任。",
        "Both cars changed lanes and collided; each broke the lane-change duty, so liability "
        "is equal.",
        kind="mutual", result=(EQUAL, EQUAL),
    ),
    _rule(
        "S16", "障碍路段会车未让行",
        "Obstacle section: failing to yield",
        (is_("loc.narrow_section", "obstacle_section"),
         any_of(all_of(true("self.obstacle_on_own_side"), not_true("other.obstacle_on_own_side"),
                       none_of(ENTERED_FIRST)),
                all_of(not_true("self.obstacle_on_own_side"), true("other.obstacle_on_own_side"),
                       OTHER_ENTERED_FIRST))),
        (_ref("实施条例", "第48条第(二)项"),),
        "有障碍的路段无障碍一方先行，但有障碍一方已驶入而无障碍一方未驶入的除外；未让行一方全部责任。",
        "Where an obstacle narrows the road the side without it goes first, unless the other "
        "side was already in the section; the party that did not yield bears full liability.",
    ),
    _rule(
        "S17", "狭窄坡路会车未让行",
        "Narrow slope: failing to yield",
        (is_("loc.narrow_section", "narrow_slope"),
         any_of(all_of(is_("self.slope_direction", "downhill"),
                       is_("other.slope_direction", "uphill"), none_of(ENTERED_FIRST)),
                all_of(is_("self.slope_direction", "uphill"),
                       is_("other.slope_direction", "downhill"), OTHER_ENTERED_FIRST))),
        (_ref("实施条例", "第48条第(三)项"),),
        "狭窄坡路上坡一方先行，但下坡一方已行至中途而上坡一方未上坡的除外；未让行一方全部责任。",
        "On a narrow slope the uphill car goes first, unless the downhill car was already "
        "halfway and the uphill one had not started; the party that did not yield bears full "
        "liability.",
    ),
    _rule(
        "S18", "狭窄山路靠山体一方未让行",
        "Narrow mountain road: mountain side fails to yield",
        (is_("loc.narrow_section", "narrow_mountain_road"), true("self.mountain_side"),
         not_true("other.mountain_side")),
        (_ref("实施条例", "第48条第(四)项"),),
        "狭窄山路不靠山体一方先行；靠山体一方未让行，全部责任。",
        "On a narrow mountain road the side away from the mountain goes first; the mountain "
        "side that did not yield bears full liability.",
    ),
    _rule(
        "S19", "超越正在左转弯的车",
        "Overtaking a vehicle turning left",
        (is_("self.manoeuvre", OVERTAKING), is_("other.manoeuvre", "left_turn")),
        (_ref("道交法", "第43条第(一)项"),),
        "前车正在左转弯时不得超车；超车一方全部责任。",
        "No overtaking while the car ahead is turning left; the overtaker bears full "
        "liability.",
        reliability="A",
    ),
    _rule(
        "S20", "超越正在掉头的车",
        "Overtaking a vehicle making a U-turn",
        (is_("self.manoeuvre", OVERTAKING), is_("other.manoeuvre", "u_turn")),
        (_ref("道交法", "第43条第(一)项"),),
        "前车正在掉头时不得超车；超车一方全部责任。",
        "No overtaking while the car ahead is making a U-turn; the overtaker bears full "
        "liability.",
        reliability="A",
    ),
    _rule(
        "S21", "超越正在超车的车",
        "Overtaking a vehicle that is overtaking",
        (is_("self.manoeuvre", OVERTAKING), is_("other.manoeuvre", OVERTAKING),
         any_of(is_("self.position", "behind"), is_("other.position", "ahead"))),
        (_ref("道交法", "第43条第(一)项"),),
        "前车正在超车时不得超车；从后方再超车的一方全部责任。",
        "No overtaking a car that is itself overtaking; the car that came from behind bears "
        "full liability.",
        reliability="A",
    ),
    _rule(
        "S22", "有会车可能时超车",
        "Overtaking with oncoming traffic possible",
        (is_("self.manoeuvre", OVERTAKING),
         any_of(is_("other.position", "oncoming"), is_("self.position", "oncoming")),
         is_not("other.manoeuvre", OVERTAKING)),
        (_ref("道交法", "第43条第(二)项"),),
        "与对面来车有会车可能时不得超车；超车一方全部责任。",
        "No overtaking when oncoming traffic may be met; the overtaker bears full liability.",
        reliability="A",
    ),
    _rule(
        "S23", "在路口、窄桥、弯道、陡坡、隧道等处超车",
        "Overtaking at a junction, narrow bridge, bend, steep slope or tunnel",
        (is_("self.manoeuvre", OVERTAKING),
         any_of(is_("loc.intersection", JUNCTIONS),
                has("loc.site_features", "narrow_bridge", "sharp_bend", "steep_slope", "tunnel",
                    "level_crossing", "crosswalk", "busy_urban_section"))),
        (_ref("道交法", "第43条第(四)项"),),
        "行经交叉路口、窄桥、弯道、陡坡、隧道、人行横道等处不得超车；超车一方全部责任。",
        "No overtaking at junctions, narrow bridges, bends, steep slopes, tunnels, crosswalks "
        "and similar places; the overtaker bears full liability.",
        reliability="A",
    ),
    _rule(
        "S24", "允许掉头处掉头未让行",
        "U-turn (where allowed) not yielding",
        (is_("self.manoeuvre", "u_turn"), none_of(UTURN_FORBIDDEN),
         is_("other.manoeuvre", PROCEEDING)),
        (_ref("实施条例", "第49条第2款"),),
        "允许掉头的地点掉头，不得妨碍正常行驶的车辆；掉头一方全部责任。",
        "Where U-turns are allowed they must not obstruct normal traffic; the U-turning car "
        "bears full liability.",
    ),
    _rule(
        "S25", "进入主路或高速未让主路车辆",
        "Entering the main road or expressway without yielding",
        (is_("self.manoeuvre", "merging_from_ramp"), is_("other.manoeuvre", STRAIGHT | STOPPED)),
        (_ref("实施条例", "第79条"), _ref("道交法", "第44条")),
        "从匝道进入主路或高速公路，不得妨碍已在主路内行驶的车辆；汇入一方全部责任。",
        "A car joining from a ramp must not obstruct traffic already on the main road; the "
        "joining car bears full liability.",
    ),
    _rule(
        "S26", "辅路车未让出主路的车",
        "Service-road car not yielding to a car leaving the main road",
        (is_("self.lane_from", "service_road"), is_("self.lane_to", "service_road"),
         is_("other.lane_from", "main_road"), is_("other.lane_to", "service_road")),
        (_ref("道交法", "第44条"),),
        "辅路上的车应让从主路驶出的车先行（北京地方规则）；未让一方全部责任。",
        "A car on the service road yields to a car coming off the main road (a Beijing local "
        "rule); the car that did not bears full liability.",
        reliability="U",
    ),
    _rule(
        "S27", "从路外或非机动车道驶入机动车道未让行",
        "Entering the carriageway from off-road or the bicycle lane without yielding",
        (any_of(is_("self.manoeuvre", "entering_road_from_private_access"),
                all_of(is_("self.lane_from", "non_motor_lane", "off_road", "private_access"),
                       is_("self.manoeuvre", MOVING))),
         is_("other.manoeuvre", PROCEEDING)),
        (_ref("道交法", "第22条第1款"), _ref("道交法", "第44条")),
        "从路外、非机动车道驶入机动车道的车辆应让道路内正常行驶的车先行；未让一方全部责任。",
        "A car joining the carriageway from off the road or the bicycle lane yields to traffic "
        "already on it; the car that did not bears full liability.",
        reliability="U",
    ),
    _rule(
        "S28", "进出停车泊位或停车场未让行",
        "Entering or leaving a parking place without yielding",
        (is_("self.manoeuvre", "pulling_out_from_parking", "parking_in", "reversing_out_of_bay"),
         is_("other.manoeuvre", PROCEEDING)),
        (_ref("实施条例", "第57条第(一)项"), _ref("道交法", "第22条第1款")),
        "驶出或驶入停车位应开启转向灯并让正常行驶的车辆先行；进出车位一方全部责任。",
        "A car leaving or entering a parking place signals and gives way to passing traffic; "
        "it bears full liability.",
    ),
    _rule(
        "S29", "进入环形路口未让已在路口内的车",
        "Entering a roundabout without yielding",
        (is_("self.manoeuvre", "entering_roundabout"),
         is_("other.manoeuvre", "circulating_in_roundabout")),
        (_ref("实施条例", "第51条第(二)项"),),
        "准备进入环形路口的车应让已在路口内的车先行；未让一方全部责任。",
        "A car entering a roundabout gives way to traffic already in it; the car that did not "
        "bears full liability.",
        reliability="A",
    ),
    _rule(
        "S30", "有灯路口未让先被放行的车",
        "Signalised junction: not yielding to traffic released earlier",
        (is_("loc.intersection", SIGNALISED), true("other.entered_junction_first"),
         not_true("self.entered_junction_first"), is_("self.manoeuvre", MOVING),
         is_not("self.signal_faced", "red")),
        (_ref("实施条例", "第51条第(四)项"), _ref("实施条例", "第51条第(七)项")),
        "有灯路口应让先被放行、已在路口内的车辆先行；未让一方全部责任。",
        "At a signalised junction a car gives way to vehicles released earlier and already in "
        "the junction; the car that did not bears full liability.",
    ),
    _rule(
        "S31", "无灯路口未按标志标线让优先一方",
        "Uncontrolled junction: ignoring priority signs or markings",
        (any_of(all_of(is_("loc.intersection", "uncontrolled_with_priority_signs",
                           "side_road_junction"), BOUND_TO_GIVE_WAY),
                all_of(is_("loc.intersection", "side_road_junction"),
                       is_("self.manoeuvre", "straight_from_minor_road"),
                       is_("other.manoeuvre", "straight_on_major_road"))),
         none_of(OTHER_BOUND_TO_GIVE_WAY)),
        (_ref("道交法", "第44条"), _ref("实施条例", "第52条第(一)项")),
        "无信号路口应按交通标志、标线让优先通行的一方先行；未让一方全部责任。",
        "At a junction without lights, signs and markings say who goes first; the car that "
        "ignored them bears full liability.",
        reliability="A",
    ),
    _rule(
        "S32", "无灯无标志路口未让右方来车",
        "Uncontrolled, unsigned junction: not yielding to the right",
        (is_("loc.intersection", "uncontrolled_no_signs"), is_("self.manoeuvre", STRAIGHT),
         is_("other.manoeuvre", STRAIGHT), OTHER_FROM_RIGHT),
        (_ref("实施条例", "第52条第(二)项"),),
        "无信号、无标志标线的路口，双方均直行的，应让右方道路的来车先行；未让右方来车一方全部责任。",
        "At a junction with no lights, signs or markings, when both go straight on, the car "
        "coming from the right goes first; the car that did not give way to it bears full "
        "liability.",
        reliability="A",
    ),
    _rule(
        "S33", "无灯路口转弯车未让直行车",
        "Uncontrolled junction: turning not yielding to straight",
        (is_("loc.intersection", "uncontrolled_no_signs"),
         is_("self.manoeuvre", TURNS | {"u_turn"}),
         is_("other.manoeuvre", STRAIGHT)),
        (_ref("实施条例", "第52条第(三)项"),),
        "无信号路口转弯的机动车让直行的车辆先行；未让一方全部责任。",
        "At a junction without lights, turning traffic gives way to straight-on traffic; the "
        "turning car bears full liability.",
        reliability="A",
    ),
    _rule(
        "S34", "无灯路口相对方向右转未让左转",
        "Uncontrolled junction: right-turner not yielding to an opposing left-turner",
        (is_("loc.intersection", "uncontrolled_no_signs"), is_("self.manoeuvre", "right_turn"),
         is_("other.manoeuvre", "left_turn"), OPPOSING),
        (_ref("实施条例", "第52条第(四)项"),),
        "无信号路口相对方向行驶的右转弯车让左转弯车先行；未让一方全部责任。",
        "At a junction without lights a right-turner gives way to an opposing left-turner; "
        "the right-turner bears full liability.",
        reliability="A",
    ),
    # Not in the research notes' list: 第52条第(二)项 read for two turning cars, where
    # neither 第(三)项 (turning yields to straight) nor 第(四)项 (opposing turns) applies.
    _rule(
        "S48", "无灯无标志路口双方转弯未让右方来车",
        "Uncontrolled, unsigned junction: both turning, not yielding to the right",
        (is_("loc.intersection", "uncontrolled_no_signs"),
         is_("self.manoeuvre", TURNS | {"u_turn"}), is_("other.manoeuvre", TURNS | {"u_turn"}),
         OTHER_FROM_RIGHT, none_of(OPPOSING)),
        (_ref("实施条例", "第52条第(二)项"),),
        "无信号、无标志标线的路口，双方均转弯且不是相对方向驶来的，转弯让直行、右转让对向左转都不适用，"
        "应让右方道路的来车先行；未让右方来车一方全部责任。",
        "At a junction with no lights, signs or markings, when both cars turn and do not come "
        "from opposite directions (so neither turning-yields-to-straight nor right-yields-to-"
        "opposing-left applies), the car coming from the right goes first; the car that did "
        "not give way to it bears full liability.",
    ),
    _rule(
        "S35", "未避让作业车辆",
        "Not giving way to a road-works vehicle",
        (true("other.works_vehicle_operating"), not_true("self.works_vehicle_operating")),
        (_ref("道交法", "第54条"),),
        "应避让正在作业的道路养护、工程作业车辆；未避让一方全部责任。",
        "Traffic must avoid road-maintenance and works vehicles at work; the party that did "
        "not bears full liability.",
    ),
    _rule(
        "S36", "红灯右转未让被放行的车辆",
        "Right turn on red, not yielding to released traffic",
        (is_("loc.intersection", SIGNALISED), is_("self.manoeuvre", "right_turn"),
         is_("self.signal_faced", "red"), is_("other.signal_faced", GREEN)),
        (_ref("实施条例", "第38条第1款第(三)项"),),
        "红灯时右转弯的车辆在不妨碍被放行车辆通行的情况下方可通行；妨碍的一方全部责任。",
        "On red a right turn is allowed only without obstructing released traffic; the "
        "right-turner that did bears full liability.",
        reliability="A",
    ),
    _rule(
        "S37", "绿灯时转弯车未让被放行的直行车",
        "Turning on green, not yielding to released straight traffic",
        (is_("loc.intersection", SIGNALISED), is_("self.manoeuvre", TURNS),
         is_("self.signal_faced", "green"), is_("other.manoeuvre", STRAIGHT),
         is_("other.signal_faced", "green")),
        (_ref("实施条例", "第38条第1款第(一)项"), _ref("实施条例", "第51条第(七)项")),
        "绿灯时转弯的机动车不得妨碍被放行的直行车辆；转弯一方全部责任。",
        "On green, turning traffic must not obstruct released straight-on traffic; the turning "
        "car bears full liability.",
        reliability="A",
    ),
    _rule(
        "S38", "加塞、穿插等候车辆",
        "Cutting into a queue",
        (is_("self.manoeuvre", "cutting_into_queue"),),
        (_ref("道交法", "第45条"), _ref("实施条例", "第53条")),
        "前方车辆停车排队或缓慢行驶时不得穿插、加塞；加塞一方全部责任。",
        "No cutting in when traffic ahead is queuing or crawling; the car that cut in bears "
        "full liability.",
        reliability="C", parts=CollisionParts(ANY_PART - {"rear"}, ANY_PART),
    ),
    _rule(
        "S39", "右侧超车",
        "Overtaking on the right",
        (is_("self.manoeuvre", "overtaking_on_right"),),
        (_ref("实施条例", "第47条"),),
        "超车应从前车左侧超越；从右侧超车一方全部责任。",
        "Overtaking is on the left only; the car that overtook on the right bears full "
        "liability.",
        reliability="A",
    ),
    _rule(
        "S40", "刮撞依法停放的车辆",
        "Hitting a lawfully parked vehicle",
        (is_("other.manoeuvre", "parked_lawfully_unattended"), is_("self.manoeuvre", MOVING)),
        (_ref("道交法", "第22条第1款"), _ref("道交法", "第56条")),
        "刮撞依法停放的车辆，行驶一方全部责任。",
        "A moving car that hits a lawfully parked vehicle bears full liability.",
    ),
    _rule(
        "S41", "装载物遗洒、飘散致事故",
        "Spilled or blown-off load",
        (SHED_LOAD,),
        (_ref("道交法", "第48条"),),
        "载物不得遗洒、飘散；所载货物或物品遗洒、飘散到对方车辆造成事故的，载物一方全部责任。",
        "A load must not fall, spill or blow off; when a vehicle's load or an object from it "
        "hits the other vehicle, that vehicle bears full liability.",
    ),
    _rule(
        "S42", "未按规定装载",
        "Improper loading",
        (true("self.load_improper"),),
        (_ref("道交法", "第48条"),),
        "装载应符合核定的长、宽、高要求；超限装载造成事故，装载一方全部责任。",
        "Loads must stay within the permitted length, width and height; the improperly loaded "
        "vehicle bears full liability.",
    ),
    _rule(
        "S46", "各方均无过错（意外）",
        "Nobody at fault (accident)",
        (true("flags.unavoidable_event"),),
        (_ref("程序规定", "第60条第1款第(三)项"),),
        "各方均无导致事故的过错，属于交通意外，各方均无责任。",
        "No party's fault caused the collision; it is an accident and nobody is liable.",
        kind="no_fault", result=(NONE, NONE), reliability="A",
    ),
    _rule(
        "S47", "双方均有过错",
        "Both parties at fault",
        (),
        (_ref("程序规定", "第60条第1款第(二)项"),),
        "双方均有上述过错情形，自行协商时各负同等责任；需要主次划分的由交警认定。",
        "Both parties committed a listed fault: equal liability when settling between "
        "themselves; a main/minor split needs the police.",
        kind="combination", result=(EQUAL, EQUAL), reliability="A",
    ),
)

CATALOGUE = Catalogue(version=CATALOGUE_VERSION, rules=RULES)
