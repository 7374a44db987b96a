"""The matter page follows its matter live: a committee's step arrives through the inbox's stream and the
status and timeline change without a reload. And a micro-wish has its own entry on Home. Real stack; no sleeps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.web.browser import screen, sign_in
from tests.web.conftest import WebStack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


async def test_the_matter_page_shows_the_committees_step_as_it_happens(
    page: Any, web_stack: WebStack, screenshots: Path
) -> None:
    async with web_stack.api("intake", "zhou-qiang") as api:
        raised = await api.post("/issues", json={"category": "noise", "title": "4栋夜间装修噪音"})
        assert raised.status_code == 201, raised.text
    issue = raised.json()
    await sign_in(page, "zhou-qiang", "周强，您好")
    await page.get_by_role("tab", name="我的事项").click()
    await page.locator(f'[data-matter="{issue["id"]}"]').click()
    await expect(page.locator('[data-test="matter"] [data-test="status"]')).to_have_text("已提交")

    async with web_stack.api("intake", "li-na") as committee:
        accepted = await committee.post(
            f"/issues/{issue['id']}/review", json={"decision": "accept", "note": "已联系装修户"}
        )
        assert accepted.status_code == 200, accepted.text

    await expect(page.locator('[data-test="matter"] [data-test="status"]')).to_have_text("已受理")
    await expect(page.locator('[data-test="timeline"]')).to_contain_text("已联系装修户")
    await screen(page, "matter-live", screenshots)


async def test_a_micro_wish_has_its_own_entry_with_its_category_chosen(page: Any, web_stack: WebStack) -> None:
    await sign_in(page, "zhou-qiang", "周强，您好")

    await page.locator('[data-test="micro-wish"]').click()

    await expect(page.locator('[data-test="category"] input')).to_have_value("微心愿")
