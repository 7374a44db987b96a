"""The one way a printed page's sample is written for the docs: `python -m <its module> OUT.png|OUT.pdf`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


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
