"""The committees' desk at a tablet: the review queue cleared (by keyboard and by buttons), the board's referred
column, a matter resolved with its contributors, a phone matter recorded for a resident, the numbers with a chart
and their CSV."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.web.browser import screen, sign_in
from tests.web.conftest import WebStack

pytestmark = [pytest.mark.browser]


async def _raise(desk_stack: WebStack, title: str, **overrides: Any) -> dict[str, Any]:
    body = {"category": "corridor_clutter", "title": title, "description": "楼道被杂物堵住。", **overrides}
    async with desk_stack.api("intake", "wang-fang") as api:
        answer = await api.post("/issues", json=body)
    assert answer.status_code == 201, answer.text
    issue: dict[str, Any] = answer.json()
    return issue


async def _issue(desk_stack: WebStack, issue_id: str) -> dict[str, Any]:
    async with desk_stack.api("intake", "zhang-wei") as api:
        issue: dict[str, Any] = (await api.get(f"/issues/{issue_id}")).json()
    return issue


async def _open_committee_desk(tablet: Any) -> None:
    await sign_in(tablet, "zhang-wei", "张伟，您好")
    await tablet.locator('[data-test="desk-link"]').click()
    await tablet.locator('[data-desk="committee"]').click()


async def test_a_committee_member_clears_the_review_queue_and_finds_the_referral_on_the_board(
    tablet: Any, desk_stack: WebStack, screenshots: Path
) -> None:
    from playwright.async_api import expect

    run = uuid.uuid4().hex[:6]
    building = f"{run}栋"
    accepted = await _raise(desk_stack, f"楼道灯坏了 {run}", category="repairs", location={"building": building})
    rejected = await _raise(desk_stack, f"想在楼顶种菜 {run}", category="suggestion")
    original = await _raise(desk_stack, f"三楼楼道堆满纸箱 {run}", location={"building": building})
    duplicate = await _raise(desk_stack, f"楼道纸箱又堆起来了 {run}", location={"building": building})
    referred = await _raise(desk_stack, f"两家为停车位争执 {run}", category="neighbour_dispute")

    await _open_committee_desk(tablet)
    queue = tablet.locator('[data-test="queue-item"]')
    await expect(queue.filter(has_text=accepted["title"])).to_be_visible()
    await expect(tablet.locator('[data-test="shortcuts"]')).to_contain_text("j / k")
    await queue.filter(has_text=duplicate["title"]).click()
    await expect(tablet.locator('[data-test="hints"]')).to_contain_text(original["title"])
    await screen(tablet, "desk-review-queue", screenshots)

    # Accept by keyboard: a.
    await queue.filter(has_text=accepted["title"]).click()
    await tablet.keyboard.press("a")
    await expect(tablet.locator('[data-test="said"]')).to_contain_text(accepted["title"])
    # Reject with a reason: r opens the reason, and typing "a" or "f" in it fires no shortcut.
    await queue.filter(has_text=rejected["title"]).click()
    await tablet.keyboard.press("r")
    await expect(tablet.locator("#reject-reason")).to_be_focused()
    await tablet.keyboard.type("楼顶属于公共区域，不能种菜 a f")
    await tablet.locator('[data-test="confirm-reject"]').click()
    await expect(tablet.locator('[data-test="said"]')).to_contain_text(rejected["title"])
    # Duplicate of the hinted original, by the button and the chooser.
    await queue.filter(has_text=duplicate["title"]).click()
    await tablet.locator('[data-test="duplicate"]').click()
    await tablet.locator("#duplicate-of").select_option(original["id"])
    await tablet.locator('[data-test="confirm-duplicate"]').click()
    await expect(tablet.locator('[data-test="said"]')).to_contain_text(duplicate["title"])
    # Refer to the council: f.
    await queue.filter(has_text=referred["title"]).click()
    await tablet.keyboard.press("f")
    await expect(tablet.locator('[data-test="said"]')).to_contain_text(referred["title"])
    await expect(queue.filter(has_text=run)).to_have_count(1)  # only the original waits

    assert (await _issue(desk_stack, accepted["id"]))["status"] == "accepted"
    turned_down = await _issue(desk_stack, rejected["id"])
    assert (turned_down["status"], turned_down["status_note"]) == ("rejected", "楼顶属于公共区域，不能种菜 a f")
    merged = await _issue(desk_stack, duplicate["id"])
    assert (merged["status"], merged["duplicate_of"]) == ("duplicate", original["id"])
    assert (await _issue(desk_stack, referred["id"]))["status"] == "referred"

    await tablet.locator('[data-tab="board"]').click()
    column = tablet.locator('[data-column="referred"]')
    await expect(column.locator('[data-test="card"]').filter(has_text=referred["title"])).to_be_visible()
    await expect(
        tablet.locator('[data-column="accepted"] [data-test="card"]').filter(has_text=accepted["title"])
    ).to_be_visible()
    await screen(tablet, "desk-board", screenshots)


async def test_a_committee_member_resolves_a_matter_in_progress_naming_the_volunteers_who_helped(
    tablet: Any, desk_stack: WebStack, screenshots: Path
) -> None:
    from playwright.async_api import expect

    matter = await _raise(desk_stack, f"单元门关不上 {uuid.uuid4().hex[:6]}", category="repairs", building_group=4)
    async with desk_stack.api("intake", "zhang-wei") as api:
        assert (await api.post(f"/issues/{matter['id']}/review", json={"decision": "accept"})).status_code == 200
        assert (await api.post(f"/issues/{matter['id']}/start", json={})).status_code == 200

    await _open_committee_desk(tablet)
    await tablet.locator('[data-tab="board"]').click()
    await tablet.locator('[data-test="filter-group"]').select_option("4")
    card = tablet.locator('[data-column="in_progress"] [data-test="card"]').filter(has_text=matter["title"])
    await card.locator('[data-test="resolve"]').click()
    form = tablet.locator('[data-test="resolve-form"]')
    await form.locator("#resolve-summary").fill("志愿者修好了单元门的闭门器")
    await form.locator('[data-volunteer="liu-yang"]').check()
    await form.locator('[data-volunteer="chen-jing"]').check()
    await screen(tablet, "desk-resolve", screenshots)
    await form.locator('[data-test="confirm-resolve"]').click()

    await expect(
        tablet.locator('[data-column="resolved"] [data-test="card"]').filter(has_text=matter["title"])
    ).to_be_visible()
    resolved = await _issue(desk_stack, matter["id"])
    assert resolved["status"] == "resolved"
    assert resolved["resolution_summary"] == "志愿者修好了单元门的闭门器"
    assert sorted(resolved["contributors"]) == ["chen-jing", "liu-yang"]


async def test_a_committee_member_records_a_matter_a_resident_raised_by_phone(
    tablet: Any, desk_stack: WebStack, screenshots: Path
) -> None:
    from playwright.async_api import expect

    title = f"5栋夜里有人装修 {uuid.uuid4().hex[:6]}"
    await _open_committee_desk(tablet)
    await tablet.locator('[data-tab="board"]').click()
    await tablet.locator('[data-test="record"]').click()
    form = tablet.locator('[data-test="record-form"]')
    await form.locator('[data-test="record-name"]').fill("王芳")
    await form.locator('[data-test="record-person"]').fill("wang-fang")
    await form.locator('[data-test="record-phone"]').fill("13800000003")
    await form.locator('[data-test="record-category"]').select_option("noise")
    await form.locator('[data-test="record-title"]').fill(title)
    await form.locator('[data-test="record-description"]').fill("晚上十一点还在电钻，王芳来电反映。")
    await form.locator('[data-test="record-group"]').select_option("3")
    await screen(tablet, "desk-record", screenshots)
    await form.locator('[data-test="record-submit"]').click()
    await expect(tablet.locator('[data-test="said"]')).to_contain_text(title)

    async with desk_stack.api("intake", "wang-fang") as api:
        mine = (await api.get("/issues", params={"reporter": "me", "q": title.split()[-1]})).json()["items"]
    recorded = next(i for i in mine if i["title"] == title)
    assert (recorded["channel"], recorded["reporter_name"], recorded["building_group"]) == ("phone", "王芳", 3)
    assert recorded["contact"] == {"phone": "13800000003"}


async def test_the_numbers_of_the_month_are_charted_and_downloaded_as_csv_and_read_in_english(
    tablet: Any, desk_stack: WebStack, screenshots: Path
) -> None:
    from playwright.async_api import expect

    await _raise(desk_stack, f"垃圾桶满了 {uuid.uuid4().hex[:6]}", category="sanitation", building_group=2)
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    async with desk_stack.api("intake", "zhang-wei") as api:
        figures = (await api.get("/numbers", params={"year": now.year, "month": now.month})).json()

    await _open_committee_desk(tablet)
    await tablet.locator('[data-tab="numbers"]').click()
    await expect(tablet.locator('[data-test="raised"]')).to_have_text(str(figures["raised"]))
    await expect(tablet.locator('[data-test="chart-category"] canvas')).to_have_count(1)
    await expect(tablet.locator('[data-test="chart-category"]')).to_have_attribute("aria-label", re.compile("环境卫生"))
    await screen(tablet, "desk-numbers", screenshots)

    async with tablet.expect_download() as downloading:
        await tablet.locator('[data-test="download"]').click()
    download = await downloading.value
    assert download.suggested_filename == f"linli-numbers-{now.year}-{now.month:02d}.csv"
    text = await asyncio.to_thread(Path(await download.path()).read_text, encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    total = next(r for r in rows if r["figure"] == "raised" and r["dimension"] == "total")
    assert (total["community"], total["period"], total["value"]) == (
        "meihu",
        f"{now.year}-{now.month:02d}",
        str(figures["raised"]),
    )
    sanitation = next(r for r in rows if r["dimension"] == "category" and r["key"] == "sanitation")
    assert sanitation["name_zh"] == "环境卫生"

    await tablet.locator('[data-test="language"]').click()
    await expect(tablet.get_by_role("heading", name="Numbers")).to_be_visible()
    await expect(tablet.locator('[data-test="chart-category"]')).to_have_attribute(
        "aria-label", re.compile("Sanitation")
    )
    await screen(tablet, "desk-numbers-en", screenshots)
