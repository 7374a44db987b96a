"""The inbox: unread first, mark read, and new items arriving live (notifications' SSE stream) without a
reload, while Home's card counts what is unread. Real stack; no sleeps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.support.infra import eventually
from tests.web.browser import screen, sign_in
from tests.web.conftest import WebStack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


async def _unread(web_stack: WebStack, person: str) -> int:
    async with web_stack.api("notifications", person) as api:
        return int((await api.get("/inbox/unread-count")).json()["unread"])


async def test_the_inbox_updates_live_when_a_committee_reviews_a_matter(
    page: Any, web_stack: WebStack, screenshots: Path
) -> None:
    async with web_stack.api("intake", "wang-fang") as api:
        raised = await api.post("/issues", json={"category": "sanitation", "title": "3栋门口垃圾桶满溢"})
        assert raised.status_code == 201, raised.text
    issue = raised.json()
    # The acknowledgement reaches the inbox through NATS; wait for it before opening the app.
    await eventually(lambda: _wait_unread(web_stack, "wang-fang", 1), message="the acknowledgement is in the inbox")

    await sign_in(page, "wang-fang", "王芳，您好")
    await expect(page.locator('[data-test="home-unread"]')).to_contain_text("1 条")

    await page.get_by_role("tab", name="消息").click()
    inbox = page.locator('[data-test="inbox"]')
    await expect(inbox.locator("[data-item]")).to_have_count(1)
    await expect(inbox).to_contain_text("已收到您反映的事项")
    await expect(page.locator('[data-test="unread-summary"]')).to_contain_text("实时更新中")

    # A committee member accepts the matter through the API; the item appears without a reload.
    async with web_stack.api("intake", "zhang-wei") as api:
        review = await api.post(f"/issues/{issue['id']}/review", json={"decision": "accept", "note": "已通知物业清运"})
        assert review.status_code == 200, review.text
    await expect(inbox.locator("[data-item]")).to_have_count(2)
    await expect(inbox.locator("[data-item]").first).to_contain_text("已受理")
    await expect(page.locator('[data-test="unread-summary"]')).to_contain_text("2 条未读")
    await expect(page.locator('[data-test="inbox-tab"]')).to_contain_text("2")
    await screen(page, "inbox", screenshots)

    # Reading one marks it read in notifications too; unread stay first.
    await inbox.locator("[data-item]").first.click()
    await expect(inbox.locator('[data-test="body"]')).to_contain_text("已通知物业清运")
    await expect(page.locator('[data-test="unread-summary"]')).to_contain_text("1 条未读")
    await expect(inbox.locator("[data-item]").first).to_have_attribute("data-unread", "1")
    assert await _unread(web_stack, "wang-fang") == 1

    await page.locator('[data-test="read-all"]').click()
    await expect(page.locator('[data-test="unread-summary"]')).to_contain_text("全部已读")
    assert await _unread(web_stack, "wang-fang") == 0

    await page.get_by_role("tab", name="首页").click()
    await expect(page.locator('[data-test="home-unread"]')).to_contain_text("0 条")
    await screen(page, "home-cards", screenshots)

    await page.get_by_role("tab", name="消息").click()
    await page.locator('[data-test="language"]').click()
    await expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    await expect(page.locator('[data-test="unread-summary"]')).to_contain_text("All read")
    await screen(page, "inbox-en", screenshots)


async def _wait_unread(web_stack: WebStack, person: str, n: int) -> bool:
    return await _unread(web_stack, person) >= n
