"""The council desk: the chair calls and opens a session on a tablet, records the mode and who is present,
members vote on their phones (results hidden until the vote closes), and the adopted decision sets the
referred matter in progress on the committees' board. Real stack (make run's demo data); no sleeps."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from tests.support.infra import eventually
from tests.web.browser import PHONE, screen, sign_in
from tests.web.conftest import WebStack, _opened

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def _vote_on_a_phone(browser: Any, stack: WebStack, person: str, choice: str, folder: Path) -> None:
    async with _opened(browser, stack.origin, PHONE, mobile=True) as phone:
        await phone.goto("/desk/council/vote")  # a member opens the link to the vote: sign in, and on to it
        await phone.locator(f'[data-person="{person}"]').click()
        card = phone.locator("[data-motion]", has_text="同意在3栋加装雨棚")
        await expect(card).to_be_visible()
        await card.locator(f'[data-choice="{choice}"]').click()
        await expect(card.locator('[data-test="my-vote"]')).to_be_visible()
        await expect(card.locator('[data-test="results-hidden"]')).to_be_visible()
        await expect(card.locator('[data-test="results"]')).to_have_count(0)
        if person == "wang-fang":
            await screen(phone, "desk-council-vote", folder)


async def test_the_chair_opens_a_session_members_vote_on_phones_and_the_decision_starts_the_matter(
    tablet: Any, browser: Any, desk_stack: WebStack, screenshots: Path
) -> None:
    # A session of our own, starting soon, so the matter referred now goes on its agenda (the next scheduled one).
    title = f"雨棚专题协商 {uuid.uuid4().hex[:4]}"
    starts = (datetime.now(SHANGHAI) + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    await sign_in(tablet, "zhang-wei", "张伟，您好")
    await tablet.locator('[data-test="desk-link"]').click()
    await tablet.get_by_role("navigation", name="工作台").locator('[data-desk="council"]').click()
    form = tablet.locator('[data-test="new-session"]')
    await form.locator('input[name="title"]').fill(title)
    await form.locator('input[name="starts_at"]').fill(starts)
    await form.get_by_role("button", name="安排会议").click()
    await expect(tablet.locator(f'[data-session="{title}"]')).to_be_visible()

    async with desk_stack.api("intake", "huang-li") as resident:
        raised = await resident.post("/issues", json={"category": "repairs", "title": "3栋单元门口需要加装雨棚"})
        assert raised.status_code == 201, raised.text
        issue = raised.json()
    async with desk_stack.api("intake", "li-na") as committee:
        referred = await committee.post(
            f"/issues/{issue['id']}/review", json={"decision": "refer", "note": "提交协商议事会"}
        )
        assert referred.status_code == 200, referred.text

    async with desk_stack.api("deliberation", "zhang-wei") as chair:

        async def on_the_agenda() -> bool:  # the referral reaches deliberation by an event
            councils = (await chair.get("/councils")).json()
            consultation = next(c for c in councils if c["kind"] == "consultation")
            sessions = (
                await chair.get(f"/councils/{consultation['id']}/sessions", params={"status": "scheduled"})
            ).json()
            ours = next(s for s in sessions["items"] if s["title"] == title)
            items = (await chair.get(f"/sessions/{ours['id']}/agenda-items")).json()
            return any(i["issue_id"] == issue["id"] for i in items)

        await eventually(on_the_agenda, timeout=20, message="the referred matter on our session's agenda")
    await tablet.locator(f'[data-session="{title}"]').click()
    item = tablet.locator('[data-item="3栋单元门口需要加装雨棚"]')
    await expect(item).to_contain_text("居民反映转交")
    await tablet.locator('[data-test="mode"]').select_option("door_to_door")
    await tablet.locator('[data-test="save-mode"]').click()
    await expect(tablet.locator('[data-test="session-mode"]')).to_have_text("上门议事")
    await tablet.locator('[data-test="open-session"]').click()
    await expect(tablet.locator('[data-test="session-status"]')).to_have_text("进行中")
    for person in ("zhang-wei", "li-na", "wang-fang", "chen-jing"):
        await tablet.locator(f'[data-test="attendance"] input[data-person="{person}"]').check()
        await expect(tablet.locator(f'[data-test="attendance"] input[data-person="{person}"]')).to_be_checked()
    await expect(tablet.locator('[data-test="present-count"]')).to_contain_text("出席 4 / 7 人")
    propose = item.locator('[data-test="propose"]')
    await propose.locator('input[name="motion_title"]').fill("同意在3栋加装雨棚")
    await propose.locator('textarea[name="motion_text"]').fill("物业两周内在3栋单元门口加装雨棚，费用由公共收益列支。")
    await propose.get_by_role("button", name="提出动议").click()
    motion = item.locator('[data-motion="同意在3栋加装雨棚"]')
    await expect(motion).to_contain_text("表决中")
    await tablet.evaluate("window.scrollTo(0, 0)")
    await screen(tablet, "desk-council-session", screenshots)

    await _vote_on_a_phone(browser, desk_stack, "wang-fang", "for", screenshots)
    await _vote_on_a_phone(browser, desk_stack, "chen-jing", "for", screenshots)

    await tablet.locator('[data-test="council-nav-sessions"]').click()
    await tablet.locator(f'[data-session="{title}"]').click()
    await expect(motion.locator('[data-test="votes-cast"]')).to_have_text("已投票 2 人")
    await expect(motion.locator('[data-test="results"]')).to_have_count(0)
    close = motion.locator('[data-test="close-motion"]')
    await close.locator('select[name="responsible_party"]').select_option("property_management")
    await close.locator('select[name="responsible_person"]').select_option("zhou-qiang")
    await close.locator('input[name="review_date"]').fill(
        (datetime.now(SHANGHAI) + timedelta(days=14)).date().isoformat()
    )
    await close.get_by_role("button", name="结束表决").click()
    await expect(motion.locator('[data-test="results"]')).to_have_text("赞成 2 · 反对 0 · 弃权 0")
    decision = motion.locator('[data-test="decision"]')
    await expect(decision).to_contain_text("物业服务企业")
    await expect(decision).to_contain_text("周强")
    await screen(tablet, "desk-council-decision", screenshots)

    async with desk_stack.api("intake", "li-na") as committee:

        async def in_progress() -> bool:
            return bool((await committee.get(f"/issues/{issue['id']}")).json()["status"] == "in_progress")

        await eventually(in_progress, timeout=20, message="the referred matter in progress")

    conclude = tablet.locator('[data-test="conclude"]')
    await conclude.locator('textarea[name="minutes"]').fill("上门听取3栋居民意见，一致同意加装雨棚。")
    await conclude.get_by_role("button", name="结束会议").click()
    await expect(tablet.locator('[data-test="report"]')).to_contain_text("上门听取3栋居民意见")

    await tablet.locator('[data-test="language"]').click()
    await expect(tablet.locator('[data-test="report"]')).to_contain_text("Closing report")
    await screen(tablet, "desk-council-session-en", screenshots)


async def test_a_member_sees_the_result_on_the_phone_only_once_the_vote_closes(
    desk_phone: Any, desk_stack: WebStack
) -> None:
    async with desk_stack.api("deliberation", "admin") as admin:
        council = next(c for c in (await admin.get("/councils")).json() if c["kind"] == "women")
        starts = datetime.now(SHANGHAI) + timedelta(days=3)
        made = await admin.post(
            f"/councils/{council['id']}/sessions",
            json={"title": "母婴室选址", "starts_at": starts.isoformat(), "mode": "in_person"},
        )
        session = made.json()
        assert (await admin.post(f"/sessions/{session['id']}/open")).status_code == 200
        for person in ("li-na", "yang-min", "huang-li"):
            assert (await admin.put(f"/sessions/{session['id']}/attendance/{person}")).status_code == 204
        added = await admin.post(f"/sessions/{session['id']}/agenda-items", json={"title": "增设母婴室"})
        motion = (
            await admin.post(
                f"/agenda-items/{added.json()['id']}/motions",
                json={"title": "在党群服务中心增设母婴室", "text": "建议两委办理"},
            )
        ).json()
    async with desk_stack.api("deliberation", "li-na") as chair:
        assert (await chair.put(f"/motions/{motion['id']}/vote", json={"choice": "for"})).status_code == 204

    await desk_phone.goto("/desk/council/vote")
    await desk_phone.locator('[data-person="yang-min"]').click()
    card = desk_phone.locator("[data-motion]", has_text="在党群服务中心增设母婴室")
    await card.locator('[data-choice="abstain"]').click()
    await expect(card.locator('[data-test="my-vote"]')).to_contain_text("您已投：弃权")
    await expect(card.locator('[data-test="results"]')).to_have_count(0)

    async with desk_stack.api("deliberation", "li-na") as chair:
        assert (await chair.post(f"/motions/{motion['id']}/close", json={})).status_code == 200
    await desk_phone.locator('[data-test="refresh"]').click()
    await expect(card.locator('[data-test="results"]')).to_have_text("赞成 1 · 反对 0 · 弃权 1")
    await desk_phone.locator('[data-test="council-nav-decisions"]').click()
    await expect(desk_phone.locator('[data-test="suggestions"]')).to_contain_text("在党群服务中心增设母婴室")
