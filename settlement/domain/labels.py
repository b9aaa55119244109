"""The one source of Chinese and English labels for every code clients and staff see.

Codes (facts keys and values, photo slots and findings, routes, statuses, roles, liability
levels, audit actions, claim statuses) stay stable in the API and the database; people see
the label. The console, the drivers' statement and the mini-program all read this table
(the mini-program through ``GET /api/v1/labels``), so a code is worded the same everywhere.

For the accident facts, the *kind* of a value is the key it is the value of: the label of
``vehicles.A.manoeuvre = "left_turn"`` is ``label("manoeuvre", "left_turn")`` and the key
itself is ``label("fact_field", "manoeuvre")``.

A test walks every vocabulary of the domain and fails when a code has no label, so a new
code cannot ship unlabelled. An unknown code at run time shows itself (a visible gap, not a
crash).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"

Pair = tuple[str, str]
"""(zh, en)."""

# --- the accident facts: keys ---------------------------------------------------------

_FACT_FIELDS: dict[str, Pair] = {
    # location
    "road_type": ("道路类型", "Road type"),
    "intersection": ("路口类型", "Junction"),
    "time": ("时段", "Time of day"),
    "street_lighting": ("有路灯照明", "Street lighting"),
    "gradient": ("坡道", "Gradient"),
    "centre_line": ("道路中心线", "Centre line"),
    "lane_line": ("车道分界线", "Lane line"),
    "lanes_same_direction": ("同向车道数", "Lanes in the direction of travel"),
    "dedicated_lane": ("专用车道", "Dedicated lane"),
    "markings": ("导向标线", "Road markings"),
    "signs": ("交通标志", "Traffic signs"),
    "u_turn_permitted": ("允许掉头", "U-turn permitted"),
    "narrow_section": ("窄路路段", "Narrow section"),
    "site_features": ("特殊路段", "Site features"),
    "signs_for_A": ("约束甲方的标志", "Signs binding A"),
    "signs_for_B": ("约束乙方的标志", "Signs binding B"),
    "vehicle_count": ("涉事车辆数", "Vehicles involved"),
    # flags
    "injuries": ("有人受伤", "Injuries"),
    "deaths": ("有人死亡", "Deaths"),
    "public_facility_damage": ("损坏公共设施", "Public facility damaged"),
    "party_left_scene": ("一方驶离现场", "A party left the scene"),
    "intentional_evidence": ("有故意碰撞证据", "Evidence of a deliberate collision"),
    "dispute_on_facts": ("对事实有争议", "Facts disputed"),
    "single_vehicle": ("单车事故", "Single vehicle"),
    "unavoidable_event": ("意外事件（不可抗力）", "Unavoidable event"),
    "crime_suspected": ("涉嫌交通犯罪", "Traffic crime suspected"),
    # vehicle: eligibility
    "label": ("当事方", "Party"),
    "type": ("车辆类型", "Vehicle type"),
    "driver_licence_valid": ("驾驶证有效", "Valid driving licence"),
    "licence_class_matches": ("准驾车型相符", "Licence class matches"),
    "alcohol_or_drugs_suspected": ("疑似酒驾或毒驾", "Alcohol or drugs suspected"),
    "plate": ("号牌", "Number plate"),
    "jqx_insured": ("已投保交强险", "Compulsory insurance (交强险)"),
    "insurance_sticker_or_e_policy": ("有保险标志或电子保单", "Insurance sticker or e-policy"),
    "inspection_valid": ("检验合格", "Valid inspection"),
    "movable": ("车辆可移动", "Vehicle can be moved"),
    "carrying_dangerous_goods": ("载有危险物品", "Carrying dangerous goods"),
    "passenger_overload_or_severe_speeding_suspected": (
        "疑似严重超员或严重超速",
        "Serious overloading or speeding suspected",
    ),
    "owner_present": ("车主在场", "Owner present"),
    # vehicle: manoeuvre
    "manoeuvre": ("行驶动作", "Manoeuvre"),
    "lane": ("车道", "Lane"),
    "lane_from": ("原车道", "From lane"),
    "lane_to": ("驶入车道", "To lane"),
    "signal_faced": ("面对的信号", "Signal faced"),
    "indicator": ("转向灯", "Indicator"),
    "hazard_lights": ("开启危险报警闪光灯", "Hazard lights on"),
    "warning_triangle": ("放置警告标志", "Warning triangle set"),
    "dashcam": ("有行车记录仪视频", "Dashcam footage"),
    "damage_location": ("受损部位", "Damage location"),
    "damage_estimate_cny": ("自报损失（元）", "Own loss estimate (CNY)"),
    "approach_from": ("来车方向", "Came from"),
    "load_shed": ("遗洒、飘散载运物", "Load fell or spilled"),
    "commercial_third_party_cover": ("已投保商业三者险", "Commercial third-party cover"),
    "commercial_third_party_cover_cny": (
        "商业三者险保额（元）",
        "Commercial third-party sum insured (CNY)",
    ),
    "own_damage_cover": ("已投保车损险", "Own-damage cover"),
    # vehicle: extension keys read by the catalogue
    "position": ("相对位置", "Position relative to the other"),
    "tail_lights_on": ("开启尾灯", "Tail lights on"),
    "over_length_unmarked": ("超长未设标志", "Over-length without markers"),
    "entered_junction_first": ("先进入路口", "Entered the junction first"),
    "entered_narrow_section_first": ("先进入窄路", "Entered the narrow section first"),
    "obstacle_on_own_side": ("本方一侧有障碍", "Obstacle on own side"),
    "slope_direction": ("坡道方向", "Slope direction"),
    "mountain_side": ("靠山体一侧", "On the mountain side"),
    "emergency_vehicle_on_duty": ("执行紧急任务的特种车辆", "Emergency vehicle on duty"),
    "works_vehicle_operating": ("作业中的工程车辆", "Works vehicle operating"),
    "load_spilled": ("载运物遗洒", "Load spilled"),
    "load_improper": ("装载不符合规定", "Load improperly secured"),
    "ignored_police_direction": ("未服从交警指挥", "Ignored police direction"),
    "crossed_solid_line": ("越过实线", "Crossed a solid line"),
    "left_scene": ("驶离现场", "Left the scene"),
    "intentional": ("故意碰撞", "Deliberate collision"),
    "commercial_third_party_insured": ("已投保商业三者险", "Commercial third-party cover"),
}

# --- the accident facts: values, by key -------------------------------------------------

_ROAD_TYPE: dict[str, Pair] = {
    "urban_road": ("城市道路", "Urban road"),
    "suburban_road": ("城郊道路", "Suburban road"),
    "highway": ("高速公路", "Highway"),
    "urban_expressway": ("城市快速路", "Urban expressway"),
    "urban_one_way_street": ("城市单行道", "One-way street"),
    "two_way_road": ("双向通行道路", "Two-way road"),
    "parking_lot": ("停车场", "Car park"),
    "roadside_marked_parking": ("路侧施划停车位", "Marked roadside parking"),
}
_INTERSECTION: dict[str, Pair] = {
    "none": ("非路口", "Not a junction"),
    "signalized": ("有信号灯路口", "Junction with traffic lights"),
    "signalized_approach": ("信号灯路口进口道", "Approach to a junction with lights"),
    "signalized_no_arrow": ("无箭头信号灯路口", "Lights without arrows"),
    "signalized_with_guide_lanes": ("有导向车道的信号灯路口", "Lights with guide lanes"),
    "uncontrolled_no_signs": (
        "无信号灯、无标志标线的路口",
        "Junction without lights, signs or markings",
    ),
    "uncontrolled_with_priority_signs": (
        "有让行标志的无信号灯路口",
        "Junction with priority signs, no lights",
    ),
    "roundabout": ("环形路口", "Roundabout"),
    "side_road_junction": ("支路与干路交汇处", "Side road joining a main road"),
    "on_ramp_merge": ("匝道汇入处", "On-ramp merge"),
    "lane_reduction": ("车道减少处", "Lane reduction"),
    "private_access": ("单位或小区出入口", "Private access"),
}
_TIME: dict[str, Pair] = {"day": ("白天", "Day"), "night": ("夜间", "Night")}
_GRADIENT: dict[str, Pair] = {"uphill": ("上坡", "Uphill")}
_CENTRE_LINE: dict[str, Pair] = {
    "broken": ("中心虚线", "Broken centre line"),
    "double_solid_yellow": ("双黄实线", "Double solid yellow line"),
}
_LANE_LINE: dict[str, Pair] = {"broken": ("车道虚线", "Broken lane line")}
_DEDICATED_LANE: dict[str, Pair] = {
    "bus_lane_in_force": ("公交专用道（时段内）", "Bus lane in force"),
}
_NARROW_SECTION: dict[str, Pair] = {
    "obstacle_section": ("有障碍的路段", "Section with an obstacle"),
    "narrow_slope": ("狭窄坡路", "Narrow slope"),
    "narrow_mountain_road": ("狭窄山路", "Narrow mountain road"),
}
_SITE_FEATURES: dict[str, Pair] = {
    "narrow_bridge": ("窄桥", "Narrow bridge"),
    "sharp_bend": ("急弯", "Sharp bend"),
    "steep_slope": ("陡坡", "Steep slope"),
    "tunnel": ("隧道", "Tunnel"),
    "level_crossing": ("铁路道口", "Level crossing"),
    "crosswalk": ("人行横道", "Pedestrian crossing"),
    "busy_urban_section": ("繁华路段", "Busy urban section"),
}
_VEHICLE_TYPE: dict[str, Pair] = {
    "small_car": ("小型汽车", "Car"),
    "light_truck": ("轻型货车", "Light truck"),
    "bus": ("客车", "Bus"),
    "hazmat_tanker": ("危险品运输车", "Dangerous-goods tanker"),
    "motorcycle": ("摩托车", "Motorcycle"),
    "e_bike": ("电动自行车", "E-bike"),
    "bicycle": ("自行车", "Bicycle"),
    "pedestrian_none": ("行人（无车辆）", "Pedestrian (no vehicle)"),
}
_PLATE: dict[str, Pair] = {
    "valid": ("有效号牌", "Valid plate"),
    "none": ("无号牌", "No plate"),
    "forged": ("伪造、变造号牌", "False plate"),
}
_MANOEUVRE: dict[str, Pair] = {
    "straight": ("直行", "Going straight"),
    "straight_on_major_road": ("在主路直行", "Straight on the major road"),
    "straight_from_minor_road": ("从支路直行", "Straight from the minor road"),
    "stationary": ("静止", "Stationary"),
    "stopped_in_queue": ("排队等候", "Stopped in a queue"),
    "stopped_broken_down_in_lane": ("故障停在车道内", "Broken down in the lane"),
    "parked_lawfully_unattended": ("依法停放（无人）", "Lawfully parked, unattended"),
    "reversing": ("倒车", "Reversing"),
    "reversing_out_of_bay": ("倒车出车位", "Reversing out of a bay"),
    "rolling_back": ("溜车", "Rolling back"),
    "door_opening": ("开关车门", "Opening a door"),
    "lane_change_left": ("向左变道", "Changing lane to the left"),
    "lane_change_right": ("向右变道", "Changing lane to the right"),
    "lane_change_into_bus_lane": ("变道驶入公交专用道", "Changing into the bus lane"),
    "cutting_into_queue": ("加塞", "Cutting into a queue"),
    "overtaking": ("超车", "Overtaking"),
    "overtaking_on_right": ("从右侧超车", "Overtaking on the right"),
    "overtaking_across_centre_line": ("越过中心线超车", "Overtaking across the centre line"),
    "left_turn": ("左转", "Turning left"),
    "right_turn": ("右转", "Turning right"),
    "u_turn": ("掉头", "U-turn"),
    "wrong_way": ("逆行", "Driving the wrong way"),
    "entering_roundabout": ("驶入环岛", "Entering a roundabout"),
    "circulating_in_roundabout": ("在环岛内行驶", "Driving in a roundabout"),
    "merging_from_ramp": ("从匝道汇入", "Merging from a ramp"),
    "entering_road_from_private_access": ("从出入口驶入道路", "Entering from a private access"),
    "pulling_out_from_parking": ("起步驶出停车位", "Pulling out of a parking place"),
    "parking_in": ("驶入停车位", "Parking"),
    "deliberate_sudden_braking": ("故意急刹", "Deliberate sudden braking"),
}
_SIGNAL: dict[str, Pair] = {
    "green": ("绿灯", "Green"),
    "red": ("红灯", "Red"),
    "green_arrow_left": ("左转绿色箭头灯", "Green left arrow"),
    "stop_sign": ("停车让行标志", "Stop sign"),
    "none": ("无信号", "No signal"),
    "claimed_green": ("自称绿灯（未证实）", "Green, claimed but not established"),
}
_INDICATOR: dict[str, Pair] = {
    "left": ("左转向灯", "Left indicator"),
    "right": ("右转向灯", "Right indicator"),
}
_DAMAGE_LOCATION: dict[str, Pair] = {
    "front": ("车头", "Front"),
    "rear": ("车尾", "Rear"),
    "left_front": ("左前部", "Left front"),
    "right_front": ("右前部", "Right front"),
    "left_rear": ("左后部", "Left rear"),
    "right_rear": ("右后部", "Right rear"),
    "left_side": ("左侧", "Left side"),
    "right_side": ("右侧", "Right side"),
    "left_front_corner": ("左前角", "Left front corner"),
    "left_front_door": ("左前门", "Left front door"),
    "right_rear_door": ("右后门", "Right rear door"),
    "left_side_and_front": ("左侧及车头", "Left side and front"),
    "front_structural": ("车头结构件", "Front structure"),
    "bonnet_windscreen": ("引擎盖及前挡风玻璃", "Bonnet and windscreen"),
    "none": ("无损坏", "No damage"),
}
_POSITION: dict[str, Pair] = {
    "behind": ("在对方后方", "Behind the other"),
    "ahead": ("在对方前方", "Ahead of the other"),
    "alongside_left": ("在对方左侧并行", "Alongside, on its left"),
    "alongside_right": ("在对方右侧并行", "Alongside, on its right"),
    "oncoming": ("对向驶来", "Oncoming"),
    "from_left": ("从对方左侧驶来", "Coming from its left"),
    "from_right": ("从对方右侧驶来", "Coming from its right"),
}
_SLOPE_DIRECTION: dict[str, Pair] = {
    "uphill": ("上坡", "Uphill"),
    "downhill": ("下坡", "Downhill"),
}
_APPROACH_FROM: dict[str, Pair] = {
    "right": ("从对方右侧驶来", "From the other's right"),
    "left": ("从对方左侧驶来", "From the other's left"),
    "opposite": ("从对面驶来", "From the opposite direction"),
    "behind": ("从对方后方驶来", "From behind the other"),
    "same_direction": ("与对方同向行驶", "In the same direction as the other"),
}
_SIGNS: dict[str, Pair] = {
    "no_u_turn": ("禁止掉头", "No U-turn"),
    "stop_sign": ("停车让行", "Stop"),
    "give_way": ("减速让行", "Give way"),
    "no_entry": ("禁止驶入", "No entry"),
    "no_left_turn": ("禁止左转", "No left turn"),
    "no_right_turn": ("禁止右转", "No right turn"),
}
_MARKINGS: dict[str, Pair] = {
    "left_turn_only_arrows": ("左转导向箭头", "Left-turn arrows"),
    "straight_only_arrows": ("直行导向箭头", "Straight-on arrows"),
    "right_turn_only_arrows": ("右转导向箭头", "Right-turn arrows"),
}
_BOOL: dict[str, Pair] = {"true": ("是", "Yes"), "false": ("否", "No")}
_WEATHER: dict[str, Pair] = {
    "clear": ("晴", "Clear"),
    "cloudy": ("阴", "Cloudy"),
    "rain": ("雨", "Rain"),
    "heavy_rain": ("大雨", "Heavy rain"),
    "snow": ("雪", "Snow"),
    "fog": ("雾", "Fog"),
    "haze": ("霾", "Haze"),
    "wind": ("大风", "Wind"),
}
_PARTY: dict[str, Pair] = {"A": ("甲方", "Party A"), "B": ("乙方", "Party B")}

# --- photos -------------------------------------------------------------------------------

_PHOTO_SLOT: dict[str, Pair] = {
    "side_front": ("侧前方", "Side-front view"),
    "side_rear": ("侧后方", "Side-rear view"),
    "collision_point": ("碰撞部位", "Point of collision"),
    "own_plate": ("本车号牌", "Own plate"),
    "other_plate": ("对方号牌", "Other party's plate"),
    "licence": ("驾驶证", "Driving licence"),
    "registration": ("行驶证", "Vehicle registration"),
    "scene_overview": ("现场全景", "Scene overview"),
    "other": ("其他", "Other"),
}
_PHOTO_VERDICT: dict[str, Pair] = {
    "pass": ("通过", "Accepted"),
    "flag": ("需民警核实", "Flagged for the reviewer"),
    "reject": ("不予采用，请重拍", "Rejected: retake it"),
}
_PHOTO_FLAG: dict[str, Pair] = {
    "TAKEN_BEFORE_ACCIDENT": ("拍摄时间早于事故", "Taken before the accident"),
    "TIME_BEFORE_WINDOW": ("拍摄时间早于报告时间", "Taken before the reported time"),
    "TIME_IN_FUTURE": ("拍摄时间晚于上传时间", "Capture time after upload"),
    "TIME_AFTER_WINDOW": ("拍摄时间距事故过久", "Taken long after the accident"),
    "TIME_MISMATCH_CLIENT": ("拍摄时间与小程序记录不一致", "Capture time differs from the app's"),
    "TIME_IMPLAUSIBLE": ("时间不合理，无法核对", "Implausible time: not checked"),
    "FAR_FROM_SCENE": ("拍摄地点远离事故地点", "Taken far from the scene"),
    "EXIF_LOCATION_DISTANT": ("照片定位距事故地点较远", "Photo GPS away from the scene"),
    "CLIENT_LOCATION_DISTANT": ("手机定位距事故地点较远", "Phone location away from the scene"),
    "EDITING_SOFTWARE": ("经过编辑软件处理", "Processed by editing software"),
    "EMBEDDED_PAYLOAD": ("附带非图片内容", "Carries a non-image payload"),
    "TRAILING_DATA": ("图片末尾有附加数据", "Data after the image"),
    "LOW_RESOLUTION": ("分辨率过低", "Low resolution"),
    "DUPLICATE_OF_OTHER_CASE": ("与其他案件照片相同", "Same photo as in another case"),
    "NEAR_DUPLICATE_OF_OTHER_CASE": ("与其他案件照片高度相似", "Resembles a photo in another case"),
    "NO_EXIF": ("无拍摄信息（EXIF）", "No EXIF data"),
    "EXIF_UNREADABLE": ("拍摄信息无法读取", "EXIF unreadable"),
    "NONCE_MISMATCH": ("缺少本案拍摄校验码", "Capture nonce missing or wrong"),
}

# --- eligibility, liability, payout ---------------------------------------------------------

_ROUTE: dict[str, Pair] = {
    "self_negotiation": ("自行协商", "Self-negotiation"),
    "online_police_determination": ("线上交警认定", "Online police determination"),
    "call_police_stay_at_scene": ("报警并在现场等候", "Call the police and stay at the scene"),
    "move_then_report_police": ("移车后报警", "Move the vehicles, then call the police"),
    "report_to_police_or_insurer": ("向保险公司或交警报案", "Report to the insurer or police"),
}
_REFUSAL_REASON: dict[str, Pair] = {
    "death": ("有人员死亡", "Someone died"),
    "injury": ("有人员受伤", "Someone was hurt"),
    "no_valid_licence": ("无有效驾驶证或准驾车型不符", "No valid licence for the vehicle"),
    "alcohol_or_drugs_suspected": ("疑似酒驾或毒驾", "Alcohol or drugs suspected"),
    "overload_or_severe_speeding_suspected": (
        "疑似严重超员或严重超速",
        "Serious overloading or speeding suspected",
    ),
    "no_plate": ("无号牌或号牌疑似伪造", "No plate or a false one"),
    "vehicle_not_movable": ("车辆无法移动", "A vehicle cannot be moved"),
    "party_left_scene": ("一方驶离现场", "A party left the scene"),
    "intentional_collision_evidence": ("有故意碰撞证据", "Evidence of a deliberate collision"),
    "dangerous_goods_vehicle": ("涉及危险物品运输车辆", "Dangerous-goods vehicle involved"),
    "crime_suspected": ("涉嫌交通犯罪", "Traffic crime suspected"),
    "no_compulsory_insurance": ("未投保交强险", "No compulsory insurance"),
    "no_insurance_sticker": ("无保险标志或电子保单", "No insurance sticker or e-policy"),
    "no_inspection_pass": ("无有效检验合格标志", "No valid inspection pass"),
    "public_facility_damage": ("损坏公共设施", "Public facility damaged"),
    "single_vehicle": ("单车事故", "Single-vehicle accident"),
    "non_motor_party": ("涉及非机动车或行人", "A non-motor party is involved"),
    "more_than_two_vehicles": ("涉及三车及以上", "More than two vehicles"),
}
_LIABILITY: dict[str, Pair] = {
    "全部责任": ("全部责任", "Full liability"),
    "主要责任": ("主要责任", "Major liability"),
    "同等责任": ("同等责任", "Equal liability"),
    "次要责任": ("次要责任", "Minor liability"),
    "无责任": ("无责任", "No liability"),
    "待交警认定": ("待交警认定", "Left to the police"),
}
_PAYOUT_COVER: dict[str, Pair] = {
    "jqx_at_fault": ("交强险（有责）", "Compulsory insurance, at fault"),
    "jqx_no_fault": ("交强险（无责）", "Compulsory insurance, not at fault"),
    "jqx_no_fault_proxy": ("交强险无责代赔", "Compulsory insurance, no-fault share paid by proxy"),
    "jqx_hupeng_zipei": ("互碰自赔", "Each insurer pays its own car (互碰自赔)"),
    "uninsured_within_jqx_limit": (
        "未投保交强险方在交强险限额内自付",
        "Uninsured party pays within the compulsory limit",
    ),
    "commercial_third_party": ("商业三者险", "Commercial third-party cover"),
    "tortfeasor_personally": ("责任方自行赔付", "Paid by the liable party personally"),
    "own_damage_or_self": ("车损险或自担", "Own-damage cover or own pocket"),
}
_STATUTE: dict[str, Pair] = {
    "道交法": ("《道路交通安全法》", "Road Traffic Safety Law"),
    "实施条例": ("《道路交通安全法实施条例》", "Road Traffic Safety Law Implementing Regulations"),
    "程序规定": ("《道路交通事故处理程序规定》", "Provisions on Road Traffic Accident Procedure"),
    "交强险条例": ("《机动车交通事故责任强制保险条例》", "Compulsory Motor Insurance Regulations"),
    "商业险示范条款": ("《机动车综合商业保险示范条款》", "Model Commercial Motor Clauses"),
    "互碰自赔办法": ("《交强险财产损失“互碰自赔”处理办法》", "Mutual Self-Compensation Rules"),
    "交强险理赔实务规程": ("《交强险理赔实务规程》", "Compulsory Insurance Claims Practice"),
    "12123快处条件": ("交管12123“事故快处”受理条件", "12123 quick-handling conditions"),
}

# --- cases, staff, audit, claims ------------------------------------------------------------

_CASE_STATUS: dict[str, Pair] = {
    "awaiting_party": ("等待对方加入", "Awaiting the other party"),
    "collecting": ("补充材料中", "Collecting"),
    "statements_complete": ("陈述已齐", "Statements complete"),
    "liability_proposed": ("已出责任建议", "Liability proposed"),
    "agreed": ("已协商一致", "Agreed"),
    "police_review": ("待交警认定", "Police review"),
    "determined": ("已认定", "Determined"),
    "on_scene": ("转现场处理", "Handled on scene"),
    "claimed": ("已报案理赔", "Claimed"),
    "mediation": ("调解中", "Mediation"),
    "closed": ("已结案", "Closed"),
    "withdrawn": ("已撤回", "Withdrawn"),
}
_STAFF_ROLE: dict[str, Pair] = {
    "reviewer": ("审核民警", "Reviewer"),
    "supervisor": ("监督员", "Supervisor"),
    "admin": ("管理员", "Administrator"),
}
_AUDIT_ACTION: dict[str, Pair] = {
    "auth.login": ("登录", "Sign-in"),
    "security.rate_limited": ("尝试过于频繁被限制", "Rate limit reached"),
    "auth.wechat_login": ("当事人微信登录", "Driver's WeChat sign-in"),
    "phone.verify": ("验证手机号", "Verified a phone number"),
    "auth.logout": ("退出登录", "Sign-out"),
    "auth.session_expired": ("会话超时", "Session expired"),
    "queue.view": ("查看待审队列", "Viewed the queue"),
    "case.view": ("查看案件", "Viewed the case"),
    "case.claim": ("领取案件", "Took the case"),
    "case.determine": ("作出责任认定", "Determined liability"),
    "case.request_retake": ("要求补拍照片", "Asked for photos to be retaken"),
    "case.refuse": ("不予快处", "Refused quick handling"),
    "case.regrade": ("更正损伤等级", "Corrected the damage grade"),
    "case.release": ("释放案件", "Released the case"),
    "case.reassign": ("改派案件", "Reassigned the case"),
    "case.search": ("检索案件", "Searched cases"),
    "history.view": ("查看已办案件", "Viewed decided cases"),
    "photo.view": ("查看照片", "Viewed a photo"),
    "pii.reveal": ("查看完整个人信息", "Revealed personal data"),
    "document.view": ("查看文书", "Viewed a document"),
    "document.download": ("下载文书", "Downloaded a document"),
    "dashboard.view": ("查看监督看板", "Viewed the dashboard"),
    "audit.view": ("查看审计日志", "Viewed the audit trail"),
    "staff.create": ("创建民警账号", "Created a staff account"),
    "insurer.file_claim": ("向保险公司报案", "Filed a claim with the insurer"),
    "case.open": ("发起案件", "Opened the case"),
    "photo.upload": ("上传现场照片", "Uploaded a photo"),
    "case.invite": ("邀请对方当事人", "Invited the other party"),
    "case.join": ("加入案件", "Joined the case"),
    "case.details": ("填写当事人信息", "Gave party details"),
    "case.statement": ("提交事故陈述", "Gave a statement"),
    "case.withdraw": ("撤回案件", "Withdrew the case"),
    "liability.propose": ("生成责任方案", "Liability proposed"),
    "liability.accept": ("接受责任方案", "Accepted the proposal"),
    "liability.decline": ("拒绝责任方案", "Declined the proposal"),
    "agreement.request_signature": ("申请签署确认码", "Asked to sign"),
    "agreement.sign": ("签署协议书", "Signed the agreement"),
    "determination.reconsideration": ("申请复核", "Asked for reconsideration"),
    "case.return_to_police": ("补拍后交回交警", "Returned to the police after retaking photos"),
    "claim.file": ("生成理赔报案", "Claims filed"),
    "claim.filed": ("保险公司受理报案", "Insurer took the claim"),
    "claim.reconcile": ("核对保险公司理赔状态", "Claim reconciled with the insurer"),
    "claim.update": ("更新理赔", "Claim updated"),
    "claim.assess": ("保险公司定损", "Insurer assessed the loss"),
    "claim.list": ("保险公司查询理赔", "Insurer listed the claim"),
    "claim.view": ("保险公司查看理赔", "Insurer viewed the claim"),
    "evidence.download": ("保险公司下载证据", "Insurer downloaded evidence"),
    "mediation.request": ("申请诉前调解", "Asked for mediation"),
    "mediation.receipt": ("调解平台受理", "Mediation platform registered the dispute"),
    "mediation.report": ("调解进展", "Mediation progress"),
    "insurer.cancel_claim": ("撤销保险报案", "Cancelled a claim with the insurer"),
    "case.reconsideration": ("作出复核结论", "Concluded the reconsideration"),
    "claim.cancel": ("撤回原认定的理赔报案", "Withdrew the revoked determination's claims"),
    "outbox.view": ("查看未送达消息", "Viewed the dead letters"),
    "outbox.show": ("查看一条待发消息", "Viewed an outbox message"),
    "outbox.replay": ("重新发送消息", "Replayed a dead letter"),
    "outbox.replay_all": ("重新发送全部未送达消息", "Replayed every dead letter"),
    "outbox.cancel": ("取消发送消息", "Cancelled an outbox message"),
}
# Actions named after the entry point they record ("api.<Handler>.<method>", "page:<Page>").
_AUDIT_ACTION_PREFIXES: tuple[tuple[str, Pair], ...] = (
    ("api.", ("接口调用", "API call")),
    ("page:", ("页面访问", "Page view")),
    ("claim.status.", ("保险公司更新理赔状态", "Insurer changed the claim status")),
)
_CLAIM_STATUS: dict[str, Pair] = {
    "filed": ("已报案", "Filed"),
    "acknowledged": ("保险公司已受理", "Acknowledged"),
    "received": ("保险公司已受理", "Received"),
    "under_assessment": ("定损中", "Under assessment"),
    "assessed": ("已定损", "Assessed"),
    "approved": ("已核赔", "Approved"),
    "rejected": ("已拒赔", "Rejected"),
    "paid": ("已赔付", "Paid"),
    "cancelled": ("已撤销", "Cancelled"),
}

_CLAIM_COVER: dict[str, Pair] = {
    "compulsory": ("交强险", "Compulsory third-party insurance"),
    "commercial_third_party": ("商业第三者责任险", "Commercial third-party cover"),
    "own_damage": ("车损险", "Own-damage cover"),
}

_ACTOR_KIND: dict[str, Pair] = {
    "driver": ("当事人", "Driver"),
    "staff": ("民警", "Staff"),
    "insurer": ("保险公司", "Insurer"),
    "system": ("系统", "System"),
}
_AUDIT_OUTCOME: dict[str, Pair] = {
    "success": ("成功", "Succeeded"),
    "failure": ("失败", "Failed"),
    "denied": ("被拒绝", "Denied"),
}
_DISPUTE_STAGE: dict[str, Pair] = {
    "received": ("法院已受理", "Received"),
    "mediating": ("调解中", "Mediating"),
    "mediation_failed": ("调解不成", "Mediation failed"),
    "awaiting_confirmation": ("待司法确认", "Awaiting judicial confirmation"),
    "confirmed": ("已司法确认", "Confirmed"),
    "confirmation_rejected": ("司法确认被驳回", "Confirmation refused"),
    "withdrawn": ("已撤回", "Withdrawn"),
}
_MEDIATION_RESULT: dict[str, Pair] = {
    "agreed": ("调解成功", "Agreed"),
    "failed": ("调解失败", "Failed"),
    "withdrawn": ("已撤回", "Withdrawn"),
}
_DISPUTE_ROLE: dict[str, Pair] = {
    "driver": ("驾驶人", "Driver"),
    "vehicle_owner": ("车辆所有人", "Vehicle owner"),
    "insurer": ("保险公司", "Insurer"),
}
_OUTBOX_STATUS: dict[str, Pair] = {
    "pending": ("待发送", "Pending"),
    "delivered": ("已送达", "Delivered"),
    "dead": ("发送失败（已停止重试）", "Failed, no more retries"),
    "cancelled": ("已取消发送", "Cancelled"),
}

_NOTICE: dict[str, Pair] = {
    "joined": ("对方已加入案件", "The other party joined"),
    "proposal_ready": ("责任方案已出", "The liability proposal is ready"),
    "police_decided": ("交警已作出事故认定", "The police decided"),
    "retake_asked": ("交警请您补拍照片", "The police ask for new photos"),
    "reconsidered": ("复核有结论", "The reconsideration is concluded"),
    "claim_filed": ("已向保险公司报案", "Claim filed with the insurer"),
    "claim_assessed": ("保险公司已定损", "The insurer assessed the loss"),
    "claim_paid": ("保险公司已赔付", "The insurer paid"),
    "mediation_outcome": ("调解有结果", "Mediation outcome"),
}
_RECONSIDERATION_STATUS: dict[str, Pair] = {
    "pending": ("复核申请已提交，等待上一级交警处理", "Reconsideration requested, pending"),
    "upheld": ("复核结论：维持原认定", "Reconsidered: the determination stands"),
    "redetermination_ordered": ("复核结论：撤销原认定，重新认定",
                                "Reconsidered: revoked, to be determined again"),
}
_OUTBOX_KIND: dict[str, Pair] = {
    "insurer.file_claim": ("向保险公司报案", "Claim filing to the insurer"),
    "insurer.cancel_claim": ("向保险公司撤销报案", "Claim cancellation to the insurer"),
    "mediation.submit_dispute": ("提交法院调解", "Dispute to court mediation"),
    "wechat.subscribe_message": ("微信订阅消息", "WeChat subscription message"),
}
_OUTBOX_PARTNER: dict[str, Pair] = {
    "court": ("法院调解平台", "Court mediation platform"),
    "wechat": ("微信", "WeChat"),
}
_RECONSIDERATION_OUTCOME: dict[str, Pair] = {
    "upheld": ("维持原事故认定", "The determination stands"),
    "redetermine": ("撤销原认定，责令重新认定", "Revoked; to be determined again"),
}

# --- loss ---------------------------------------------------------------------------------

_LOSS_GRADE: dict[str, Pair] = {
    "G0": ("G0 表面划痕", "G0 surface scratch"),
    "G1": ("G1 伤及漆面", "G1 through the paint"),
    "G2": ("G2 凹陷", "G2 dent"),
    "G3": ("G3 需更换部件", "G3 part to replace"),
    "G4": ("G4 结构性损伤", "G4 structural damage"),
}
_REPAIR_OPERATION: dict[str, Pair] = {
    "polish": ("抛光", "Polish"),
    "repaint": ("喷漆", "Repaint"),
    "repair_and_paint": ("钣金喷漆", "Repair and paint"),
    "replace": ("更换", "Replace"),
    "inspect": ("拆检", "Inspect"),
}
_LOSS_SOURCE: dict[str, Pair] = {
    "stated": ("当事人申报", "Stated by the party"),
    "estimate": ("平台估损", "Platform estimate"),
    "inspection_required": ("需保险公司查勘定损", "Insurer inspection required"),
    "not_stated": ("未申报", "Not stated"),
    "assessor": ("保险公司定损", "Insurer assessment"),
    "reviewer": ("民警更正", "Corrected by the reviewer"),
}
_INSURER: dict[str, Pair] = {
    "PICC": ("中国人民财产保险股份有限公司", "PICC Property and Casualty"),
    "CPIC": ("中国太平洋财产保险股份有限公司", "China Pacific Property Insurance"),
    "PING_AN": ("中国平安财产保险股份有限公司", "Ping An Property & Casualty"),
    "CHINA_LIFE": ("中国人寿财产保险股份有限公司", "China Life Property & Casualty"),
    "CCIC": ("中国大地财产保险股份有限公司", "China Continent Property & Casualty"),
    "TAIPING": ("太平财产保险有限公司", "Taiping General Insurance"),
    "SUNSHINE": ("阳光财产保险股份有限公司", "Sunshine Property and Casualty"),
}
_CONFIDENCE: dict[str, Pair] = {
    "high": ("高", "High"),
    "medium": ("中", "Medium"),
    "low": ("低", "Low"),
}

_ERROR_CODE: dict[str, Pair] = {
    # The stable codes of settlement/errors.py, as audit entries record refusals and failures.
    "INVALID_INPUT": ("输入有误", "Invalid input"),
    "MALFORMED_BODY": ("请求格式错误", "Malformed request"),
    "UNSUPPORTED_MEDIA_TYPE": ("不支持的内容类型", "Unsupported content type"),
    "PAYLOAD_TOO_LARGE": ("请求内容过大", "Request too large"),
    "IDEMPOTENCY_KEY_REUSED": ("幂等键被重复用于不同请求", "Idempotency key reused"),
    "NOT_AUTHENTICATED": ("未登录或登录已失效", "Not signed in"),
    "TOKEN_EXPIRED": ("登录已过期", "Sign-in expired"),
    "INVALID_LOGIN_CODE": ("登录码无效或已过期", "Invalid or expired login code"),
    "NOT_PERMITTED": ("无权操作", "Not permitted"),
    "ACCOUNT_LOCKED": ("账号已锁定", "Account locked"),
    "NOT_FOUND": ("未找到", "Not found"),
    "CASE_NOT_FOUND": ("案件不存在", "Case not found"),
    "CLAIM_NOT_FOUND": ("理赔不存在", "Claim not found"),
    "PHOTO_NOT_FOUND": ("照片不存在", "Photo not found"),
    "JOIN_CODE_INVALID": ("邀请码无效或已过期", "Invalid or expired join code"),
    "ALREADY_EXISTS": ("已存在", "Already exists"),
    "ILLEGAL_TRANSITION": ("案件当前状态不允许此操作", "Not allowed in the case's state"),
    "PRECONDITION_FAILED": ("前提条件不满足", "Precondition not met"),
    "CONCURRENT_UPDATE": ("已被他人修改", "Changed by someone else"),
    "REQUEST_IN_PROGRESS": ("相同请求处理中", "Same request in progress"),
    "RATE_LIMITED": ("尝试过于频繁，已限流", "Too many attempts (rate limited)"),
    "DATABASE_UNAVAILABLE": ("数据库暂不可用", "Database unavailable"),
    "UPSTREAM_UNAVAILABLE": ("外部服务（如微信）不可用", "Partner service unavailable"),
    "UPSTREAM_TIMEOUT": ("外部服务超时", "Partner service timed out"),
    "UPSTREAM_REJECTED": ("外部服务拒绝", "Refused by the partner service"),
    "UPSTREAM_THROTTLED": ("外部服务限流", "Throttled by the partner service"),
    "UPSTREAM_NOT_FOUND": ("外部服务无此记录", "Not found at the partner service"),
    "UPSTREAM_AUTH_FAILED": ("外部服务拒绝本系统凭据", "Partner refused our credentials"),
    "RECIPIENT_REFUSED": ("接收方拒收", "Refused by the recipient"),
    "OUTBOX_MESSAGE_NOT_FOUND": ("待发消息不存在", "Outbox message not found"),
    "PHOTO_REJECTED": ("照片不符合取证要求", "Photo rejected"),
    "CORRUPT_IMAGE": ("图片已损坏", "Corrupt image"),
    "MALFORMED_EXIF": ("图片EXIF信息异常", "Malformed EXIF"),
    "IMAGE_TOO_LARGE": ("图片尺寸过大", "Image too large"),
    "EMPTY_UPLOAD": ("上传内容为空", "Empty upload"),
    "DETERMINATION_REFUSED": ("认定不符合规则或法律", "Determination not allowed"),
}

_TABLE: dict[str, dict[str, Pair]] = {
    "fact_field": _FACT_FIELDS,
    "road_type": _ROAD_TYPE,
    "intersection": _INTERSECTION,
    "time": _TIME,
    "gradient": _GRADIENT,
    "centre_line": _CENTRE_LINE,
    "lane_line": _LANE_LINE,
    "dedicated_lane": _DEDICATED_LANE,
    "narrow_section": _NARROW_SECTION,
    "site_features": _SITE_FEATURES,
    "signs": _SIGNS,
    "markings": _MARKINGS,
    "type": _VEHICLE_TYPE,
    "plate": _PLATE,
    "manoeuvre": _MANOEUVRE,
    "signal_faced": _SIGNAL,
    "indicator": _INDICATOR,
    "damage_location": _DAMAGE_LOCATION,
    "position": _POSITION,
    "slope_direction": _SLOPE_DIRECTION,
    "approach_from": _APPROACH_FROM,
    "bool": _BOOL,
    "weather": _WEATHER,
    "party": _PARTY,
    "photo_slot": _PHOTO_SLOT,
    "photo_verdict": _PHOTO_VERDICT,
    "photo_flag": _PHOTO_FLAG,
    "route": _ROUTE,
    "refusal_reason": _REFUSAL_REASON,
    "liability": _LIABILITY,
    "payout_cover": _PAYOUT_COVER,
    "statute": _STATUTE,
    "case_status": _CASE_STATUS,
    "staff_role": _STAFF_ROLE,
    "audit_action": _AUDIT_ACTION,
    "claim_status": _CLAIM_STATUS,
    "claim_cover": _CLAIM_COVER,
    "actor_kind": _ACTOR_KIND,
    "audit_outcome": _AUDIT_OUTCOME,
    "dispute_stage": _DISPUTE_STAGE,
    "mediation_result": _MEDIATION_RESULT,
    "dispute_party_role": _DISPUTE_ROLE,
    "outbox_status": _OUTBOX_STATUS,
    "notice": _NOTICE,
    "reconsideration_status": _RECONSIDERATION_STATUS,
    "reconsideration_outcome": _RECONSIDERATION_OUTCOME,
    "outbox_kind": _OUTBOX_KIND,
    "outbox_partner": _OUTBOX_PARTNER,
    "loss_grade": _LOSS_GRADE,
    "repair_operation": _REPAIR_OPERATION,
    "confidence": _CONFIDENCE,
    "loss_source": _LOSS_SOURCE,
    "insurer": _INSURER,
    "error_code": _ERROR_CODE,
}

LABELS: Final[Mapping[str, Mapping[str, Pair]]] = MappingProxyType(
    {kind: MappingProxyType(codes) for kind, codes in _TABLE.items()}
)
"""kind → code → (zh, en), read-only."""

KINDS: tuple[str, ...] = tuple(LABELS)


def _pair(kind: str, code: str) -> Pair | None:
    pair = LABELS.get(kind, {}).get(code)
    if pair is None and kind == "audit_action":
        pair = next((p for prefix, p in _AUDIT_ACTION_PREFIXES if code.startswith(prefix)), None)
    return pair


def has_label(kind: str, code: str) -> bool:
    """Whether ``code`` of ``kind`` has a label of its own."""
    return _pair(kind, code) is not None


def label(kind: str, code: str, lang: str = DEFAULT_LANG) -> str:
    """The label of ``code`` (a vocabulary value, or for ``fact_field`` a key) in ``lang``.

    Args:
        kind: the vocabulary, e.g. ``"manoeuvre"``, ``"case_status"`` (see :data:`KINDS`).
        code: the stable code; booleans as ``"true"``/``"false"``.
        lang: ``"zh"`` (default) or ``"en"``; anything else reads as ``"zh"``.

    Returns:
        The label, or the code itself when it has none (a visible gap, not an error).
    """
    pair = _pair(kind, code)
    if pair is None:
        return code
    return pair[1] if lang == "en" else pair[0]


def all_labels() -> dict[str, dict[str, dict[str, str]]]:
    """Every label as JSON: ``{kind: {code: {"zh": …, "en": …}}}`` (a fresh copy)."""
    return {
        kind: {code: {"zh": zh, "en": en} for code, (zh, en) in codes.items()}
        for kind, codes in LABELS.items()
    }
