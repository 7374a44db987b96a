"""A resident signs in as a demo person, raises a matter, sees a committee accept it in My matters, and reads
it in English.

Each screen is checked by axe-core (no serious or critical violations) and photographed (docs/screenshots/ for the
README under `make web-screenshots`).
No sleeps: every step waits for what the page shows.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.web.browser import axe_violations
from tests.web.conftest import WebStack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


async def _screen(page: Any, name: str, folder: Path) -> None:
    """A screenshot (docs/screenshots/ under `make web-screenshots`), then no serious/critical accessibility violation."""
    # Vant's sheets slide and fade in: wait for what the person would see once they stop.
    await page.wait_for_function("document.getAnimations().length === 0")
    await page.screenshot(path=str(folder / f"{name}.png"))
    violations = await axe_violations(page)
    assert violations == [], f"{name}: {violations}"


async def test_resident_raises_a_matter_and_follows_it(page: Any, web_stack: WebStack, screenshots: Path) -> None:
    async with web_stack.api("intake", "sun-hao") as api:
        categories = {c["code"]: c for c in (await api.get("/categories")).json()}
    repairs = categories["repairs"]
    title = "6栋电梯按键失灵"  # each session starts from an empty database

    await page.goto("/")
    await expect(page).to_have_url(re.compile(r"/sign-in$"))
    await expect(page.get_by_role("heading", name="选择演示身份")).to_be_visible()
    await expect(page.locator("[data-person]")).to_have_count(12)
    await expect(page.locator('[data-person="zhang-wei"]')).to_contain_text("议事会成员")
    await _screen(page, "sign-in", screenshots)

    await page.locator('[data-person="sun-hao"]').click()
    await expect(page.get_by_role("heading", name="孙浩，您好")).to_be_visible()
    await expect(page.get_by_text("您没有进行中的事项")).to_be_visible()

    await page.get_by_role("tab", name="我要反映").click()
    await page.locator('[data-test="category"] input').click()
    sheet = page.locator('[data-test="categories"]')
    await expect(sheet.get_by_role("button", name=repairs["name_zh"])).to_be_visible()
    await _screen(page, "categories", screenshots)
    await sheet.get_by_role("button", name=repairs["name_zh"]).click()
    await expect(page.locator('[data-test="category"] input')).to_have_value(repairs["name_zh"])
    await expect(sheet).to_be_hidden()
    await page.locator('[data-test="title"] input').fill(title)
    await page.locator('[data-test="description"] textarea').fill("按键没有反应，老人上下楼不方便。")
    await page.get_by_placeholder("例如 12栋").fill("6栋")
    facility = page.locator('[data-test="attribute-facility"]')  # repairs asks which facility is broken
    await expect(facility).to_contain_text("损坏的设施")
    await facility.get_by_role("radio", name="电梯").click()
    await _screen(page, "raise", screenshots)
    await page.locator('[data-test="submit"]').click()

    await expect(page.locator('[data-test="raised"]')).to_contain_text("已提交")
    await expect(page.locator('[data-test="matter-title"]')).to_have_text(title)
    await expect(page.locator('[data-test="timeline"]')).to_contain_text("已提交")
    await _screen(page, "matter", screenshots)

    # The matter is really in intake, filed by the person who signed in.
    async with web_stack.api("intake", "sun-hao") as api:
        mine = (await api.get("/issues", params={"reporter": "me"})).json()["items"]
    assert [(i["title"], i["category"], i["building_group"]) for i in mine] == [(title, "repairs", 6)]
    assert mine[0]["attributes"] == {"facility": "lift"}

    # A committee member accepts it through the API; the resident's pages show the new step.
    async with web_stack.api("intake", "zhang-wei") as api:
        review = await api.post(f"/issues/{mine[0]['id']}/review", json={"decision": "accept", "note": "已派物业维修"})
        assert review.status_code == 200, review.text

    await page.get_by_role("tab", name="我的事项").click()
    await expect(page.locator('[data-test="matters"]')).to_contain_text(title)
    await expect(page.locator('[data-test="matters"] [data-test="status"]')).to_have_text("已受理")
    await _screen(page, "matters", screenshots)
    await page.locator('[data-test="matters"] [data-matter]').first.click()
    await expect(page.locator('[data-test="timeline"]')).to_contain_text("已受理")
    await expect(page.locator('[data-test="timeline"]')).to_contain_text("已派物业维修")
    await _screen(page, "matter-accepted", screenshots)

    await page.get_by_role("tab", name="首页").click()
    await expect(page.locator('[data-test="open-matters"]')).to_contain_text(title)
    await _screen(page, "home", screenshots)

    await page.locator('[data-test="language"]').click()
    await expect(page.get_by_role("heading", name="Hello, 孙浩")).to_be_visible()
    await expect(page.locator('[data-test="open-matters"] [data-test="status"]')).to_have_text("Accepted")
    await page.get_by_role("tab", name="My matters").click()
    await expect(page.get_by_role("heading", name="My matters")).to_be_visible()
    await page.locator('[data-test="matters"] [data-matter]').first.click()
    await expect(page.locator('[data-test="timeline"]')).to_contain_text("Submitted")
    await expect(page.locator('[data-test="timeline"]')).to_contain_text("Accepted")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await _screen(page, "matter-en", screenshots)


async def test_an_api_problem_is_shown_as_its_title_and_detail(page: Any, web_stack: WebStack) -> None:
    await page.goto("/")
    await page.locator('[data-person="wu-xia"]').click()
    await expect(page.get_by_role("heading", name="吴霞，您好")).to_be_visible()
    # In-app navigation keeps the in-memory token (a reload would sign out, by design).
    await page.evaluate(f"window.history.pushState({{}}, '', '/matters/{uuid.uuid4()}')")
    await page.evaluate("window.dispatchEvent(new PopStateEvent('popstate'))")
    alert = page.locator('[data-test="failure"]')
    await expect(alert).to_contain_text("Not found")
    await expect(alert.get_by_role("button", name="重试")).to_be_visible()


async def test_a_reload_signs_out_because_the_token_is_only_in_memory(page: Any, web_stack: WebStack) -> None:
    await page.goto("/")
    await page.locator('[data-person="zhao-lei"]').click()
    await expect(page.get_by_role("heading", name="赵磊，您好")).to_be_visible()
    assert await page.evaluate("Object.keys(localStorage).length + Object.keys(sessionStorage).length") == 0
    await page.reload()
    await expect(page).to_have_url(re.compile(r"/sign-in$"))


async def test_offline_and_a_server_error_show_a_sentence_and_a_retry(page: Any, web_stack: WebStack) -> None:
    await page.goto("/")
    await page.locator('[data-person="chen-jing"]').click()
    await expect(page.get_by_role("heading", name="陈静，您好")).to_be_visible()

    # The network drops: the page says so and offers a retry, which works once it is back.
    await page.route("**/issues?*", lambda route: route.abort("internetdisconnected"))
    await page.get_by_role("tab", name="我的事项").click()
    alert = page.locator('[data-test="failure"]')
    await expect(alert).to_contain_text("无法连接到服务器")
    await page.unroute("**/issues?*")
    await page.route(
        "**/issues?*",
        lambda route: route.fulfill(
            status=503,
            content_type="application/problem+json",
            body='{"type":"about:blank","title":"Service unavailable","status":503,"detail":"The database is restarting."}',
        ),
    )
    await alert.get_by_role("button", name="重试").click()
    await expect(alert).to_contain_text("The database is restarting.")
    await page.unroute("**/issues?*")
    await alert.get_by_role("button", name="重试").click()
    await expect(alert).to_be_hidden()
    await expect(page.get_by_text("您还没有反映过事项")).to_be_visible()
