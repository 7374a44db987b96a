"""The yearly report: its figures are the events the services sent, each counted once, in the community's year."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pypdf
import pypdfium2
import pytest

from services.community.domain.yearly_report import CONSUMED, FIGURES, facts_of
from tests.community import report_events as ev
from tests.support.events import drained, publish
from tests.support.infra import Tokens, eventually, jetstream

SHANGHAI = ZoneInfo("Asia/Shanghai")


def figures_of(body: dict[str, Any]) -> dict[str, float]:
    return {f["key"]: f["value"] for f in body["figures"]}


def test_a_matter_raised_late_on_new_years_eve_counts_in_the_year_it_was_on_the_community_clock() -> None:
    late = ev.submitted(ev.on("2025-12-31", "23:30"))
    early = ev.submitted(ev.on("2026-01-01", "00:30"))

    assert [f.year for f in facts_of(late, SHANGHAI)] == [2025]
    assert [f.year for f in facts_of(early, SHANGHAI)] == [2026]


def test_every_figure_has_a_definition_in_both_languages_and_the_events_it_comes_from() -> None:
    for figure in FIGURES:
        assert figure.label["zh-CN"]
        assert figure.label["en"]
        assert len(figure.definition["zh-CN"]) > 8
        assert len(figure.definition["en"]) > 20
        assert set(figure.source) <= set(CONSUMED)


async def test_the_figures_equal_the_events_sent_each_counted_once(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str
) -> None:
    shift_a, shift_b = uuid.uuid4(), uuid.uuid4()
    reopened_and_resolved_again = uuid.uuid4()
    day = ev.on("2026-05-20")
    events = [
        ev.submitted(day),
        ev.submitted(day),
        ev.submitted(ev.on("2025-12-31", "23:30")),  # the year before, on the community's clock
        ev.submitted(day, community="binhu"),  # another community
        ev.resolved(reopened_and_resolved_again, day),
        ev.resolved(reopened_and_resolved_again, ev.on("2026-06-02")),
        ev.resolved(uuid.uuid4(), day),
        ev.adopted(day),
        ev.adopted(day),
        ev.participation(shift_a, "wang-fang", 2.0, day),
        ev.participation(shift_a, "zhao-lei", 1.5, day),
        ev.participation(shift_b, "wang-fang", 3.0, day),
        ev.awarded("wang-fang", 24, day),
        ev.awarded("zhao-lei", 18, day),
        ev.redeemed("wang-fang", day),
        ev.redeemed("wang-fang", day),
        ev.redeemed("huang-li", day),
        ev.honour("wang-fang", day),
        ev.selection(2026, ["wang-fang", "chen-jing", "wu-xia"], day),
        ev.festival_activity(2026, day),
        ev.announcement(day),
        ev.signed("sun-hao", day),
        ev.signed("wu-xia", day),
        ev.wish_confirmed(day),
        ev.venture_closed(day),
        ev.visit_recorded(day),
    ]
    async with jetstream(nats_url) as js:
        for event in events:
            await publish(js, event)
        # The same events again, past JetStream's duplicate window: what a crash before the ack looks like.
        for event in events[:14]:
            await publish(js, event, msg_id=f"again-{event.id}")
        await eventually(lambda: drained(js, "community", CONSUMED), message="community consumed everything")

    response = await client.get("/reports/2026", headers=tokens.headers("sun-hao", "resident"))

    assert response.status_code == 200, response.text
    assert figures_of(response.json()) == {
        "matters_raised": 2,
        "matters_resolved": 2,
        "council_cases_settled": 2,
        "red_post_activities": 2,
        "volunteer_hours": 6.5,
        "volunteers_serving": 2,
        "points_awarded": 42,
        "prize_redeemers": 2,
        "honours_granted": 1,
        "selections_held": 1,
        "people_selected": 3,
        "festival_activities": 1,
        "announcements_published": 1,
        "initiative_signatures": 2,
        "wishes_fulfilled": 1,
        "ventures_completed": 1,
        "care_visits": 1,
    }
    last_year = figures_of((await client.get("/reports/2025", headers=tokens.headers("sun-hao"))).json())
    assert last_year["matters_raised"] == 1
    years = (await client.get("/reports", headers=tokens.headers("sun-hao"))).json()
    assert years == {"community": "meihu", "years": [2026, 2025]}


async def test_another_communitys_report_is_not_there_for_its_neighbours_but_is_for_the_district(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    neighbour = await client.get("/reports/2026?community=binhu", headers=tokens.headers("sun-hao", "committee"))
    district = await client.get(
        "/reports/2026?community=binhu", headers=tokens.headers("qu-jie", "district", community="baohe")
    )

    assert neighbour.status_code == 404
    assert neighbour.headers["content-type"].startswith("application/problem+json")
    assert district.status_code == 200
    assert district.json()["community"] == "binhu"


async def test_a_year_still_to_come_has_no_report_and_a_reader_needs_a_token(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    future = await client.get("/reports/2199", headers=tokens.headers("sun-hao"))
    anonymous = await client.get("/reports/2026")

    assert future.status_code == 404
    assert future.headers["content-type"].startswith("application/problem+json")
    assert "2199" in future.json()["detail"]
    assert anonymous.status_code == 401


async def test_the_page_reads_in_chinese_and_english_with_each_definition(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    zh = await client.get("/reports/2026/page", headers=tokens.headers("sun-hao"))
    en = await client.get("/reports/2026/page?lang=en", headers=tokens.headers("sun-hao"))

    assert zh.status_code == 200
    assert en.status_code == 200
    assert '<html lang="zh-CN">' in zh.text
    assert "美湖社区" in zh.text
    assert "办结事项" in zh.text
    assert "重新打开后再次办结的只计一次" in zh.text
    assert '<html lang="en">' in en.text
    assert "Matters resolved" in en.text


async def test_the_pdf_embeds_its_chinese_font_and_reads_back_as_the_figures_and_definitions(
    client: httpx.AsyncClient, tokens: Tokens, tmp_path: Path
) -> None:
    response = await client.get("/reports/2026/pdf", headers=tokens.headers("zhang-wei", "committee"))

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    reader = pypdf.PdfReader(pdf)
    text = "".join(page.extract_text() for page in reader.pages)
    for expected in ("美湖社区", "2026年度社区治理数据报告", "议事会协商议决事项", "兑换奖品的骨干志愿者", "统计口径"):
        assert expected in text
    fonts = [
        font.get_object()
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()  # type: ignore[index]
    ]
    assert fonts
    assert all("/FontFile2" in f["/FontDescriptor"] for f in fonts)
    assert _ink_in_title_band(response.content) > 500, "the title is drawn, not left blank"


def _ink_in_title_band(pdf: bytes) -> int:
    """Dark pixels between 50 and 85 points from the top of page 1 (the title), drawn at 72 dpi."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[0].render(scale=1, grayscale=True)
        pixels, stride = bitmap.buffer, bitmap.stride
        return sum(1 for y in range(50, 85) for x in range(bitmap.width) if pixels[y * stride + x] < 128)
    finally:
        document.close()


@pytest.mark.parametrize(("value", "shown"), [(Decimal(42), "42"), (Decimal("6.5"), "6.5"), (Decimal(1200), "1,200")])
def test_figures_are_printed_whole_or_to_one_decimal(value: Decimal, shown: str) -> None:
    from services.community.adapters.report_pdf import shown as printed

    assert printed(value) == shown
