"""The console's message catalogue: Chinese first, English on request (cookie ``lang``)."""

from __future__ import annotations

import functools
import re
from typing import Literal

from settlement.domain.labels import label as domain_label
from settlement.domain.loss import default_catalogue

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"

MESSAGES: dict[str, tuple[str, str]] = {
    "app.title": ("交通事故快处快赔 · 民警审核台", "Quick Accident Settlement · Police Console"),
    "nav.queue": ("待审队列", "Queue"),
    "nav.supervision": ("监督看板", "Supervision"),
    "nav.audit": ("审计日志", "Audit trail"),
    "nav.staff": ("账号管理", "Staff"),
    "nav.logout": ("退出", "Sign out"),
    "nav.lang": ("English", "中文"),
    "login.title": ("民警登录", "Staff sign-in"),
    "login.username": ("用户名", "Username"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.failed": ("用户名或密码错误。", "Wrong username or password."),
    "login.locked": (
        "连续登录失败次数过多，账号已锁定 15 分钟。",
        "Too many failed sign-ins: the account is locked for 15 minutes.",
    ),
    "login.hint": (
        "连续 5 次输错密码将锁定 15 分钟；闲置 30 分钟自动退出。",
        "5 wrong passwords lock the account for 15 minutes; idle sessions end after 30 minutes.",
    ),
    "queue.title": ("待审案件", "Cases waiting for review"),
    "queue.empty": ("辖区内暂无待审案件。", "No case is waiting in your jurisdiction."),
    "queue.case": ("案件编号", "Case"),
    "queue.occurred": ("事故时间", "Occurred"),
    "queue.place": ("地点", "Place"),
    "queue.waiting": ("已等待", "Waiting"),
    "queue.sla": ("时限", "SLA"),
    "queue.claimed": ("审核人", "Reviewer"),
    "queue.claim": ("领取", "Take"),
    "queue.open": ("打开", "Open"),
    "queue.overdue": ("已超时", "Overdue"),
    "queue.left": ("剩余", "left"),
    "queue.unclaimed": ("未领取", "Unclaimed"),
    "queue.jurisdiction": ("辖区", "Jurisdiction"),
    "minutes": ("分钟", "min"),
    "review.title": ("案件审核", "Case review"),
    "review.status": ("状态", "Status"),
    "review.scene": ("事故概况", "Scene"),
    "review.photos": ("现场照片", "Scene photos"),
    "review.no_photos": ("暂无照片。", "No photos yet."),
    "review.photos_unavailable": ("本系统未启用照片证据。", "Photo evidence is not enabled."),
    "review.flags": ("核验提示", "Verification flags"),
    "review.duplicate": ("疑似重复照片，另见案件", "Possible reused photo, also in case"),
    "review.exact": ("完全相同", "identical"),
    "review.distance": ("相似度差异", "distance"),
    "review.parties": ("当事人信息", "Parties"),
    "review.party": ("当事人", "Party"),
    "review.statements": ("双方陈述对比", "Statements side by side"),
    "review.conflict": ("陈述不一致", "Conflicting"),
    "review.proposal": ("系统责任建议", "Engine proposal"),
    "review.no_proposal": ("暂无系统建议。", "No proposal from the engine."),
    "review.rule": ("适用规则", "Rule"),
    "review.basis": ("法律依据", "Legal basis"),
    "review.loss": ("损失评估", "Loss assessment"),
    "review.no_loss": ("暂无损失评估。", "No loss assessment."),
    "review.actions": ("审核处理", "Decision"),
    "review.reason": ("理由（必填）", "Reason (required)"),
    "review.determine": ("作出责任认定", "Determine liability"),
    "review.level": ("责任", "Liability"),
    "review.note": ("认定说明", "Note"),
    "review.retake": ("要求补拍/重拍照片", "Ask for photos to be retaken or added"),
    "review.refuse": ("不予快处，转现场处理", "Refuse quick handling (on scene)"),
    "review.claim_first": ("请先领取该案件再处理。", "Take the case before deciding it."),
    "review.claimed_by": ("该案件由其他民警处理中：", "Another officer is handling this case:"),
    "review.reveal": ("查看", "Reveal"),
    "review.reveal_reason": ("查看理由", "Reason to view"),
    "review.document": ("查看事故认定书", "Open the determination"),
    "review.waiting": ("已等待", "Waiting"),
    "review.requests": ("补拍记录", "Retake requests"),
    "field.name": ("姓名", "Name"),
    "field.id_number": ("身份证号", "ID number"),
    "field.phone": ("手机号", "Phone"),
    "field.licence_number": ("驾驶证号", "Licence no."),
    "field.licence_class": ("准驾车型", "Licence class"),
    "field.plate": ("号牌", "Plate"),
    "field.vehicle_type": ("车辆类型", "Vehicle type"),
    "field.insurer_code": ("保险公司", "Insurer"),
    "field.policy_number": ("保单号", "Policy no."),
    "section.vehicle_A": ("甲车（A）", "Vehicle A"),
    "section.vehicle_B": ("乙车（B）", "Vehicle B"),
    "section.location": ("现场", "Scene"),
    "section.flags": ("情形", "Flags"),
    "section.narrative": ("陈述", "Narrative"),
    "doc.title": ("道路交通事故认定书（简易程序）", "Road traffic accident determination"),
    "doc.number": ("编号", "Number"),
    "doc.hash": ("SHA-256 校验值", "SHA-256 verification hash"),
    "doc.verified": ("内容与签发时一致", "Content matches the issued hash"),
    "doc.tampered": ("内容与签发时不一致！", "Content does NOT match the issued hash!"),
    "doc.print": ("打印", "Print"),
    "doc.authority": ("认定机关", "Authority"),
    "doc.issued": ("签发时间", "Issued"),
    "doc.reviewer": ("承办民警", "Officer"),
    "dash.title": ("监督看板", "Supervision dashboard"),
    "dash.per_day": ("每日案件量（近 14 天）", "Cases per day (14 days)"),
    "dash.ttd": ("认定用时中位数（分钟）", "Median time to decision (minutes)"),
    "dash.opened": ("新立案件", "Opened"),
    "dash.decided": ("已处理", "Decided"),
    "dash.waiting": ("待审", "Waiting"),
    "dash.median": ("中位用时", "Median"),
    "dash.p90": ("90% 用时", "p90"),
    "dash.within_sla": ("时限内完成", "Within SLA"),
    "dash.overrule": ("改变系统建议比例", "Engine overruled"),
    "dash.by_reviewer": ("按民警", "By officer"),
    "dash.fraud": ("欺诈风险提示", "Fraud signals"),
    "dash.reused": ("重复使用的照片", "Reused photos"),
    "dash.recurring": ("多次出现的车辆/人员", "Recurring vehicles and people"),
    "dash.none": ("无", "None"),
    "dash.cases": ("涉及案件", "Cases"),
    "audit.title": ("审计日志", "Audit trail"),
    "audit.verify": ("校验审计日志", "Verify the audit log"),
    "audit.ok": ("审计日志完整", "The log is intact"),
    "audit.broken": ("审计日志被篡改", "The log was altered"),
    "audit.at": ("时间（北京）", "Time (UTC+8)"),
    "audit.actor": ("操作人", "Actor"),
    "audit.action": ("操作", "Action"),
    "audit.outcome": ("结果", "Outcome"),
    "audit.hash": ("哈希", "Hash"),
    "audit.details": ("详情", "Details"),
    "audit.any": ("全部操作", "Any action"),
    "audit.key.reason": ("理由", "Reason"),
    "audit.key.count": ("数量", "Count"),
    "audit.key.jurisdiction": ("辖区", "Jurisdiction"),
    "audit.key.username": ("用户名", "Username"),
    "audit.key.status": ("状态", "Status"),
    "audit.key.role": ("角色", "Role"),
    "audit.key.required_role": ("所需角色", "Role required"),
    "audit.key.photo_id": ("照片", "Photo"),
    "audit.key.party": ("当事人", "Party"),
    "audit.key.locked": ("已锁定", "Locked"),
    "audit.key.from": ("原审核人", "From"),
    "audit.key.to": ("改派给", "To"),
    "audit.key.field": ("字段", "Field"),
    "audit.key.error": ("错误", "Error"),
    "audit.key.phone": ("手机号", "Phone"),
    "audit.key.code_ref": ("登录码摘要", "Code digest"),
    "audit.key.wechat_errcode": ("微信错误码", "WeChat error code"),
    "audit.key.days": ("天数", "Days"),
    "audit.key.by": ("检索方式", "Searched by"),
    "audit.key.level_A": ("甲方责任", "Party A"),
    "audit.key.level_B": ("乙方责任", "Party B"),
    "audit.key.rule": ("适用情形", "Rule"),
    "audit.key.overrules_engine": ("改变系统建议", "Overrules the engine"),
    "audit.key.slots": ("补拍照片", "Photos"),
    "audit.key.grade": ("损伤等级", "Grade"),
    "audit.key.verified": ("校验哈希链", "Chain verified"),
    "audit.key.filter_case_id": ("筛选案件", "Case filter"),
    "audit.key.filter_actor": ("筛选操作人", "Actor filter"),
    "audit.key.filter_action": ("筛选操作", "Action filter"),
    "audit.reason.unknown_user": ("用户名不存在", "unknown user"),
    "audit.reason.wrong_password": ("密码错误", "wrong password"),
    "audit.reason.locked": ("账号已锁定", "account locked"),
    "audit.reason.not_found_or_other_jurisdiction": ("不存在或不属本辖区", "not found or other "
                                                     "jurisdiction"),
    "audit.by.id": ("案件编号", "case id"),
    "audit.by.plate": ("号牌", "plate"),
    "audit.by.date": ("日期", "date"),
    "search.title": ("案件检索", "Find a case"),
    "search.query": ("案件编号或号牌", "Case id or plate"),
    "search.date": ("事故日期", "Accident date"),
    "search.submit": ("查询", "Search"),
    "search.history": ("已办案件（最近认定）", "Recently decided cases"),
    "search.results": ("检索结果", "Results"),
    "search.none": ("没有符合条件的案件。", "No case matches."),
    "search.decided": ("认定结果", "Decision"),
    "search.bad_date": ("日期格式应为 年-月-日。", "Give the date as YYYY-MM-DD."),
    "status.refused": ("不予快处", "Refused"),
    "nav.search": ("检索 / 已办", "Search / history"),
    "dash.overdue": ("已超时", "Overdue"),
    "dash.at_risk": ("即将超时", "At risk"),
    "dash.waiting_list": ("待认定案件（按等待时间）", "Cases waiting for a decision"),
    "dash.held_for": ("领取时长", "Held for"),
    "dash.act": ("处置", "Action"),
    "dash.release": ("释放", "Release"),
    "dash.release_reason": ("释放理由", "Reason to release"),
    "dash.reassign": ("改派", "Reassign"),
    "dash.reassign_to": ("改派给", "Reassign to"),
    "dash.reassign_reason": ("改派理由", "Reason to reassign"),
    "audit.batch": ("封存批次", "Sealed in batch"),
    "audit.key.claims": ("理赔数", "Claims"),
    "audit.key.conclusion": ("复核结论", "Conclusion"),
    "audit.key.message_id": ("消息编号", "Message"),
    "audit.key.message_kind": ("消息类型", "Message kind"),
    "audit.key.partner": ("接收方", "Partner"),
    "nav.outbox": ("未送达消息", "Dead letters"),
    "outbox.title": ("对外消息：未送达与积压", "Partner messages: dead letters and backlog"),
    "outbox.backlog": ("各接收方积压", "Backlog per partner"),
    "outbox.backlog_empty": ("没有等待发送的消息。", "Nothing is waiting to be sent."),
    "outbox.partner": ("接收方", "Partner"),
    "outbox.pending": ("等待发送", "Pending"),
    "outbox.oldest": ("最早一条已等待", "Oldest waiting for"),
    "outbox.seconds": ("秒", "s"),
    "outbox.dead": ("未送达（已放弃重试）", "Dead letters (no more retries)"),
    "outbox.dead_count": ("未送达", "Dead"),
    "outbox.empty": ("没有未送达的消息。", "There are no dead letters."),
    "outbox.message": ("消息", "Message"),
    "outbox.kind": ("类型", "Kind"),
    "outbox.attempts": ("尝试次数", "Attempts"),
    "outbox.replays": ("重发次数", "Replays"),
    "outbox.dead_at": ("放弃时间", "Given up at"),
    "outbox.created": ("生成时间", "Created"),
    "outbox.delivered": ("送达时间", "Delivered"),
    "outbox.status": ("状态", "Status"),
    "outbox.key": ("关联", "About"),
    "outbox.request_id": ("请求编号（重发不变，接收方据此去重）",
                          "Request id (kept on replay; the partner deduplicates on it)"),
    "outbox.last_error": ("最后一次错误（接收方原文）", "Last error (as the partner said it)"),
    "outbox.payload": ("内容（个人信息已遮蔽）", "Content (personal data masked)"),
    "outbox.replay": ("重新发送", "Replay"),
    "outbox.replay_all": ("全部重新发送", "Replay all"),
    "outbox.cancel": ("取消发送", "Cancel"),
    "outbox.cancel_reason": ("取消理由（必填）", "Reason (required)"),
    "outbox.open": ("查看", "Open"),
    "outbox.back": ("返回列表", "Back to the list"),
    "done.replayed": ("已重新发送；接收方按原请求编号去重。",
                      "Replayed; the partner deduplicates on the original request id."),
    "done.replayed_all": ("已重新发送全部未送达消息。", "Every dead letter was replayed."),
    "done.cancelled": ("已取消发送。", "The message was cancelled."),
    "audit.key.slot": ("照片位置", "Photo"),
    "audit.key.claim_id": ("理赔编号", "Claim"),
    "audit.key.claim_status": ("理赔状态", "Claim status"),
    "audit.key.evidence_id": ("证据", "Evidence"),
    "staff.title": ("民警账号", "Staff accounts"),
    "staff.role": ("角色", "Role"),
    "staff.locked": ("锁定至", "Locked until"),
    "staff.add_hint": ("在服务器上用命令添加账号：", "Add an account on the server with:"),
    "error.title": ("无法完成请求", "The request could not be completed"),
    "error.back": ("返回", "Back"),
    "error.signin": ("请重新登录。", "Please sign in again."),
    "why.title": ("转交警原因", "Why this case is here"),
    "why.none": ("未记录转交原因。", "No reason recorded."),
    "why.declined": ("不同意系统责任建议，原话：", "declined the proposed liability, saying:"),
    "why.disputed": ("双方对事实有争议", "The parties dispute the facts"),
    "why.graded": ("系统建议为主次责任，须由交警确认", "The engine proposes a 主要/次要 split only "
                   "the police may confirm"),
    "why.conflicts": ("双方陈述有 {n} 处不一致", "{n} statements conflict"),
    "why.photo_reused": ("照片与其他案件完全相同（不得自行协商）",
                         "A photo is an exact copy of one in another case (no self-settlement)"),
    "why.photo_near": ("照片与其他案件高度相似", "A photo closely resembles one in another case"),
    "why.photo_flags": ("{n} 张照片有核验提示", "{n} photos carry verification flags"),
    "why.retakes": ("此前已要求补拍 {n} 次", "{n} earlier retake requests"),
    "why.referred": ("系统转交", "Referred by the system"),
    "why.reconsideration": ("对认定书申请复核，理由：",
                            "asked for a reconsideration (复核) of the determination, saying:"),
    "why.short.declined": ("当事人不同意", "Declined"),
    "why.short.disputed": ("事实争议", "Disputed facts"),
    "why.short.graded": ("主次责任待定", "Major/minor split"),
    "why.short.conflicts": ("陈述不一致", "Conflicting statements"),
    "why.short.photo_reused": ("照片与他案相同", "Photo from another case"),
    "why.short.photo_near": ("照片与他案相似", "Photo like another case's"),
    "why.short.photo_flags": ("照片有提示", "Photo flags"),
    "why.short.retakes": ("曾要求补拍", "Retaken before"),
    "why.short.referred": ("系统转交", "Referred"),
    "why.short.reconsideration": ("申请复核", "Reconsideration asked"),
    "why.redetermination": ("复核撤销了原认定，责令重新认定；复核理由：",
                            "a reconsideration revoked the determination; decide it again. "
                            "The reason given:"),
    "why.short.redetermination": ("复核后重新认定", "Decide again after reconsideration"),
    "recon.title": ("复核申请", "Requests for review"),
    "recon.empty": ("辖区内暂无复核申请。", "No party asked for a review in your jurisdiction."),
    "recon.decided": ("认定时间", "Determined"),
    "recon.party": ("申请人", "Asked by"),
    "recon.at": ("申请时间", "Asked at"),
    "recon.reason": ("理由", "Reason"),
    "recon.status": ("状态", "Status"),
    "recon.conclude": ("作出复核结论", "Conclude the reconsideration"),
    "recon.outcome": ("复核结论", "Conclusion"),
    "recon.upheld": ("维持原事故认定", "The determination stands"),
    "recon.redetermine": ("撤销原认定，责令重新认定（已报保险的理赔将撤回）",
                          "Revoke it and determine again (its insurance claims are withdrawn)"),
    "recon.conclusion_reason": ("复核理由（必填）", "Reason (required)"),
    "done.reconsidered": ("已作出复核结论。", "The reconsideration was concluded."),
    "st.fact": ("事实项", "Fact"),
    "st.says_a": ("当事人 A 所述", "Party A says"),
    "st.says_b": ("当事人 B 所述", "Party B says"),
    "review.weather": ("天气 / 道路", "Weather / road"),
    "review.reveal_field": ("要查看的字段", "Field to reveal"),
    "review.retake_slots": ("需要补拍的照片", "Photos to retake"),
    "proposal.liability": ("建议责任", "Proposed liability"),
    "proposal.proposed_liability": (
        "参考责任（待交警确认）", "Indicative liability (police to confirm)"
    ),
    "proposal.route": ("处理途径", "Route"),
    "loss.part": ("部件", "Part"),
    "loss.operation": ("作业", "Operation"),
    "loss.amount": ("金额", "Amount"),
    "loss.grade": ("损伤等级", "Damage grade"),
    "loss.regrade": ("更正损伤等级", "Correct the damage grade"),
    "loss.corrected": ("民警已更正：", "Corrected by"),
    "decide.search": ("搜索适用情形（编号或关键词）", "Search the rules (id or keyword)"),
    "decide.search_hint": ("如：追尾、S01、变道", "e.g. rear-end, S01, lane"),
    "decide.choose": ("请选择", "Choose"),
    "decide.other": ("其他情形（须注明法律依据）", "Other (legal basis required)"),
    "decide.basis_other": ("其他情形的法律依据", "Legal basis for “other”"),
    "decide.statute": ("法律法规", "Statute"),
    "decide.article": ("条款", "Article"),
    "decide.preview": ("预览认定书", "Preview the determination"),
    "decide.confirm_title": ("确认签发事故认定书", "Confirm the determination"),
    "decide.confirm_hint": (
        "以下为认定书将载明的内容。签发后不可撤回，请核对无误后确认。",
        "This is exactly what the document will say. Issuing cannot be undone.",
    ),
    "decide.confirm": ("确认并签发", "Confirm and issue"),
    "decide.edit": ("返回修改", "Back and edit"),
    "decide.error.levels_invalid": (
        "两方责任不能这样组合，请选择全部/无、主要/次要、同等/同等或无/无。",
        "These levels do not stand together: choose full/none, major/minor, equal/equal "
        "or none/none.",
    ),
    "decide.error.levels_mismatch": (
        "所选责任与适用情形规定的责任不一致，请核对。",
        "The levels chosen are not what the rule gives.",
    ),
    "decide.error.rule_required": ("请选择适用情形。", "Choose the rule applied."),
    "decide.error.rule_unknown": ("适用情形不在规则目录中。", "No such rule in the catalogue."),
    "decide.error.rule_routing": (
        "G 类规则只决定转交途径，不能作为责任认定依据。",
        "A routing rule (G…) sends a case to the police; it cannot decide liability.",
    ),
    "decide.error.basis_required": (
        "选择“其他情形”时必须注明法律依据。",
        "Name the legal basis when no catalogue rule applies.",
    ),
    "decide.error.basis_unknown": ("请从列表中选择法律法规。", "Choose a statute from the list."),
    "decide.error.article_invalid": (
        "条款格式应为“第43条”或“第44条第2款”。",
        "Write the article as cited, e.g. 第43条 or 第44条第2款.",
    ),
    "decide.error.reason": (
        "请填写 4 至 500 字的认定理由。", "Give a reason of 4 to 500 characters."
    ),
    "decide.error.note": ("认定说明不能超过 1000 字。", "The note is longer than 1000 characters."),
    "decide.error.level": ("请选择双方责任。", "Choose both parties' liability."),
    "done.determined": ("已签发事故认定书。", "The determination was issued."),
    "done.retake": ("已通知当事人补拍照片。", "The parties were asked to retake photos."),
    "done.refused": ("已转现场处理。", "Refused: handled on the scene."),
    "done.released": ("已释放该案件。", "The case was released."),
    "done.reassigned": ("已改派该案件。", "The case was reassigned."),
    "done.regraded": ("已更正损伤等级。", "The damage grade was corrected."),
    "doc.scene": ("事故基本情况", "Accident"),
    "doc.collision_type": ("事故形态", "Collision type"),
    "doc.facts": ("事故事实", "Facts"),
    "doc.rule_text": ("情形说明", "Rule text"),
    "doc.procedure": ("程序依据", "Procedural basis"),
    "doc.badge": ("警号", "badge"),
    "viewer.title": ("照片查看", "Photo viewer"),
    "mediation.title": ("法院调解", "Court mediation"),
    "mediation.refer": ("提交法院调解", "Refer to court mediation"),
    "mediation.reason": ("争议事项（必填）", "What is disputed (required)"),
    "mediation.requested": ("提交", "Referred"),
    "mediation.stage": ("进展", "Stage"),
    "mediation.sent": ("已提交，等待法院受理", "Sent; waiting for the court"),
    "done.mediation": ("已提交法院调解。", "Referred to court mediation."),
    "verify.title": ("文书核验", "Document verification"),
    "verify.issued": (
        "本文书由本平台出具，内容摘要如下。", "This document was issued here; it states:"
    ),
    "verify.not_issued": (
        "本平台未出具具有此校验值的文书。", "No document with this hash was issued here."
    ),
    "verify.kind": ("文书类型", "Document"),
    "verify.kind.determination": ("道路交通事故认定书", "Accident determination"),
    "verify.kind.agreement": ("自行协商协议书", "Self-negotiation agreement"),
    "verify.kind.": ("—", "—"),
    "viewer.blocking": ("他案照片", "From another case"),
    "viewer.captured": ("拍摄时间", "Taken"),
    "viewer.received": ("上传时间", "Uploaded"),
    "viewer.distance": ("距报案地点", "From the reported place"),
    "viewer.metres": ("米", "m"),
    "viewer.no_gps": ("无定位信息", "no GPS"),
    "viewer.unknown": ("未知", "unknown"),
    "viewer.size": ("尺寸", "Size"),
    "viewer.exact_copy": (
        "严重：与另一案件的照片完全相同，不能作为本案证据。另见案件",
        "Blocking: an exact copy of a photo in another case; not evidence of this accident. See",
    ),
    "viewer.near_copy": ("与另一案件的照片高度相似，请核对。另见案件",
                         "Closely resembles a photo in another case; compare with"),
    "viewer.prev": ("上一张", "Previous"),
    "viewer.next": ("下一张", "Next"),
    "viewer.zoom_in": ("放大", "Zoom in"),
    "viewer.zoom_out": ("缩小", "Zoom out"),
    "viewer.fit": ("适应窗口", "Fit"),
    "viewer.close": ("关闭", "Close"),
    "viewer.keys": ("键盘：← → 切换，+ − 缩放，Esc 关闭；拖动可平移。",
                    "Keys: ← → switch, + − zoom, Esc close; drag to pan."),
}


def translate(lang: str, key: str) -> str:
    """The text for ``key``; an unknown key shows itself, so a gap is visible, not fatal."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def pick_lang(value: str | None) -> Lang:
    return "en" if value == "en" else DEFAULT_LANG



# Console names for the label source's vocabularies (``lbl("slot", …)`` in templates).
_KIND: dict[str, str] = {
    "status": "case_status", "slot": "photo_slot", "verdict": "photo_verdict",
    "key": "fact_field", "grade": "loss_grade", "operation": "repair_operation",
    "vehicle_type": "type", "insurer_code": "insurer", "role": "staff_role",
    "action": "audit_action", "outcome": "audit_outcome", "level": "liability",
}  # fmt: skip
_LANE = re.compile(r"lane_(\d{1,2})")


@functools.cache
def _part_names() -> dict[str, str]:
    return {part_id: spec.name_zh for part_id, spec in default_catalogue().parts.items()}


def _lane(lang: str, text: str) -> str:
    lane = _LANE.fullmatch(text)
    if lane is None:
        return text.replace("_", " ")
    return f"第{lane.group(1)}车道" if lang != "en" else f"lane {lane.group(1)}"


def actor(lang: str, who: str) -> str:
    """An audit actor (``staff:li.wei``, ``insurer:PICC``, ``system``) in words."""
    kind, _, name = who.partition(":")
    words = label(lang, "actor_kind", kind)
    if kind == "driver":
        return words  # an account id tells a reviewer nothing and is nobody's business
    if kind == "insurer":
        name = label(lang, "insurer", name)
    return f"{words} {name}".strip()


def partner_words(lang: str, partner: str) -> str:
    """An outbox partner (``insurer:PICC``, ``court``, ``wechat``) in words."""
    if partner.startswith("insurer:"):
        return actor(lang, partner)
    return label(lang, "outbox_partner", partner)


def label(lang: str, kind: str, code: object) -> str:
    """A code of the domain's vocabulary in words, from the one label source
    (:mod:`settlement.domain.labels`); statement values are labelled by their key."""
    if isinstance(code, list | tuple):
        return "、".join(label(lang, kind, item) for item in code)
    if isinstance(code, bool):
        code = "true" if code else "false"
    text = "" if code is None else str(code)
    if text in ("true", "false"):
        return domain_label("bool", text, lang)
    if kind in ("lane", "lane_from", "lane_to"):
        return "→".join(_lane(lang, part) for part in text.split("->"))
    if kind == "part":
        name = _part_names().get(text)
        return text.replace("_", " ") if name is None or lang == "en" else name
    return domain_label(_KIND.get(kind, kind), text, lang)


_DETAIL_KIND: dict[str, str] = {
    "status": "case_status", "role": "staff_role", "required_role": "staff_role",
    "party": "party", "level_A": "liability", "level_B": "liability",
    "claim_status": "claim_status", "slot": "slot", "conclusion": "reconsideration_outcome",
    "message_kind": "outbox_kind", "error": "error_code",
}  # fmt: skip


def audit_details(lang: str, details: dict[str, object]) -> list[tuple[str, str]]:
    """An audit entry's details in words: known codes labelled, free text as written."""
    rows: list[tuple[str, str]] = []
    for key, value in list(details.items())[:12]:
        text = value if isinstance(value, str) else label(lang, "bool", value) if isinstance(
            value, bool) else "" if value is None else str(value)
        if key in _DETAIL_KIND:
            text = label(lang, _DETAIL_KIND[key], text)
        elif key == "field":
            text = translate(lang, f"field.{text}") if f"field.{text}" in MESSAGES else text
        elif key in ("reason", "by") and f"audit.{key}.{text}" in MESSAGES:
            text = translate(lang, f"audit.{key}.{text}")
        elif key == "partner":
            text = partner_words(lang, text)
        elif key == "slots":
            text = label(lang, "slot", text.split(","))
        elif key == "filter_action":
            text = label(lang, "action", text)
        rows.append((key, text[:200]))
    return rows
