"""The love bank: a shift confirmed by its post leader (through the API) shows up as points with their
explanation, the star level and its progress, a prize redeemed shows its pickup code as a QR code, my
redemptions, the leaderboard and the service certificate's PDF; Home shows the balance. Real stack."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from tests.support.infra import eventually
from tests.web.browser import screen, sign_in
from tests.web.conftest import WebStack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def confirmed_shift(web_stack: WebStack, volunteer: str, *, hours: int = 2) -> dict[str, Any]:
    """A patrol shift under way, the volunteer signed up by the post leader and confirmed as completed."""
    async with web_stack.api("shifts", "admin") as admin:
        post = await admin.put("/posts/patrol", json={"leader_ids": ["liu-yang"]})
        assert post.status_code == 200, post.text
        registered = await admin.put(
            f"/volunteers/{volunteer}",
            json={"name": volunteer, "kind": "resident", "building_group": 3, "posts": ["patrol"]},
        )
        assert registered.status_code == 200, registered.text
    now = datetime.now(SHANGHAI).replace(microsecond=0)
    async with web_stack.api("shifts", "liu-yang") as leader:
        made = await leader.post(
            "/shifts",
            json={
                "post": "patrol",
                "title": "晚间巡逻",
                "starts_at": (now - timedelta(hours=1)).isoformat(),
                "ends_at": (now - timedelta(hours=1) + timedelta(hours=hours)).isoformat(),
                "capacity": 5,
            },
        )
        assert made.status_code == 201, made.text
        shift: dict[str, Any] = made.json()
        signed = await leader.post(f"/shifts/{shift['id']}/signups", json={"volunteer_id": volunteer})
        assert signed.status_code == 201, signed.text
        confirmed = await leader.post(
            f"/shifts/{shift['id']}/confirmations",
            json={"participants": [{"volunteer_id": volunteer, "outcome": "completed"}]},
        )
        assert confirmed.status_code == 200, confirmed.text
    return shift


async def _balance(web_stack: WebStack, person: str) -> int:
    async with web_stack.api("rewards", person) as api:
        return int((await api.get("/accounts/me")).json()["balance"])


async def test_confirmed_shift_points_appear_and_a_prize_is_redeemed_for_a_pickup_code(
    page: Any, web_stack: WebStack, screenshots: Path
) -> None:
    await confirmed_shift(web_stack, "huang-li")
    balance = await eventually(
        lambda: _balance(web_stack, "huang-li"), message="the shift's points reach the love bank"
    )
    async with web_stack.api("rewards", "admin") as admin:
        prize = await admin.post(
            "/prizes",
            json={
                "code": "rice-5kg",
                "name_zh": "大米 5 公斤",
                "name_en": "Rice, 5 kg",
                "cost": balance - 4,
                "stock": 3,
            },
        )
        assert prize.status_code == 201, prize.text
        costly = await admin.post(
            "/prizes", json={"code": "kettle", "name_zh": "电热水壶", "name_en": "Kettle", "cost": 500, "stock": 1}
        )
        assert costly.status_code == 201, costly.text
        certificate = await admin.post(
            "/certificates", json={"person_id": "huang-li", "person_name": "黄丽", "id_number": "340104199203031234"}
        )
        assert certificate.status_code == 201, certificate.text

    await sign_in(page, "huang-li", "黄丽，您好")
    card = page.locator('[data-test="home-balance"]')
    await expect(card).to_contain_text(f"{balance} 分")
    await expect(card).to_contain_text("尚未获得星级")
    await card.click()

    await expect(page.get_by_role("heading", name="爱心银行")).to_be_visible()
    await expect(page.locator('[data-test="balance-points"]')).to_have_text(f"{balance} 分")
    await expect(page.locator('[data-test="next-star"]')).to_contain_text("再服务 98 小时可达 1 星级")
    statement = page.locator('[data-test="statement"]')
    await expect(statement).to_contain_text("获得积分")
    await expect(statement).to_contain_text(f"+{balance}")
    await expect(page.locator('[data-test="leaderboard"]')).to_contain_text("黄丽")
    await expect(page.locator('[data-prize="kettle"] [data-test="redeem"]')).to_be_disabled()
    await screen(page, "love-bank", screenshots)

    await page.locator('[data-prize="rice-5kg"] [data-test="redeem"]').click()
    pickup = page.locator('[data-test="pickup"]')
    await expect(pickup).to_contain_text("大米 5 公斤")
    await expect(pickup.locator("[data-test=qr] svg")).to_be_visible()
    code = (await pickup.locator('[data-test="pickup-code"]').inner_text()).strip()
    assert re.fullmatch(r"\d{6}", code), code
    await screen(page, "pickup-code", screenshots)
    async with web_stack.api("rewards", "admin") as admin:
        found = (await admin.get("/redemptions", params={"pickup_code": code})).json()["items"]
    assert [r["person_id"] for r in found] == ["huang-li"]

    await page.locator('[data-test="pickup-close"]').click()
    await expect(pickup).to_be_hidden()
    await expect(page.locator('[data-test="balance-points"]')).to_have_text("4 分")
    await expect(page.locator('[data-test="redemptions"]')).to_contain_text("待领取")
    await expect(page.locator('[data-test="redemptions"]')).to_contain_text(code)

    async with page.expect_download() as download:
        await page.locator('[data-test="certificate-pdf"]').click()
    saved = await download.value
    assert saved.suggested_filename.startswith("certificate-MHZYFW-")
    pdf = await asyncio.to_thread(Path(await saved.path()).read_bytes)
    assert pdf.startswith(b"%PDF")

    await page.locator('[data-test="language"]').click()
    await expect(page.get_by_role("heading", name="Love bank")).to_be_visible()
    await expect(page.locator('[data-test="next-star"]')).to_contain_text("98 more hours to reach 1 stars")
    await screen(page, "love-bank-en", screenshots)


async def test_the_love_bank_offers_a_retry_when_rewards_answers_503(page: Any, web_stack: WebStack) -> None:
    await sign_in(page, "zhao-lei", "赵磊，您好")
    await page.route(
        "**/accounts/me",
        lambda route: route.fulfill(
            status=503,
            content_type="application/problem+json",
            body='{"type":"about:blank","title":"Service unavailable","status":503,"detail":"Rewards is restarting."}',
        ),
    )
    await page.locator('[data-test="home-balance"]').click()
    alert = page.locator('[data-test="failure"]')
    await expect(alert).to_contain_text("Rewards is restarting.")
    await page.unroute("**/accounts/me")
    await alert.get_by_role("button", name="重试").click()
    await expect(alert).to_be_hidden()
    await expect(page.locator('[data-test="balance-points"]')).to_have_text("0 分")
