"""Red posts: a volunteer picks a post, finds its shifts by week, signs up for a full shift and sees the
waitlist position, is told in a sentence why an overlapping sign-up is refused, cancels, sees My shifts and
Home's next shift, and gets the private calendar address. Real stack; no sleeps."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import expect

from tests.web.browser import screen, sign_in
from tests.web.conftest import WebStack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def _shift(api: httpx.AsyncClient, title: str, starts_at: datetime, hours: int, capacity: int) -> dict[str, Any]:
    made = await api.post(
        "/shifts",
        json={
            "post": "patrol",
            "title": title,
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + timedelta(hours=hours)).isoformat(),
            "location": "美湖社区东门",
            "capacity": capacity,
        },
    )
    assert made.status_code == 201, made.text
    shift: dict[str, Any] = made.json()
    return shift


async def test_a_volunteer_joins_a_full_shifts_waitlist_and_sees_the_position(
    page: Any, web_stack: WebStack, screenshots: Path
) -> None:
    async with web_stack.api("shifts", "admin") as admin:
        for post in ("patrol", "environment"):
            assert (await admin.put(f"/posts/{post}", json={"leader_ids": ["liu-yang"]})).status_code == 200
        for person, group in (("wu-xia", 5), ("chen-jing", 5)):
            body = {"name": person, "kind": "resident", "building_group": group, "posts": ["patrol"]}
            assert (await admin.put(f"/volunteers/{person}", json=body)).status_code == 200
    tomorrow = (datetime.now(SHANGHAI) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    async with web_stack.api("shifts", "liu-yang") as leader:
        full = await _shift(leader, "早间巡逻", tomorrow.replace(hour=8), 2, capacity=1)
        afternoon = await _shift(leader, "午后巡逻", tomorrow.replace(hour=14), 2, capacity=3)
        await _shift(leader, "傍晚巡逻", tomorrow.replace(hour=15), 2, capacity=3)
        taken = await leader.post(f"/shifts/{full['id']}/signups", json={"volunteer_id": "chen-jing"})
        assert taken.status_code == 201, taken.text

    await sign_in(page, "wu-xia", "吴霞，您好")
    await expect(page.locator('[data-test="home-next-shift"]')).to_contain_text("暂无班次")
    await page.locator('[data-test="home-next-shift"]').click()
    await expect(page.get_by_role("heading", name="红色岗位")).to_be_visible()
    await page.locator('[data-post="patrol"]').click()
    monday = datetime.now(SHANGHAI).date() - timedelta(days=datetime.now(SHANGHAI).weekday())
    if (tomorrow.date() - monday).days >= 7:
        await page.locator('[data-test="next-week"]').click()
    shifts = page.locator('[data-test="shifts"]')
    row = shifts.locator(f'[data-shift="{full["id"]}"]')
    await expect(row.locator('[data-test="places"]')).to_have_text("已满，候补 0 人")

    await row.locator('[data-test="sign-up"]').click()
    notice = page.locator('[data-test="notice"]')
    await expect(notice).to_contain_text("名额已满，您已进入候补名单，排在第 1 位")
    await expect(row.locator('[data-test="my-status"]')).to_have_text("候补第 1 位")
    await expect(page.locator('[data-test="my-shifts"]')).to_contain_text("候补第 1 位")
    await screen(page, "red-posts", screenshots)

    await shifts.locator(f'[data-shift="{afternoon["id"]}"] [data-test="sign-up"]').click()
    await expect(notice).to_contain_text("报名成功：午后巡逻")
    await shifts.locator("[data-shift]", has_text="傍晚巡逻").locator('[data-test="sign-up"]').click()
    await expect(notice).to_contain_text("与您已报名的班次「午后巡逻」时间冲突")
    await screen(page, "red-posts-refused", screenshots)

    await shifts.locator(f'[data-shift="{afternoon["id"]}"] [data-test="cancel"]').click()
    await expect(notice).to_contain_text("已取消报名：午后巡逻")
    await expect(page.locator('[data-test="my-shifts"] .van-cell')).to_have_count(1)

    await page.locator('[data-test="calendar"]').click()
    link = page.locator('[data-test="feed-link"]')
    await expect(link).to_have_attribute("href", re.compile(r"^webcal:"))
    href = str(await link.get_attribute("href"))
    path = "/feeds/" + href.split("/feeds/", 1)[1]
    async with httpx.AsyncClient(base_url=web_stack.stack.url("shifts")) as anyone:
        ics = await anyone.get(path)
    assert ics.status_code == 200
    assert "早间巡逻" in ics.text

    await page.get_by_role("tab", name="首页").click()
    await expect(page.locator('[data-test="home-next-shift"]')).to_contain_text("早间巡逻")
    await expect(page.locator('[data-test="home-next-shift"]')).to_contain_text("候补第 1 位")

    await page.locator('[data-test="home-next-shift"]').click()
    await page.locator('[data-test="language"]').click()
    await expect(page.get_by_role("heading", name="Red posts")).to_be_visible()
    await expect(page.locator('[data-test="my-shifts"]')).to_contain_text("Waitlist no. 1")
    await screen(page, "red-posts-en", screenshots)
