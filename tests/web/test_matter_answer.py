"""On a resolved matter the reporter confirms with a 1-5 satisfaction, or reopens it (with a reason) within the
7-day window. The committee moves the matters through the API. Real stack; no sleeps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.web.browser import screen, sign_in
from tests.web.conftest import WebStack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


async def _resolved(web_stack: WebStack, reporter: str, title: str) -> dict[str, Any]:
    async with web_stack.api("intake", reporter) as api:
        raised = await api.post("/issues", json={"category": "repairs", "title": title})
        assert raised.status_code == 201, raised.text
    issue: dict[str, Any] = raised.json()
    async with web_stack.api("intake", "li-na") as committee:
        for step, body in (
            ("review", {"decision": "accept"}),
            ("start", {"note": "物业已派人"}),
            ("resolve", {"summary": "已更换路灯灯泡", "contributors": ["liu-yang"]}),
        ):
            moved = await committee.post(f"/issues/{issue['id']}/{step}", json=body)
            assert moved.status_code == 200, moved.text
    return issue


async def test_the_reporter_confirms_with_a_satisfaction_or_reopens_within_the_window(
    page: Any, web_stack: WebStack, screenshots: Path
) -> None:
    kept = await _resolved(web_stack, "yang-min", "6栋北侧路灯不亮")
    again = await _resolved(web_stack, "yang-min", "6栋地下车库漏水")

    await sign_in(page, "yang-min", "杨敏，您好")
    await page.get_by_role("tab", name="我的事项").click()
    await page.locator(f'[data-matter="{kept["id"]}"]').click()
    answer = page.locator('[data-test="answer"]')
    await expect(answer).to_contain_text("这件事办好了吗？")
    await expect(answer.locator('[data-test="confirm"]')).to_be_disabled()
    await answer.get_by_role("radio", name="4 星").click()
    await expect(answer.locator('[data-test="stars-label"]')).to_have_text("满意")
    await screen(page, "matter-confirm", screenshots)
    await answer.locator('[data-test="confirm"]').click()
    await expect(page.locator('[data-test="matter"] [data-test="status"]')).to_have_text("已关闭")
    await expect(page.locator('[data-test="satisfaction"]')).to_contain_text("4 星")
    await expect(answer).to_be_hidden()
    async with web_stack.api("intake", "yang-min") as api:
        assert (await api.get(f"/issues/{kept['id']}")).json()["satisfaction"] == 4

    await page.get_by_role("tab", name="我的事项").click()
    await page.locator(f'[data-matter="{again["id"]}"]').click()
    await answer.locator('[data-test="start-reopen"]').click()
    await answer.locator('[data-test="reopen-reason"] textarea').fill("雨后又开始漏水了")
    await screen(page, "matter-reopen", screenshots)
    await answer.locator('[data-test="reopen"]').click()
    await expect(page.locator('[data-test="matter"] [data-test="status"]')).to_have_text("已重新打开")
    await expect(page.locator('[data-test="timeline"]')).to_contain_text("雨后又开始漏水了")
