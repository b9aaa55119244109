"""What the issued documents say: the 自行协商协议书 and the 事故认定书, as canonical JSON.

程序规定第二十一条 lists what a self-negotiation agreement records: time, place, weather, the
parties' names, licence or ID numbers and contacts, vehicle types and plates, insurers and
policy numbers, the collision type (事故形态), the collision parts (碰撞部位) and each party's
liability, signed by both parties. :func:`agreement_terms` builds exactly that (plus the
payout the parties agree on) from a case; :func:`agreement_content` adds the signatures.

A document is identified by the SHA-256 of its canonical JSON (:func:`content_sha256`): keys
sorted, no insignificant whitespace, UTF-8. The hash is printed on the PDF, so anyone holding
a paper copy can ask the service whether that document was issued, without the PDF bytes
(whose layout may change between renderer versions) being part of the identity.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from settlement.domain.case import Case, Party
from settlement.domain.labels import label

AGREEMENT = "agreement"
DETERMINATION = "determination"
VERIFY_PATH = "/api/v1/documents/{sha256}/verify"
VERIFY_PAGE = "/verify/{sha256}"
"""The page a QR code on a document opens: HTML for people, JSON for machines."""

# Dates on the documents are Beijing time, as the parties and the police read them.
CHINA_TIME = timezone(timedelta(hours=8), "CST")

WEATHER_ZH: Mapping[str, str] = {
    "clear": "晴", "cloudy": "阴", "rain": "雨", "heavy_rain": "大雨", "snow": "雪",
    "fog": "雾", "haze": "霾", "wind": "大风",
}  # fmt: skip
ROAD_TYPE_ZH: Mapping[str, str] = {
    "urban_road": "城市道路", "suburban_road": "城郊道路", "highway": "高速公路",
    "urban_expressway": "城市快速路", "urban_one_way_street": "城市单行道",
    "two_way_road": "双向道路", "parking_lot": "停车场", "roadside_marked_parking": "路边停车位",
}  # fmt: skip
VEHICLE_TYPE_ZH: Mapping[str, str] = {
    "small_car": "小型汽车", "light_truck": "轻型货车", "bus": "客车",
    "hazmat_tanker": "危险品罐车",
}  # fmt: skip
DAMAGE_ZH: Mapping[str, str] = {
    "front": "车头", "rear": "车尾", "left_front": "左前部", "right_front": "右前部",
    "left_rear": "左后部", "right_rear": "右后部", "left_side": "左侧", "right_side": "右侧",
    "left_front_corner": "左前角", "left_front_door": "左前门", "right_rear_door": "右后门",
    "left_side_and_front": "左侧及车头", "front_structural": "车头（结构件）",
    "bonnet_windscreen": "引擎盖及前挡风玻璃", "none": "无损坏",
}  # fmt: skip
MANOEUVRE_ZH: Mapping[str, str] = {
    "straight": "直行", "straight_on_major_road": "在主路直行",
    "straight_from_minor_road": "从支路直行", "stationary": "静止",
    "stopped_in_queue": "停车等候", "stopped_broken_down_in_lane": "故障停于车道内",
    "parked_lawfully_unattended": "依法停放（无人）", "reversing": "倒车",
    "reversing_out_of_bay": "倒车出车位", "rolling_back": "溜车", "door_opening": "开车门",
    "lane_change_left": "向左变道", "lane_change_right": "向右变道",
    "lane_change_into_bus_lane": "变道驶入公交专用道", "cutting_into_queue": "加塞",
    "overtaking": "超车", "overtaking_on_right": "从右侧超车",
    "overtaking_across_centre_line": "越过中心线超车", "left_turn": "左转弯",
    "right_turn": "右转弯", "u_turn": "掉头", "wrong_way": "逆行",
    "entering_roundabout": "驶入环岛", "circulating_in_roundabout": "在环岛内行驶",
    "merging_from_ramp": "从匝道汇入", "entering_road_from_private_access": "从路外驶入道路",
    "pulling_out_from_parking": "起步驶出停车位", "parking_in": "停车入位",
    "deliberate_sudden_braking": "故意急刹",
}  # fmt: skip
COVER_ZH: Mapping[str, str] = {
    "jqx_at_fault": "交强险（有责）财产损失赔偿",
    "jqx_no_fault": "交强险（无责）财产损失赔偿",
    "jqx_no_fault_proxy": "交强险无责代赔",
    "jqx_hupeng_zipei": "交强险互碰自赔",
    "uninsured_within_jqx_limit": "未投保交强险一方在交强险限额内自行赔偿",
    "commercial_third_party": "商业第三者责任险按责赔偿",
    "tortfeasor_personally": "责任方自行赔偿",
    "own_damage_or_self": "本车损失险或自行承担",
}
REVIEW_NOTICE = (
    "当事人对道路交通事故认定有异议的，可以自道路交通事故认定书送达之日起三日内，"
    "向上一级公安机关交通管理部门提出书面复核申请（《道路交通事故处理程序规定》第七十一条）；"
    "对损害赔偿有争议的，可以申请人民调解委员会调解，或者向人民法院提起民事诉讼。"
)
_FRONT = frozenset({"front", "left_front", "right_front", "left_front_corner", "front_structural",
                    "bonnet_windscreen"})
_REAR = frozenset({"rear", "left_rear", "right_rear"})
_SIDE = frozenset({"left_side", "right_side", "left_front_door", "right_rear_door",
                   "left_side_and_front"})


def canonical_json(content: Mapping[str, Any]) -> bytes:
    """The one byte form a document's hash is taken over (sorted keys, compact, UTF-8)."""
    return json.dumps(
        content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode("utf-8")


def content_sha256(content: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of :func:`canonical_json`: the identity printed on a document."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


def china_time(moment: datetime) -> str:
    """``2026-11-20 08:30`` in Beijing time."""
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


def collision_type(damage_a: str | None, damage_b: str | None) -> str:
    """事故形态 from where each car was hit (a plain reading, e.g. front into rear = 追尾)."""
    parts = {damage_a, damage_b}
    if (damage_a in _FRONT and damage_b in _REAR) or (damage_b in _FRONT and damage_a in _REAR):
        return "追尾碰撞"
    if damage_a in _FRONT and damage_b in _FRONT:
        return "正面碰撞"
    if parts & _SIDE:
        return "侧面碰撞（刮擦）"
    if damage_a in _REAR and damage_b in _REAR:
        return "倒车碰撞"
    return "其他碰撞"


def _party_record(party: Party) -> dict[str, Any]:
    details = party.details
    statement = party.statement
    own = dict(statement.own_vehicle) if statement else {}
    damage = own.get("damage_location")
    manoeuvre = own.get("manoeuvre")
    return {
        "label": party.label,
        "name": details.name if details else "",
        "licence_number": details.licence_number if details else "",
        "licence_class": details.licence_class if details else "",
        "phone": details.phone if details else "",
        "plate": details.plate if details else "",
        "vehicle_type": VEHICLE_TYPE_ZH.get(details.vehicle_type, details.vehicle_type)
        if details else "",
        "insurer": label("insurer", details.insurer_code) if details else "",
        "policy_number": details.policy_number if details else "",
        "manoeuvre": MANOEUVRE_ZH.get(str(manoeuvre), "未陈述") if manoeuvre else "未陈述",
        "collision_part": DAMAGE_ZH.get(str(damage), "未陈述") if damage else "未陈述",
        "statement": statement.narrative if statement else "",
    }


def _scene(case: Case) -> dict[str, Any]:
    scene = case.scene
    return {
        "time": china_time(scene.occurred_at),
        "place": scene.address,
        "weather": WEATHER_ZH.get(scene.weather, scene.weather),
        "road_type": ROAD_TYPE_ZH.get(scene.road_type, scene.road_type),
        "coordinates": f"{scene.location.latitude:.5f},{scene.location.longitude:.5f}",
        "description": scene.description,
    }


def _facts(case: Case, parties: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    damage = {
        label: (p.statement.own_vehicle.get("damage_location") if p.statement else None)
        for label, p in case.parties.items()
    }
    summary = "；".join(
        f"{label}车{parties[label]['manoeuvre']}，碰撞部位{parties[label]['collision_part']}"
        for label in sorted(parties)
    )
    return {
        "collision_type": collision_type(damage.get("A"), damage.get("B")),
        "summary": summary,
    }


def _payout_lines(payout: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    if not payout:
        return []
    lines = []
    for line in payout.get("breakdown") or []:
        if not line.get("amount"):
            continue  # a zero payment is no term of the agreement
        lines.append({
            "cover": COVER_ZH.get(str(line.get("cover")), str(line.get("cover"))),
            "liable_party": line.get("liable_party"),
            "payee": line.get("payee"),
            "paid_by_insurer_of": line.get("paid_by_insurer_of"),
            "amount": line.get("amount"),
            "basis": list(line.get("basis") or []),
        })
    return lines


def agreement_terms(case: Case) -> dict[str, Any]:
    """The terms both parties sign: every 程序规定第二十一条 item plus the agreed payout.

    Args:
        case: a case with a liability proposal (``case.proposal``) and both parties' details.

    Returns:
        A JSON-ready dict; its :func:`content_sha256` is what each signature confirms.
    """
    proposal = case.proposal or {}
    parties = {label: _party_record(p) for label, p in sorted(case.parties.items())}
    liability = dict(proposal.get("liability") or {})
    loss = proposal.get("loss") or {}
    return {
        "kind": AGREEMENT,
        "title": "机动车交通事故快速处理协议书（自行协商）",
        "case_id": case.id,
        "scene": _scene(case),
        "parties": parties,
        "facts": _facts(case, parties),
        "liability": {
            "levels": liability,
            "rules": [
                {
                    "id": rule.get("id"),
                    "legal_basis": list(rule.get("legal_basis") or []),
                    "explanation": rule.get("explanation_zh"),
                }
                for rule in proposal.get("rules") or []
            ],
            "basis": proposal.get("basis", ""),
            "catalogue_version": proposal.get("catalogue_version", ""),
        },
        "compensation": {
            "losses": {
                label: {"amount": (loss.get(label) or {}).get("amount"),
                        "source": (loss.get(label) or {}).get("source")}
                for label in parties
            },
            "payments": _payout_lines(proposal.get("payout")),
            "note": "交强险先行赔付，超出部分由商业第三者责任险按责任比例赔付（民法典第1213条）。",
        },
        "legal_basis": ["道路交通事故处理程序规定第十九条", "道路交通事故处理程序规定第二十条",
                        "道路交通事故处理程序规定第二十一条", "道路交通事故处理程序规定第二十二条"],
    }


def agreement_content(case: Case) -> dict[str, Any]:
    """The whole agreement as issued: the terms plus who signed them and when."""
    terms = agreement_terms(case)
    signatures = (case.agreement or {}).get("signatures") or {}
    terms["terms_sha256"] = content_sha256(agreement_terms(case))
    terms["signatures"] = {
        label: {
            "name": terms["parties"][label]["name"],
            "signed_at": china_time(sig["signed_at"]),
            "method": "微信小程序登录 + 一次性签署确认码",
        }
        for label, sig in sorted(signatures.items())
        if label in terms["parties"]
    }
    return terms


def determination_content(
    case: Case, determination: Mapping[str, Any] | None = None, district: str = ""
) -> dict[str, Any]:
    """The 道路交通事故认定书（简易程序/在线认定） content for a police determination.

    It states the facts, the rule applied with its text, the substantive article(s) and the
    procedural basis, each party's liability, the officer and the 复核 notice.

    Args:
        case: the case the police decided.
        determination: the decision record
            (:func:`settlement.domain.determination.determination_record`);
            ``case.determination`` when omitted.
        district: the issuing authority's full name, if known.
    """
    decision = dict(determination if determination is not None else case.determination or {})
    parties = {label: _party_record(p) for label, p in sorted(case.parties.items())}
    decided_at = decision.get("decided_at")
    officer = dict(decision.get("officer") or {})
    return {
        "kind": DETERMINATION,
        "title": "道路交通事故认定书（简易程序）",
        "case_id": case.id,
        "issuer": officer.get("authority") or district or case.jurisdiction,
        "scene": _scene(case),
        "parties": parties,
        "facts": _facts(case, parties),
        "liability": {
            "levels": dict(decision.get("levels") or {}),
            "rule": decision.get("rule", ""),
            "rule_title": decision.get("rule_title", ""),
            "rule_text": decision.get("rule_text", ""),
            "basis": list(decision.get("basis") or []),
            "note": decision.get("note", ""),
            "reason": decision.get("reason", ""),
        },
        "reviewer": decision.get("reviewer", ""),
        "officer": {
            "name": officer.get("name", ""),
            "badge_number": officer.get("badge_number", ""),
        },
        "decided_at": china_time(decided_at) if isinstance(decided_at, datetime) else "",
        "legal_basis": list(decision.get("procedural_basis") or [
            "《道路交通事故处理程序规定》(公安部令第146号)第20条",
            "《道路交通事故处理程序规定》(公安部令第146号)第60条",
        ]),
        "remedy": REVIEW_NOTICE,
    }
