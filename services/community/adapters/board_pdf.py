"""The 亮身份 做表率 board of one building group as A4 pages for the notice board (PDF in Chinese).

Set in Noto Serif SC, embedded as a subset of the characters it prints (services/kernel/cjk_font.py),
so every reader and printer draws it the same. Each consenting person gets a card: a frame for
the photo (pinned on by hand; the page fetches nothing), name, role, red post and phone. Ten
cards a page, as many pages as it takes. The page is laid out first, as text runs and frames,
so the font can be cut to those runs before anything is drawn.

`python -m services.community.adapters.board_pdf docs/board-print.png` draws a sample (a path
ending in .pdf gets the PDF itself; a .png is drawn by pypdfium2, a dev dependency).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from contracts.enums import PostType
from services.community.domain.board import ROLE_LABELS
from services.kernel.printed import Run, a4_pdf, sample_main

PER_PAGE = 10


@dataclass(frozen=True)
class BoardCard:
    name: str
    role: str
    post: str
    phone: str


@dataclass(frozen=True)
class BoardPage:
    community_name: str
    building_group: int
    people: list[BoardCard]
    printed_on: date


def person_of(row: dict[str, Any]) -> BoardCard:
    """A card from a consent row, labelled in Chinese."""
    return BoardCard(
        name=row["name"],
        role=ROLE_LABELS[row["role"]][0],
        post=PostType(row["post_type"]).label("zh-CN"),
        phone=row["phone"],
    )


@dataclass(frozen=True)
class _Frame:
    x: float
    y: float
    width: float
    height: float
    dashed: bool = False


def render(page: BoardPage) -> bytes:
    pages = _layout(page)

    def frames(pdf: canvas.Canvas, index: int) -> None:
        for frame in pages[index][1]:
            pdf.setDash(3, 3) if frame.dashed else pdf.setDash()
            pdf.setStrokeColorRGB(0.75, 0.1, 0.1) if not frame.dashed else pdf.setStrokeColorRGB(0.5, 0.5, 0.5)
            pdf.rect(frame.x, frame.y, frame.width, frame.height)
        pdf.setDash()

    return a4_pdf(
        [runs for runs, _ in pages],
        title=f"亮身份 做表率 {page.community_name} 第{page.building_group}片区",
        author=page.community_name,
        decorate=frames,
    )


def _layout(page: BoardPage) -> list[tuple[list[Run], list[_Frame]]]:
    width, height = A4
    chunks = [page.people[i : i + PER_PAGE] for i in range(0, len(page.people), PER_PAGE)] or [[]]
    pages = []
    for number, people in enumerate(chunks, start=1):
        runs = [
            Run(width / 2, height - 70, 28, "亮身份　做表率", "centre"),
            Run(
                width / 2,
                height - 100,
                14,
                f"{page.community_name}　第{page.building_group}片区　党员和骨干志愿者",
                "centre",
            ),
        ]
        frames: list[_Frame] = []
        if not people:
            runs.append(Run(width / 2, height / 2, 14, "（暂无公示人员）", "centre"))
        card_w, card_h, gap = 245.0, 118.0, 15.0
        left = (width - 2 * card_w - gap) / 2
        top = height - 130
        for index, person in enumerate(people):
            column, row = index % 2, index // 2
            x = left + column * (card_w + gap)
            y = top - (row + 1) * card_h - row * 12
            frames.append(_Frame(x, y, card_w, card_h))
            frames.append(_Frame(x + 10, y + 12, 72, 94, dashed=True))
            runs.append(Run(x + 46, y + 55, 9, "照片", "centre"))
            runs.append(Run(x + 95, y + card_h - 30, 16, person.name))
            runs.append(Run(x + 95, y + card_h - 54, 11, f"身份：{person.role}"))
            runs.append(Run(x + 95, y + card_h - 74, 11, f"岗位：{person.post}"))
            runs.append(Run(x + 95, y + card_h - 94, 11, f"电话：{person.phone}"))
        footer = f"以上人员均经本人同意公示，本人可随时撤回。　打印日期：{_day(page.printed_on)}"
        runs.append(Run(width / 2, 40, 9, footer, "centre"))
        if len(chunks) > 1:
            runs.append(Run(width - 50, 40, 9, f"第{number}/{len(chunks)}页", "right"))
        pages.append((runs, frames))
    return pages


def _day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def sample() -> BoardPage:
    return BoardPage(
        community_name="美湖社区",
        building_group=3,
        people=[
            BoardCard("王芳", "党员", "党建宣传岗", "13800000003"),
            BoardCard("黄丽", "党员", "文化传播岗", "13800000009"),
            BoardCard("赵磊", "骨干志愿者", "治安巡逻岗", "13800000008"),
            BoardCard("刘洋", "骨干志愿者", "环境监督岗", "13800000004"),
        ],
        printed_on=date(2026, 12, 6),
    )


if __name__ == "__main__":
    sample_main(sys.argv[1:], "services.community.adapters.board_pdf", lambda: render(sample()), dpi=100)
