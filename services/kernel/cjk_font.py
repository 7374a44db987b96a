"""The typeface every printed page of Linli is set in (certificates, notice-board pages, the yearly report):
Noto Serif SC, cut down to the characters one document uses.

The font file comes with the project, in the `pylopdf-fonts-zh-cn` wheel (Noto Serif SC Regular from
notofonts/noto-cjk, SIL Open Font License 1.1, about 31,000 glyphs in 11.6 MB): nothing is assumed
on the machine and nothing is fetched at run time. Its outlines are CFF (cubic), which reportlab
cannot embed, so each document gets its own subset, made with fontTools in memory: only the
glyphs of the characters it prints, their outlines turned into TrueType (quadratic) curves by cu2qu,
the layout, vertical-metrics and hinting tables left out. That takes about a tenth of a second and
gives a font of a few dozen kilobytes, which reportlab embeds (a /FontFile2) and subsets once more.
Turning the whole font into TrueType instead would take some twenty seconds and a cache on disk.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from pathlib import Path

import pylopdf_fonts_zh_cn
from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont as ReportlabFont

SOURCE = Path(pylopdf_fonts_zh_cn.serif_path())
# What reportlab needs of a TrueType font and the PDF reader does not: layout (the certificate
# sets no ligatures nor kerning), vertical writing, CFF's vertical origins, the signature.
_DROPPED = ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "VORG", "vhea", "vmtx", "DSIG"]
# Largest distance, in font units (1000 to the em), between a cubic curve and its quadratic stand-in.
_MAX_ERROR = 1.0
# reportlab looks fonts up by name in a process-wide registry: one document's subset is there
# only while that document is drawn, and one document at a time registers under a name.
_REGISTRY = threading.Lock()


@cache
def covered() -> frozenset[int]:
    """The code points the font has a glyph for; read once per process."""
    with TTFont(SOURCE, lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing(text: str) -> set[str]:
    """The characters of text the font cannot draw (they would print as the empty .notdef box)."""
    return {char for char in text if ord(char) not in covered()}


@lru_cache(maxsize=32)
def truetype_subset(text: str) -> bytes:
    """Noto Serif SC holding just the glyphs of text (and .notdef), as a TrueType-outline font file.

    The last few are kept: the same certificate fetched again, or one alike, costs nothing.
    """
    options = subset.Options()
    options.drop_tables += _DROPPED
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    with TTFont(SOURCE, lazy=True) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        _cff_to_glyf(font)
        out = io.BytesIO()
        font.save(out)
    return out.getvalue()


def _cff_to_glyf(font: TTFont) -> None:
    """fontTools' otf2ttf recipe: the CFF outlines redrawn as quadratic `glyf` outlines, the tables around them to match."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        # CFF outlines run counter-clockwise, TrueType ones clockwise.
        glyphs[name].draw(Cu2QuPen(pen, _MAX_ERROR, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    font["maxp"] = maxp
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


@contextmanager
def registered(name: str, text: str) -> Iterator[ReportlabFont]:
    """While drawing one document: the subset of the characters of text, registered with reportlab as `name`.

    Pass every character the document prints (the page's initial font too should be `name`,
    or reportlab names Helvetica, a font the PDF would not carry)."""
    characters = "".join(sorted(set(text)))
    font = ReportlabFont(name, io.BytesIO(truetype_subset(characters)))
    # reportlab has no call to unregister a font: its two registries are emptied of this one by hand.
    with _REGISTRY:
        pdfmetrics.registerFont(font)
        try:
            yield font
        finally:
            pdfmetrics._fonts.pop(font.fontName, None)
            pdfmetrics._dynFaceNames.pop(font.face.name, None)
