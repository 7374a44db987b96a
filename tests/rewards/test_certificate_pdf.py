"""The certificate PDF as a reader gets it: its fonts travel with it, its text reads back, its page shows Chinese.

The page is drawn by PDFium (pypdfium2). Whether the machine has Chinese fonts of its own (CI
installs fonts-noto-cjk for the browser tests) does not matter: the PDF carries its font, and
every font it names is embedded, so no reader has to substitute one.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import re
from typing import cast

import pypdf
import pypdfium2
import pytest
from pypdf.generic import ArrayObject, DictionaryObject
from reportlab.lib.pagesizes import A4

from contracts.demo import COMMUNITY_NAME
from services.rewards.adapters.certificate_pdf import render, sample

TITLE = "志愿服务记录证明"
TITLE_SIZE = 22  # points; the title is centred, its baseline 90 points below the top of the page
SCALE = 2  # 144 dpi


def test_every_font_in_the_certificate_is_embedded() -> None:
    reader = pypdf.PdfReader(io.BytesIO(render(sample())))

    fonts = [font for page in reader.pages for font in _fonts(page)]

    assert fonts
    for font in fonts:
        descriptor = font.get("/FontDescriptor")
        assert descriptor is not None, f"{font['/BaseFont']} has no descriptor: a reader must find it on its own"
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.get_object()), (
            f"{font['/BaseFont']} is not embedded"
        )


def test_the_certificate_is_set_in_a_subset_of_noto_serif_sc() -> None:
    reader = pypdf.PdfReader(io.BytesIO(render(sample())))

    names = {str(font["/BaseFont"]) for font in _fonts(reader.pages[0])}

    assert names
    # A subset's name starts with six capitals and a plus sign (PDF 1.7, 9.6.4).
    assert all(re.fullmatch(r"/[A-Z]{6}\+NotoSerifSC-Regular", name) for name in names), names


def test_the_text_reads_back_as_the_chinese_printed() -> None:
    data = sample()

    text = pypdf.PdfReader(io.BytesIO(render(data))).pages[0].extract_text()

    assert TITLE in text
    assert f"姓名：{data.person_name}" in text
    assert COMMUNITY_NAME in text
    assert f"出具单位：{data.organisation}" in text
    assert f"证明编号：{data.number}" in text
    assert "· 治安巡逻岗志愿服务 8.00 小时（4 次）" in text
    assert "兹证明以上志愿服务记录真实有效，时长以服务岗位负责人确认的记录为准。" in text
    assert "\ufffd" not in text


def test_a_certificate_without_records_or_end_date_has_a_glyph_for_each_character(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = dataclasses.replace(sample(), content=[], period_to=None)

    with caplog.at_level(logging.WARNING):
        text = pypdf.PdfReader(io.BytesIO(render(data))).pages[0].extract_text()

    assert "至 —" in text
    assert "（暂无已确认的服务记录）" in text
    assert not [record for record in caplog.records if "no glyph" in record.getMessage()]


def test_a_character_the_font_lacks_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    # 𰻞 (biáng, CJK Extension G) is not in Noto Serif SC: the name prints with an empty box.
    data = dataclasses.replace(sample(), person_name="王𰻞")

    with caplog.at_level(logging.WARNING):
        render(data)

    assert any("𰻞" in record.getMessage() for record in caplog.records)


def test_the_title_is_drawn_as_eight_different_characters() -> None:
    cells = _title_cells(render(sample()))

    assert all(_ink(cell) > 40 for cell in cells), [_ink(cell) for cell in cells]
    # .notdef boxes would all look alike; eight characters do not.
    assert len({bytes(cell) for cell in cells}) == len(TITLE)


def _fonts(page: pypdf.PageObject) -> list[DictionaryObject]:
    """The page's fonts, a composite (Type0) font by its descendant, which carries the descriptor."""
    resources = cast(DictionaryObject, page["/Resources"].get_object())
    found = []
    for ref in cast(DictionaryObject, resources["/Font"].get_object()).values():
        font = cast(DictionaryObject, ref.get_object())
        if str(font["/Subtype"]) == "/Type0":
            descendants = cast(ArrayObject, font["/DescendantFonts"].get_object())
            font = cast(DictionaryObject, descendants[0].get_object())
        found.append(font)
    return found


def _title_cells(pdf: bytes) -> list[list[int]]:
    """The grey levels (0 black to 255 white) of the title's eight character cells, drawn at 144 dpi."""
    document = pypdfium2.PdfDocument(pdf)
    bitmap = document[0].render(scale=SCALE, grayscale=True)
    pixels, stride = bitmap.buffer, bitmap.stride
    width = len(TITLE) * TITLE_SIZE
    left = A4[0] / 2 - width / 2
    top, bottom = round((90 - TITLE_SIZE) * SCALE), round((90 + TITLE_SIZE / 4) * SCALE)
    cells = []
    for i in range(len(TITLE)):
        x0, x1 = round((left + i * TITLE_SIZE) * SCALE), round((left + (i + 1) * TITLE_SIZE) * SCALE)
        cells.append([pixels[y * stride + x] for y in range(top, bottom) for x in range(x0, x1)])
    document.close()
    return cells


def _ink(cell: list[int]) -> int:
    return sum(1 for level in cell if level < 128)
