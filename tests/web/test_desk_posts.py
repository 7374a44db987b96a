"""The post leaders' desk: a post leader sees this week's shifts of their own post, checks two volunteers in and
out from a phone at the post, confirms the shift in one screen, and the volunteers' points appear in the love bank.
Real stack (make run's demo data); no sleeps."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from tests.support.infra import eventually
from tests.web.browser import screen
from tests.web.conftest import WebStack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
SHANGHAI = ZoneInfo("Asia/Shanghai")
VOLUNTEERS = ("zhao-lei", "wu-xia")
"""On no other desk test's shift: the desks share one stack, and a volunteer cannot hold two shifts at once."""


async def _balance(stack: WebStack, person: str) -> int:
    async with stack.api("rewards", "admin") as api:
        answer = await api.get(f"/accounts/{person}")
        return int(answer.json()["balance"]) if answer.status_code == 200 else 0


async def test_a_post_leader_checks_two_volunteers_in_confirms_the_shift_and_their_points_appear(
    tablet: Any, desk_phone: Any, desk_stack: WebStack, screenshots: Path
) -> None:
    title = f"早间巡逻 {uuid.uuid4().hex[:4]}"
    starts = datetime.now(SHANGHAI) - timedelta(minutes=10)  # under way, so it can be confirmed
    async with desk_stack.api("shifts", "liu-yang") as leader:
        made = await leader.post(
            "/shifts",
            json={
                "post": "patrol",
                "title": title,
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(),
                "location": "美湖小区东门",
                "capacity": 4,
                "min_party_members": 1,
            },
        )
        assert made.status_code == 201, made.text
        shift = made.json()
        for person in VOLUNTEERS:
            signed = await leader.post(f"/shifts/{shift['id']}/signups", json={"volunteer_id": person})
            assert signed.status_code == 201, signed.text
    before = {person: await _balance(desk_stack, person) for person in VOLUNTEERS}

    # At the post, on a phone: the leader opens the desk from a link, signs in, and checks both in.
    await desk_phone.goto("/desk/posts")
    await desk_phone.locator('[data-person="liu-yang"]').click()
    card = desk_phone.locator(f'[data-shift="{title}"]')
    await expect(card).to_contain_text("已报 2 / 4 人")
    await expect(desk_phone.locator("[data-shift]", has_text="主题党日")).to_have_count(0)  # yang-min's post
    await card.click()
    roster = desk_phone.locator('[data-test="roster"]')
    for person in VOLUNTEERS:
        await roster.locator(f'[data-volunteer="{person}"] [data-test="check-in"]').click()
        await expect(roster.locator(f'[data-volunteer="{person}"] [data-test="checked-in"]')).to_be_visible()
    await roster.locator('[data-volunteer="zhao-lei"] [data-test="check-out"]').click()
    await expect(roster.locator('[data-volunteer="zhao-lei"]')).to_contain_text("签退")

    # Back at the service centre, on a tablet: this week's shifts, then the confirmation in one screen.
    await tablet.goto("/desk/posts")
    await tablet.locator('[data-person="liu-yang"]').click()
    await expect(tablet.locator(f'[data-shift="{title}"]')).to_be_visible()
    await screen(tablet, "desk-posts-week", screenshots)
    await tablet.locator(f'[data-shift="{title}"]').click()
    confirm = tablet.locator('[data-test="confirm"]')
    await expect(confirm.locator("[data-volunteer]")).to_have_count(2)
    # Checked in and out a moment apart in the test: the leader gives the hours served, with a reason.
    await confirm.locator('input[name="hours-zhao-lei"]').fill("1.5")
    await confirm.locator('input[name="reason-zhao-lei"]').fill("按实际巡逻时长")
    await confirm.locator('input[name="hours-wu-xia"]').fill("2")
    await confirm.locator('input[name="reason-wu-xia"]').fill("忘记签退，实际巡逻两小时")
    await screen(tablet, "desk-posts-confirm", screenshots)
    await confirm.get_by_role("button", name="确认 2 人").click()
    await expect(tablet.locator('[data-test="notice"]')).to_contain_text("2 人完成，0 人未到岗")
    await expect(tablet.locator('[data-volunteer="wu-xia"] [data-test="outcome"]')).to_contain_text("2 小时")

    async def points_appeared() -> bool:
        return all([await _balance(desk_stack, p) > before[p] for p in VOLUNTEERS])

    await eventually(points_appeared, timeout=20, message="the volunteers' points in the love bank")

    await tablet.locator('[data-test="language"]').click()
    await expect(tablet.locator('[data-test="roster"]')).to_contain_text("Completed")
    await screen(tablet, "desk-posts-confirm-en", screenshots)


async def test_a_leader_of_another_post_cannot_see_the_roster_of_this_one(desk_stack: WebStack) -> None:
    async with desk_stack.api("shifts", "liu-yang") as leader:
        shifts = (await leader.get("/shifts", params={"post": "patrol", "limit": 1})).json()["items"]
    async with desk_stack.api("shifts", "yang-min") as other:
        answer = await other.get(f"/shifts/{shifts[0]['id']}/roster")

    assert answer.status_code == 403
