"""A neighbour finds what another resident raised, by a Chinese word and by an English one, and reads it as a
neighbour sees it: no reporter name, no contact (intake's privacy rules, shown as they are)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.web.browser import screen, sign_in
from tests.web.conftest import WebStack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

TITLE = "3栋楼道灯不亮"
DESCRIPTION = "五楼的楼道灯坏了一周。The corridor light on the fifth floor has been broken for a week."
PHONE = "13905510123"


async def test_a_neighbour_finds_another_residents_matter_by_chinese_and_english_words_without_their_identity(
    page: Any, web_stack: WebStack, screenshots: Path
) -> None:
    async with web_stack.api("intake", "yang-min") as api:
        raised = await api.post(
            "/issues",
            json={
                "category": "repairs",
                "title": TITLE,
                "description": DESCRIPTION,
                "location": {"building": "3栋"},
                "contact": {"phone": PHONE},
            },
        )
        assert raised.status_code == 201, raised.text
        issue_id = raised.json()["id"]

    await sign_in(page, "sun-hao", "孙浩，您好")
    await page.get_by_role("tab", name="社区").click()
    await expect(page.get_by_role("heading", name="社区事项")).to_be_visible()
    listing = page.locator('[data-test="community-matters"]')
    await expect(listing.locator(f'[data-matter="{issue_id}"]')).to_be_visible()

    search = page.locator('[data-test="search"] input')
    await search.fill("楼道灯")
    await search.press("Enter")
    await expect(listing.locator("[data-matter]")).to_have_count(1)
    await expect(listing).to_contain_text(TITLE)
    await expect(page.locator("body")).not_to_contain_text("杨敏")
    await screen(page, "community-matters", screenshots)

    await search.fill("nothing-like-this")
    await search.press("Enter")
    await expect(page.locator('[data-test="community-empty"]')).to_contain_text("nothing-like-this")

    await search.fill("corridor")
    await search.press("Enter")
    await expect(listing.locator(f'[data-matter="{issue_id}"]')).to_be_visible()

    # Filters narrow the same search: it is open and a repair, so "resolved" finds nothing.
    await page.locator('[data-status="done"]').click()
    await expect(page.locator('[data-test="community-empty"]')).to_be_visible()
    await page.locator('[data-status="open"]').click()
    await page.locator('[data-test="category-filter"]').select_option("repairs")
    await expect(listing.locator(f'[data-matter="{issue_id}"]')).to_be_visible()

    await listing.locator(f'[data-matter="{issue_id}"]').click()
    await expect(page.locator('[data-test="matter-title"]')).to_have_text(TITLE)
    await expect(page.get_by_role("heading", name="社区事项")).to_be_visible()
    await expect(page.locator('[data-test="timeline"]')).to_contain_text("已提交")
    body = page.locator("body")
    for identity in ("杨敏", "yang-min", PHONE, "yangmin@"):
        await expect(body).not_to_contain_text(identity)
    # Only the reporter answers a resolution: a neighbour gets no confirm/reopen buttons.
    await expect(page.locator('[data-test="answer"]')).to_have_count(0)
    await screen(page, "community-matter", screenshots)

    await page.get_by_role("tab", name="社区").click()
    await page.locator('[data-test="language"]').click()
    await expect(page.get_by_role("heading", name="Community matters")).to_be_visible()
    await expect(page.get_by_text("no reporter's name or contact is shown here")).to_be_visible()
    await screen(page, "community-matters-en", screenshots)
