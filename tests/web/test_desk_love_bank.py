"""The love bank desk (爱心银行) at a tablet, against the demo stack: the counter verifies a pickup code typed
or filmed from the resident's QR code and hands the prize over; a wrong or used code is said in a sentence;
prize stock is added; a rule changed becomes a new version; an adjustment is made, with its reason, for someone
else (and refused for oneself); an honour is granted to a yearly candidate; the leaderboard prints alone."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from tests.support.infra import eventually
from tests.web.browser import CHROMIUM_ARGS, TABLET, screen, sign_in
from tests.web.conftest import CHROMIUM, WebStack
from tests.web.fake_camera import fake_camera_args, qr_video

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
SHANGHAI = ZoneInfo("Asia/Shanghai")
ADMIN_GREETING = "社区管理员，您好"


async def redemption_for(desk_stack: WebStack, person: str, prize_code: str = "haircut") -> dict[str, Any]:
    """A resident given enough points (by an admin, with a reason) redeems a demo prize for a pickup code."""
    async with desk_stack.api("rewards", "admin") as admin:
        prize = next(p for p in (await admin.get("/prizes")).json() if p["code"] == prize_code)
        given = await admin.post(
            f"/accounts/{person}/adjustments", json={"points": prize["cost"], "reason": "测试：兑换前补记积分"}
        )
        assert given.status_code == 201, given.text
    async with desk_stack.api("rewards", person) as resident:
        made = await resident.post("/redemptions", json={"prize_id": prize["id"]})
        assert made.status_code == 201, made.text
        redemption: dict[str, Any] = made.json()
    return redemption


async def redemption_status(desk_stack: WebStack, redemption_id: str) -> str:
    async with desk_stack.api("rewards", "admin") as admin:
        items = (await admin.get("/redemptions", params={"status": "fulfilled", "limit": 200})).json()["items"]
    return next((r["status"] for r in items if r["id"] == redemption_id), "not fulfilled")


async def served_a_shift(desk_stack: WebStack, volunteer: str) -> None:
    """A demo patrol volunteer serves two hours, confirmed by the post's leader: points and hours this year."""
    now = datetime.now(SHANGHAI).replace(microsecond=0)
    async with desk_stack.api("shifts", "liu-yang") as leader:
        made = await leader.post(
            "/shifts",
            json={
                "post": "patrol",
                "title": "晚间巡逻",
                "starts_at": (now - timedelta(hours=1)).isoformat(),
                "ends_at": (now + timedelta(hours=1)).isoformat(),
                "capacity": 5,
            },
        )
        assert made.status_code == 201, made.text
        shift = made.json()
        signed = await leader.post(f"/shifts/{shift['id']}/signups", json={"volunteer_id": volunteer})
        assert signed.status_code == 201, signed.text
        confirmed = await leader.post(
            f"/shifts/{shift['id']}/confirmations",
            json={"participants": [{"volunteer_id": volunteer, "outcome": "completed"}]},
        )
        assert confirmed.status_code == 200, confirmed.text


async def candidates(desk_stack: WebStack, year: int) -> list[str]:
    async with desk_stack.api("rewards", "admin") as admin:
        answer = await admin.get("/honours/candidates", params={"kind": "neighbour_star", "year": year})
    return [c["person_id"] for c in answer.json()]


async def open_desk(page: Any, section: str | None = None) -> None:
    await sign_in(page, "admin", ADMIN_GREETING)
    await page.locator('[data-test="desk-link"]').click()
    await page.get_by_role("navigation", name="工作台").locator('[data-desk="loveBank"]').click()
    await expect(page.locator('[data-test="verify"]')).to_be_visible()
    if section:
        await page.locator(f'[data-section="{section}"]').click()


async def test_the_counter_verifies_a_typed_pickup_code_and_hands_the_prize_over(
    tablet: Any, desk_stack: WebStack, screenshots: Path
) -> None:
    redemption = await redemption_for(desk_stack, "huang-li")
    await open_desk(tablet)

    await tablet.locator('[data-test="pickup-code-input"]').fill(redemption["pickup_code"])
    await tablet.locator('[data-test="check-code"]').click()

    found = tablet.locator('[data-test="redemption"]')
    await expect(found.locator('[data-test="redemption-prize"]')).to_have_text("理发券")
    await expect(found.locator('[data-test="redemption-person"]')).to_have_text("黄丽")
    await screen(tablet, "desk-love-bank-verify", screenshots)
    await found.locator('[data-test="hand-over"]').click()
    await expect(tablet.locator('[data-test="handed-over"]')).to_contain_text("已发放")
    assert await redemption_status(desk_stack, redemption["id"]) == "fulfilled"

    # The same code again: it has been used, and the counter is told so in a sentence.
    await tablet.locator('[data-test="pickup-code-input"]').fill(redemption["pickup_code"])
    await tablet.locator('[data-test="check-code"]').click()
    await expect(tablet.locator('[data-test="code-problem"]')).to_contain_text("已经使用过")
    await expect(tablet.locator('[data-test="redemption"]')).to_have_count(0)


async def test_a_code_nobody_holds_is_refused_in_a_sentence(tablet: Any, desk_stack: WebStack) -> None:
    async with desk_stack.api("rewards", "admin") as admin:
        waiting = (await admin.get("/redemptions", params={"status": "reserved", "limit": 200})).json()["items"]
    unused = next(f"{n:06d}" for n in range(1, 1000) if f"{n:06d}" not in {r["pickup_code"] for r in waiting})
    await open_desk(tablet)

    await tablet.locator('[data-test="pickup-code-input"]').fill(unused)
    await tablet.locator('[data-test="check-code"]').click()

    await expect(tablet.locator('[data-test="code-problem"]')).to_contain_text(f"没有找到领取码为 {unused} 的兑换")


async def test_without_a_camera_the_counter_is_told_and_types_the_code(tablet: Any, desk_stack: WebStack) -> None:
    await open_desk(tablet)

    await tablet.locator('[data-test="scan"]').click()

    # Headless Chromium without a fake device has no camera, or refuses it: either way a sentence, and the field.
    await expect(tablet.locator('[data-test="camera-problem"]')).to_contain_text(re.compile("摄像头"))
    await expect(tablet.locator('[data-test="pickup-code-input"]')).to_be_editable()


async def test_the_counter_scans_the_residents_qr_code_with_the_camera(
    browser: Any, desk_stack: WebStack, tmp_path: Path
) -> None:
    redemption = await redemption_for(desk_stack, "wu-xia")
    video = qr_video(redemption["pickup_code"], tmp_path / "pickup.y4m")
    camera = await browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *fake_camera_args(video)]
    )
    try:
        context = await camera.new_context(
            viewport=TABLET, locale="zh-CN", timezone_id="Asia/Shanghai", base_url=desk_stack.origin
        )
        await context.grant_permissions(["camera"], origin=desk_stack.origin)
        context.set_default_timeout(15_000)
        page = await context.new_page()
        await open_desk(page)

        await page.locator('[data-test="scan"]').click()

        await expect(page.locator('[data-test="pickup-code-input"]')).to_have_value(redemption["pickup_code"])
        await expect(page.locator('[data-test="redemption-person"]')).to_have_text("吴霞")
        await page.locator('[data-test="hand-over"]').click()
        await expect(page.locator('[data-test="handed-over"]')).to_be_visible()
    finally:
        await camera.close()
    assert await redemption_status(desk_stack, redemption["id"]) == "fulfilled"


async def test_stock_is_added_and_a_negative_stock_is_refused(
    tablet: Any, desk_stack: WebStack, screenshots: Path
) -> None:
    await open_desk(tablet, "prizes")
    row = tablet.locator('[data-prize="detergent"]')
    before = int(await row.locator('[data-test="stock"]').inner_text())

    await row.locator('[data-test="amount"]').fill("5")
    await row.locator('[data-test="add-stock"]').click()

    await expect(row.locator('[data-test="stock"]')).to_have_text(str(before + 5))
    await expect(tablet.locator('[data-test="stock-done"]')).to_contain_text(f"库存已改为 {before + 5}")
    await screen(tablet, "desk-love-bank-prizes", screenshots)

    await row.locator('[data-test="amount"]').fill("-1")
    await row.locator('[data-test="set-stock"]').click()
    await expect(tablet.locator('[data-test="stock-problem"]')).to_have_text("库存不能为负数。")
    await expect(row.locator('[data-test="stock"]')).to_have_text(str(before + 5))


async def test_a_changed_rule_becomes_a_new_version_with_its_history(
    tablet: Any, desk_stack: WebStack, screenshots: Path
) -> None:
    async with desk_stack.api("rewards", "admin") as admin:
        rule = next(r for r in (await admin.get("/rules")).json() if r["rule_id"] == "session.attended")
    await open_desk(tablet, "rules")

    await tablet.locator('[data-rule="session.attended"]').click()
    await tablet.locator('[data-param="points"]').fill(str(rule["params"]["points"] + 1))
    await tablet.locator('[data-test="rule-reason"]').fill("议事会决定：出席会议积分加 1 分")
    await tablet.locator('[data-test="rule-save"]').click()

    new_version = rule["version"] + 1
    await expect(tablet.locator('[data-test="rule-saved"]')).to_contain_text(f"第 {new_version} 版")
    await expect(tablet.locator('[data-test="rule-version"]')).to_have_text(f"第 {new_version} 版")
    history = tablet.locator('[data-test="rule-history"] li')
    await expect(history.first).to_contain_text("出席会议积分加 1 分")
    await expect(tablet.locator(f'[data-test="rule-history"] [data-version="{rule["version"]}"]')).to_be_visible()
    await screen(tablet, "desk-love-bank-rules", screenshots)


async def test_an_adjustment_with_its_reason_is_made_for_someone_else_and_refused_for_oneself(
    tablet: Any, desk_stack: WebStack
) -> None:
    await open_desk(tablet, "adjustments")

    await tablet.locator('[data-test="adjust-person"]').select_option("zhao-lei")
    await tablet.locator('[data-test="adjust-points"]').fill("15")
    await tablet.locator('[data-test="adjust-reason"]').fill("3 月 5 日义诊志愿服务漏记")
    await tablet.locator('[data-test="adjust-submit"]').click()

    await expect(tablet.locator('[data-test="adjust-done"]')).to_contain_text("已为 赵磊 调整 +15 分")
    await expect(tablet.locator('[data-test="trail"] tbody tr').first).to_contain_text("3 月 5 日义诊志愿服务漏记")

    await tablet.locator('[data-test="adjust-person"]').select_option("admin")
    await tablet.locator('[data-test="adjust-points"]').fill("10")
    await tablet.locator('[data-test="adjust-reason"]').fill("给自己加分")
    await tablet.locator('[data-test="adjust-submit"]').click()
    await expect(tablet.locator('[data-test="failure"]')).to_contain_text("不能调整自己的积分")


async def test_an_honour_is_granted_to_a_yearly_candidate(tablet: Any, desk_stack: WebStack, screenshots: Path) -> None:
    year = datetime.now(SHANGHAI).year
    await served_a_shift(desk_stack, "wang-fang")
    await eventually(
        lambda: _candidate(desk_stack, year, "wang-fang"), message="the shift's award makes a yearly candidate"
    )
    await open_desk(tablet, "honours")

    candidate = tablet.locator('[data-test="candidates"] [data-candidate="wang-fang"]')
    await candidate.locator('[data-test="grant"]').click()
    await tablet.locator('[data-test="citation"]').fill("常年参与夜间巡逻，守护邻里平安。")
    await tablet.locator('[data-test="grant-confirm"]').click()

    await expect(tablet.locator('[data-test="honour-done"]')).to_contain_text("已授予 王芳")
    await expect(candidate).to_contain_text("已授予")
    await expect(tablet.locator('[data-test="granted"]')).to_contain_text("常年参与夜间巡逻")
    await screen(tablet, "desk-love-bank-honours", screenshots)


async def _candidate(desk_stack: WebStack, year: int, person: str) -> bool:
    return person in await candidates(desk_stack, year)


async def test_the_leaderboard_prints_for_the_notice_board_without_the_navigation(
    tablet: Any, desk_stack: WebStack, screenshots: Path
) -> None:
    # 陈静: the post leaders' desk test has 赵磊 and 吴霞 on a patrol shift at this same hour (no overlaps).
    await served_a_shift(desk_stack, "chen-jing")
    await eventually(lambda: _on_board(desk_stack, "chen-jing"), message="the shift's points reach the leaderboard")
    await open_desk(tablet, "leaderboard")
    board = tablet.locator('[data-test="board"]')
    await expect(board).to_contain_text("陈静")
    await screen(tablet, "desk-love-bank-leaderboard", screenshots)

    await tablet.emulate_media(media="print")

    await expect(tablet.locator(".desk-nav")).to_be_hidden()
    await expect(tablet.locator(".desk-header")).to_be_hidden()
    await expect(tablet.locator('[data-test="board-controls"]')).to_be_hidden()
    await expect(board).to_be_visible()
    await tablet.screenshot(path=str(screenshots / "desk-love-bank-leaderboard-print.png"))

    # Once in English (the header's language switch), on screen again.
    await tablet.emulate_media(media="screen")
    await tablet.locator('[data-test="language"]').click()
    await expect(tablet.locator('[data-test="notice-board"] h2')).to_contain_text("Meihu love bank · This month")
    await expect(board.locator("thead")).to_contain_text("Rank")
    await screen(tablet, "desk-love-bank-leaderboard-en", screenshots)


async def _on_board(desk_stack: WebStack, person: str) -> bool:
    async with desk_stack.api("rewards", "admin") as admin:
        standings = (await admin.get("/leaderboards", params={"period": "month", "limit": 100})).json()
    return any(s["person_id"] == person for s in standings)
