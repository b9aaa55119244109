"""Build the CJK font the PDF documents embed: Noto Sans CJK SC, subset and made TrueType.

reportlab embeds (and subsets per document) TrueType fonts only, while Noto Sans CJK ships
as OpenType/CFF. This script keeps the glyphs of GB 2312 (all 6,763 hanzi of levels 1 and
2, which cover names, places and plates in everyday use), ASCII, full-width forms and
common punctuation, converts the cubic outlines to quadratic ones and writes
``adapters/documents/fonts/NotoSansSC-Documents.ttf``. Noto is under the SIL Open Font
Licence 1.1, which allows redistributing a modified subset under a new name; the licence
travels with it (``OFL.txt``).

Run once when the character set changes (needs ``fonttools``, a dev dependency)::

    python scripts/build_cjk_font.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

OUT = Path(__file__).resolve().parents[1] / "adapters" / "documents" / "fonts"
NAME = "NotoSansSC-Documents"
SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"  # Debian fonts-noto-cjk


def gb2312() -> set[int]:
    chars: set[int] = set()
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    for high in range(0xA1, 0xAA):  # symbols, full-width forms, punctuation
        for low in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    chars |= set(range(0x20, 0x7F)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    chars |= {ord(c) for c in "¥·—–…‘’“”•→←↑↓×÷±≤≥℃№々〇"}
    return chars


def to_truetype(font: TTFont) -> None:
    """Replace the CFF outlines with quadratic TrueType ones (the fontTools otf2ttf recipe)."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    font["maxp"] = newTable("maxp")
    font["maxp"].tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements", "maxPoints", "maxContours", "maxCompositePoints",
                 "maxCompositeContours", "maxComponentDepth"):
        setattr(font["maxp"], attr, 0)
    font["maxp"].maxZones = 1
    font["maxp"].numGlyphs = len(glyph_order)
    font["post"].formatType = 2.0
    font["post"].extraNames = []
    font["post"].mapping = {}
    font["post"].glyphOrder = glyph_order
    font["head"].glyphDataFormat = 0
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font.sfntVersion = "\x00\x01\x00\x00"


def main(source: str) -> None:
    collection = TTCollection(source)
    font = next(f for f in collection.fonts if "SC" in f["name"].getDebugName(1))
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=gb2312())
    subsetter.subset(font)
    to_truetype(font)
    for record in font["name"].names:
        if record.nameID in (1, 3, 4, 6, 16):
            record.string = NAME if record.nameID in (4, 6) else "Noto Sans SC Documents"
    OUT.mkdir(parents=True, exist_ok=True)
    font.save(OUT / f"{NAME}.ttf")
    print(OUT / f"{NAME}.ttf", (OUT / f"{NAME}.ttf").stat().st_size)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else SOURCE)
