"""PDF layout of the issued documents with reportlab: the agreement and the 事故认定书.

The text is set in an embedded TrueType font (a GB 2312 subset of Noto Sans CJK SC shipped in
``fonts/``, OFL), which reportlab subsets again per document: every reader shows the same
glyphs and text extracts exactly (plates and ID numbers without gaps). A character outside
the subset (a rare name) falls back, for its line, to the CID font ``STSong-Light`` that
readers supply. Sections are kept whole on one page. Pages are rendered with ``invariant=1``
so the same content always gives the same bytes, and a re-render of a stored document hashes
the same. Rendering is CPU work, so it runs in a thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from settlement.domain.agreement import AGREEMENT, DETERMINATION, VERIFY_PAGE, content_sha256
from settlement.errors import InvalidInput
from settlement.ports.documents import RenderedDocument

FONT = "NotoSansSC-Documents"
FONT_FILE = Path(__file__).parent / "fonts" / f"{FONT}.ttf"
FALLBACK = "STSong-Light"
_MARGIN = 50.0
_QR_SIZE = 90.0
_LEVELS_ORDER = ("A", "B")
_covered: frozenset[int] = frozenset()


def _register_font() -> None:
    global _covered
    names = pdfmetrics.getRegisteredFontNames()
    if FONT not in names:
        font = TTFont(FONT, str(FONT_FILE))
        pdfmetrics.registerFont(font)
        _covered = frozenset(font.face.charToGlyph)
    if FALLBACK not in names:
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))


def _font(text: str) -> str:
    """The embedded font when it has every character of ``text``, else the CID fallback."""
    return FONT if all(ord(c) in _covered for c in text) else FALLBACK


# One item of a section: ("heading" | "line" | "qr", text or payload, size, indent, caption).
Item = tuple[str, str, float, float, Sequence[str]]


def _money(amount: object) -> str:
    if isinstance(amount, int | float):
        return f"¥{amount:,.2f}"
    return "待定损"


class _Page:
    """A flowing writer that keeps each section whole on one page when it fits on one."""

    def __init__(self, pdf: canvas.Canvas, footer: str) -> None:
        self._pdf = pdf
        self._footer = footer
        self._width, self._height = A4
        self._y = self._height - _MARGIN
        self._page = 1
        self._items: list[Item] = []

    # --- building a section ---------------------------------------------------------

    def title(self, text: str) -> None:
        self.flush()
        self._pdf.setFont(_font(text), 16)
        self._pdf.drawCentredString(self._width / 2, self._y, text)
        self._y -= 30

    def heading(self, text: str) -> None:
        """Start a new section."""
        self.flush()
        self._items.append(("heading", text, 11.5, 0.0, ()))

    def line(self, text: str, size: float = 9.5, indent: float = 0.0) -> None:
        self._items.append(("line", str(text), size, indent, ()))

    def field(self, label: str, value: object) -> None:
        self.line(f"{label}：{value if value not in (None, '') else '—'}", indent=10)

    def qr(self, payload: str, caption: Sequence[str]) -> None:
        self._items.append(("qr", payload, 7.5, 0.0, tuple(caption)))

    # --- laying out -------------------------------------------------------------------

    def _lines(self, item: Item) -> list[str]:
        kind, text, size, indent, caption = item
        if kind == "qr":
            width = self._width - 2 * _MARGIN - _QR_SIZE - 15
            return [chunk for part in caption for chunk in _wrap(part, size, width)]
        return _wrap(text, size, self._width - 2 * _MARGIN - indent)

    def _measure(self, item: Item) -> float:
        kind, _, size, _, _ = item
        if kind == "heading":
            return 22.0
        if kind == "qr":
            return max(_QR_SIZE, 11 * len(self._lines(item))) + 10
        return (size + 5) * len(self._lines(item))

    def flush(self) -> None:
        """Draw the pending section, on a new page unless it fits in what is left."""
        items, self._items = self._items, []
        if not items:
            return
        needed = sum(self._measure(item) for item in items)
        usable = self._height - 2 * _MARGIN - 20
        if self._y - needed < _MARGIN + 20 and needed <= usable:
            self._new_page()
        for item in items:
            self._draw(item)

    def _draw(self, item: Item) -> None:
        kind, text, size, indent, _ = item
        if kind == "heading":
            self._room(22)
            self._y -= 4
            self._pdf.setFont(_font(text), size)
            self._pdf.drawString(_MARGIN, self._y, text)
            self._y -= 18
        elif kind == "line":
            for chunk in self._lines(item):
                self._room(size + 5)
                self._pdf.setFont(_font(chunk), size)
                self._pdf.drawString(_MARGIN + indent, self._y, chunk)
                self._y -= size + 5
        else:
            self._draw_qr(text, self._lines(item), size)

    def _draw_qr(self, payload: str, caption: Sequence[str], size: float) -> None:
        self._room(_QR_SIZE + 20)
        widget = QrCodeWidget(payload)
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(_QR_SIZE, _QR_SIZE,
                          transform=[_QR_SIZE / (x1 - x0), 0, 0, _QR_SIZE / (y1 - y0), 0, 0])
        drawing.add(widget)
        top = self._y
        renderPDF.draw(drawing, self._pdf, _MARGIN, top - _QR_SIZE)
        self._y = top - 8
        for chunk in caption:
            self._pdf.setFont(_font(chunk), size)
            self._pdf.drawString(_MARGIN + _QR_SIZE + 15, self._y, chunk)
            self._y -= 11
        self._y = min(self._y, top - _QR_SIZE - 10)

    def _room(self, needed: float) -> None:
        if self._y - needed < _MARGIN + 20:
            self._new_page()

    def _new_page(self) -> None:
        self._finish_page()
        self._pdf.showPage()
        self._page += 1
        self._y = self._height - _MARGIN

    def _finish_page(self) -> None:
        footer = f"{self._footer}  第{self._page}页"
        self._pdf.setFont(_font(footer), 7)
        self._pdf.drawString(_MARGIN, _MARGIN - 20, footer)

    def close(self) -> None:
        self.flush()
        self._finish_page()


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (by characters: Chinese has no spaces)."""
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        current = ""
        font = _font(paragraph)
        for char in paragraph:
            if current and pdfmetrics.stringWidth(current + char, font, size) > width:
                lines.append(current)
                current = char
            else:
                current += char
        lines.append(current)
    return lines


def _parties(page: _Page, parties: Mapping[str, Mapping[str, Any]]) -> None:
    for label in _LEVELS_ORDER:
        party = parties.get(label)
        if party is None:
            continue
        page.heading(f"当事人{label}")
        page.field("姓名", party.get("name"))
        page.field("驾驶证号", party.get("licence_number"))
        page.field("准驾车型", party.get("licence_class"))
        page.field("联系电话", party.get("phone"))
        page.field("机动车种类", party.get("vehicle_type"))
        page.field("号牌号码", party.get("plate"))
        page.field("保险公司", party.get("insurer"))
        page.field("保险凭证号", party.get("policy_number"))
        page.field("行驶状态", party.get("manoeuvre"))
        page.field("碰撞部位", party.get("collision_part"))
        if party.get("statement"):
            page.field("当事人陈述", party.get("statement"))


def _scene(page: _Page, content: Mapping[str, Any]) -> None:
    scene = content.get("scene") or {}
    page.heading("事故基本情况")
    page.field("案件编号", content.get("case_id"))
    page.field("事故时间", scene.get("time"))
    page.field("事故地点", scene.get("place"))
    page.field("天气", scene.get("weather"))
    page.field("道路类型", scene.get("road_type"))
    facts = content.get("facts") or {}
    page.field("事故经过", scene.get("description"))
    page.field("事故形态", facts.get("collision_type"))
    page.field("事故事实", facts.get("summary"))


def _verification(page: _Page, sha256: str, verify_base_url: str) -> None:
    url = verify_base_url + VERIFY_PAGE.format(sha256=sha256)
    page.heading("文书核验")
    page.qr(
        url,
        [
            "本文书内容的SHA-256校验值（规范化JSON）：",
            sha256,
            f"核验地址：{url}",
            "扫描二维码或访问核验地址，可查看本平台出具的文书内容摘要并核对真伪。",
        ],
    )


def _agreement(page: _Page, content: Mapping[str, Any]) -> None:
    page.title(str(content.get("title", "自行协商协议书")))
    _scene(page, content)
    parties = content.get("parties") or {}
    _parties(page, parties)

    liability = content.get("liability") or {}
    page.heading("事故责任")
    for label, level in sorted((liability.get("levels") or {}).items()):
        page.field(f"当事人{label}（{parties.get(label, {}).get('name', '')}）", level)
    for rule in liability.get("rules") or []:
        page.line(f"适用情形 {rule.get('id')}：{rule.get('explanation')}", indent=10)
        page.line(f"法律依据：{'；'.join(rule.get('legal_basis') or [])}", indent=20)
    page.field("责任规则版本", liability.get("catalogue_version"))

    compensation = content.get("compensation") or {}
    page.heading("赔偿协议")
    for label, loss in sorted((compensation.get("losses") or {}).items()):
        source = {"stated": "当事人申报", "estimate": "平台估损"}.get(
            str(loss.get("source")), "待保险公司定损")
        page.field(f"{label}车损失", f"{_money(loss.get('amount'))}（{source}）")
    payments = compensation.get("payments") or []
    if not payments:
        page.line("赔偿金额待保险公司定损后，按上述责任由保险公司赔付。", indent=10)
    for pay in payments:
        page.line(
            f"{pay.get('cover')}：由{pay.get('paid_by_insurer_of')}方保险公司（责任方"
            f"{pay.get('liable_party')}）向{pay.get('payee')}方支付 {_money(pay.get('amount'))}"
            f"（依据：{'；'.join(pay.get('basis') or [])}）",
            indent=10,
        )
    page.line(str(compensation.get("note", "")), indent=10)

    page.heading("当事人签名")
    signatures = content.get("signatures") or {}
    for label in _LEVELS_ORDER:
        sig = signatures.get(label)
        if sig:
            signed = f"{sig.get('name')}（电子签名，{sig.get('signed_at')}，{sig.get('method')}）"
            page.field(f"当事人{label}签名", signed)
        else:
            page.field(f"当事人{label}签名", "未签署")
    page.field("协议条款校验值", content.get("terms_sha256"))
    page.line("依据：" + "；".join(content.get("legal_basis") or []), size=8)
    page.line("当事人对协议不履行的，可申请人民调解或提起民事诉讼（程序规定第二十二条）。", size=8)


def _determination(page: _Page, content: Mapping[str, Any]) -> None:
    page.title(str(content.get("title", "道路交通事故认定书")))
    page.field("认定机关", content.get("issuer"))
    _scene(page, content)
    parties = content.get("parties") or {}
    _parties(page, parties)
    liability = content.get("liability") or {}
    page.heading("事故责任认定")
    for label, level in sorted((liability.get("levels") or {}).items()):
        page.field(f"当事人{label}（{parties.get(label, {}).get('name', '')}）", level)
    rule = str(liability.get("rule") or "")
    title = str(liability.get("rule_title") or "")
    page.field("适用情形", f"{rule} {title}".strip())
    if liability.get("rule_text"):
        page.field("情形说明", liability.get("rule_text"))
    page.field("法律依据", "；".join(liability.get("basis") or []))
    page.field("认定理由", liability.get("reason"))
    page.field("说明", liability.get("note"))
    officer = content.get("officer") or {}
    name = officer.get("name") or content.get("reviewer")
    badge = officer.get("badge_number")
    page.field("认定民警", f"{name}（警号 {badge}）" if badge else name)
    page.field("认定时间", content.get("decided_at"))
    page.line("依据：" + "；".join(content.get("legal_basis") or []), size=8)
    page.line(str(content.get("remedy", "")), size=8)


def render_pdf(content: Mapping[str, Any], sha256: str, verify_base_url: str = "") -> bytes:
    """Lay out an agreement or a determination; the same input gives the same bytes.

    Raises:
        InvalidInput: ``content["kind"]`` is neither ``agreement`` nor ``determination``.
    """
    kind = content.get("kind")
    if kind not in (AGREEMENT, DETERMINATION):
        raise InvalidInput(f"unknown document kind {kind!r}", field="kind")
    _register_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(str(content.get("title", "")))
    pdf.setSubject(f"sha256:{sha256}")
    page = _Page(pdf, f"案件 {content.get('case_id', '')}  校验值 {sha256[:16]}…")
    if kind == AGREEMENT:
        _agreement(page, content)
    else:
        _determination(page, content)
    _verification(page, sha256, verify_base_url)
    page.close()
    pdf.save()
    return buffer.getvalue()


class ReportlabDocumentRenderer:
    """:class:`~settlement.ports.documents.DocumentRenderer` over reportlab.

    Args:
        verify_base_url: the service's public base URL (scheme and host) put before the
            verification page's path in the QR code, so that a phone scan opens it.
    """

    def __init__(self, verify_base_url: str = "") -> None:
        self._base = verify_base_url.rstrip("/")

    async def render(self, content: Mapping[str, Any]) -> RenderedDocument:
        sha256 = content_sha256(content)
        pdf = await asyncio.to_thread(render_pdf, content, sha256, self._base)
        return RenderedDocument(
            kind=str(content["kind"]),
            sha256=sha256,
            pdf=pdf,
            file_sha256=hashlib.sha256(pdf).hexdigest(),
        )
