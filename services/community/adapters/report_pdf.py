"""The yearly report as an A4 PDF in Chinese: each figure, its value and its definition.

Set in Noto Serif SC, embedded as a subset of the characters it prints (services/kernel/cjk_font.py),
so it reads the same in any viewer and prints on any notice board's printer.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4

from services.community.domain.yearly_report import FigureValue, assemble
from services.kernel.printed import Run, a4_pdf, sample_main

_MARGIN = 56.0
_DEFINITION_SIZE = 9.0
_LINE = 13.0


@dataclass(frozen=True)
class ReportPage:
    community_name: str
    year: int
    figures: list[FigureValue]
    generated_at: datetime
    """On the community's wall clock."""


def shown(value: Decimal) -> str:
    """A figure as printed: whole numbers without decimals, hours to one decimal."""
    return f"{int(value):,}" if value == value.to_integral_value() else f"{value:,.1f}"


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of at most `width` points: CJK characters are one em wide, others about half."""
    lines, line, used = [], "", 0.0
    for char in text:
        advance = size if ord(char) > 0x2E7F else size * 0.55
        if used + advance > width and line:
            lines.append(line)
            line, used = "", 0.0
        line += char
        used += advance
    if line:
        lines.append(line)
    return lines


def render(page: ReportPage) -> bytes:
    title = f"{page.community_name} {page.year}年度社区治理数据报告"
    footer = f"数据来源：各服务发布的事件（截至 {page.generated_at:%Y-%m-%d %H:%M}）。每项数字下方为其统计口径。"
    width, height = A4
    text_width = width - 2 * _MARGIN
    pages: list[list[Run]] = [[Run(width / 2, height - 72, 18, title, "centre")]]
    y = height - 110
    for item in page.figures:
        definition = _wrap(item.figure.definition["zh-CN"], text_width - 20, _DEFINITION_SIZE)
        if y - _LINE * (1 + len(definition)) < 72:
            pages.append([])
            y = height - 72
        runs = pages[-1]
        runs.append(Run(_MARGIN, y, 12, item.figure.label["zh-CN"]))
        runs.append(Run(width - _MARGIN, y, 12, shown(item.value), "right"))
        y -= _LINE + 2
        for line in definition:
            runs.append(Run(_MARGIN + 20, y, _DEFINITION_SIZE, line))
            y -= _LINE - 1
        y -= 8
    pages[-1].extend(Run(_MARGIN, 40 - i * 10, 8, line) for i, line in enumerate(_wrap(footer, text_width, 8)))
    return a4_pdf(pages, title=title, author=page.community_name)


def sample() -> ReportPage:
    """A year like Meihu's (its article's 60+ disputes settled, 200+ activities, 30 backbones), for docs/yearly-report.png."""
    values: dict[str, int | Decimal] = {
        "matters_raised": 412,
        "matters_resolved": 389,
        "council_cases_settled": 63,
        "red_post_activities": 214,
        "volunteer_hours": Decimal("5326.5"),
        "volunteers_serving": 286,
        "points_awarded": 61840,
        "prize_redeemers": 31,
        "honours_granted": 44,
        "selections_held": 3,
        "people_selected": 20,
        "festival_activities": 12,
        "announcements_published": 57,
        "initiative_signatures": 1623,
        "wishes_fulfilled": 48,
        "ventures_completed": 6,
        "care_visits": 30,
    }
    figures = assemble({key: Decimal(value) for key, value in values.items()})
    shanghai = ZoneInfo("Asia/Shanghai")
    return ReportPage("合肥市包河区包公街道美湖社区", 2026, figures, datetime(2026, 12, 6, 20, 40, tzinfo=shanghai))


if __name__ == "__main__":
    sample_main(sys.argv[1:], "services.community.adapters.report_pdf", lambda: render(sample()), dpi=94)
