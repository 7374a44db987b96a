"""Linli's printed pages (certificates, the notice board's A4 pages, the yearly report): lines of text
placed on A4 in Noto Serif SC, embedded as a subset of what they print, and the one way their samples are
written for the docs (`python -m <its module> OUT.png|OUT.pdf`)."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from services.kernel import cjk_font

FONT = "NotoSerifSC"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Run:
    """One line of text: where it stands, how big, and which of its ends (or its middle) is at x."""

    x: float
    y: float
    size: float
    text: str
    anchor: Literal["left", "centre", "right"] = "left"


Decorate = Callable[[canvas.Canvas, int], None]
"""Draws what is not text (frames, rules) on page `index` before its runs."""


def a4_pdf(pages: Sequence[Sequence[Run]], *, title: str, author: str, decorate: Decorate | None = None) -> bytes:
    """The pages as one PDF whose only font is the subset of the characters they print."""
    characters = "".join(sorted({char for runs in pages for run in runs for char in run.text}))
    if absent := cjk_font.missing(characters):
        log.warning("%s: no glyph for %s, drawn as empty boxes", title, "".join(sorted(absent)))
    buffer = io.BytesIO()
    with cjk_font.registered(FONT, characters):
        # The page's initial font too, or reportlab names Helvetica, a font the PDF would not carry.
        pdf = canvas.Canvas(buffer, pagesize=A4, initialFontName=FONT, initialFontSize=11)
        pdf.setTitle(title)
        pdf.setAuthor(author)
        draw = {"left": pdf.drawString, "centre": pdf.drawCentredString, "right": pdf.drawRightString}
        for index, runs in enumerate(pages):
            if decorate is not None:
                decorate(pdf, index)
            for run in runs:
                pdf.setFont(FONT, run.size)
                draw[run.anchor](run.x, run.y, run.text)
            pdf.showPage()
        pdf.save()
    return buffer.getvalue()


def sample_main(argv: list[str], module: str, sample_pdf: Callable[[], bytes], dpi: int) -> None:
    """Write the sample as PDF, or its first page as PNG at `dpi` (docs/*.png are made this way)."""
    if len(argv) != 1:
        raise SystemExit(f"usage: python -m {module} OUT.png|OUT.pdf")
    out = Path(argv[0])
    pdf = sample_pdf()
    if out.suffix == ".pdf":
        out.write_bytes(pdf)
        return
    import pypdfium2  # a dev dependency: the services themselves never draw pixels

    document = pypdfium2.PdfDocument(pdf)
    try:
        document[0].render(scale=dpi / 72).to_pil().save(out, optimize=True)
    finally:
        document.close()
