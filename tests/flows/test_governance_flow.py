"""The flow everything serves, across the five real services: every arrow of ARCHITECTURE.md's
picture crossed by a real event on a real NATS, between apps that share nothing but it.

resident -> intake -> issue.referred -> deliberation -> decision.adopted -> intake (in progress)
committee resolves -> issue.resolved -> rewards -> points.awarded -> notifications (inbox)
leader confirms -> participation.completed -> rewards
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from services.deliberation.bootstrap import create as create_deliberation
from services.deliberation.settings import DeliberationSettings
from services.intake.bootstrap import create as create_intake
from services.intake.settings import IntakeSettings
from services.kernel.clock import SettableClock
from services.kernel.settings import ServiceSettings
from services.notifications.bootstrap import create as create_notifications
from services.notifications.settings import NotificationSettings
from services.rewards.bootstrap import create as create_rewards
from services.rewards.settings import RewardsSettings
from services.shifts.bootstrap import create as create_shifts
from services.shifts.settings import ShiftsSettings
from tests.deliberation.helpers import make_council
from tests.shifts.conftest import START, Shifts
from tests.support.infra import Tokens, eventually, running, settings_for
from tests.support.sql import Sql

H = timedelta(hours=1)
S = TypeVar("S", bound=ServiceSettings)


@dataclass
class Stack:
    intake: httpx.AsyncClient
    deliberation: httpx.AsyncClient
    shifts: Shifts
    rewards: httpx.AsyncClient
    notifications: httpx.AsyncClient
    tokens: Tokens

    def as_(self, person: str, *roles: str, group: int | None = None) -> dict[str, str]:
        return self.tokens.headers(person, *roles, name=person, building_group=group)

    async def balance(self, person: str) -> int:
        response = await self.rewards.get(f"/accounts/{person}", headers=self.as_("admin", "admin", "committee"))
        if response.status_code == 404:
            return 0
        assert response.status_code == 200, response.text
        return int(response.json()["balance"])


@pytest.fixture
async def stack(database_url: str, nats_url: str, run_dir: Path, tokens: Tokens) -> AsyncIterator[Stack]:
    def settings(kind: type[S]) -> S:
        return settings_for(database_url, nats_url, run_dir, kind=kind)

    clock = SettableClock(START)
    async with AsyncExitStack() as apps:
        intake = await apps.enter_async_context(running(create_intake(settings(IntakeSettings))))
        deliberation = await apps.enter_async_context(running(create_deliberation(settings(DeliberationSettings))))
        shifts = await apps.enter_async_context(running(create_shifts(settings(ShiftsSettings), clock=clock)))
        rewards = await apps.enter_async_context(running(create_rewards(settings(RewardsSettings))))
        notifications = await apps.enter_async_context(running(create_notifications(settings(NotificationSettings))))
        yield Stack(
            intake,
            deliberation,
            Shifts(shifts, clock, tokens, Sql(database_url, "shifts")),
            rewards,
            notifications,
            tokens,
        )


async def test_a_referred_issue_is_decided_by_the_council_resolved_and_its_contributors_earn_points(
    stack: Stack,
) -> None:
    resident = stack.as_("wang-fang", "resident", group=3)
    committee = stack.as_("zhang-wei", "committee", "council_member", group=1)
    council = await make_council(stack.deliberation, stack.tokens)
    session = await council.next_session()

    issue = (
        await stack.intake.post(
            "/issues",
            json={
                "category": "neighbour_dispute",
                "title": "楼上漏水引发邻里纠纷 Leak from upstairs",
                "description": "12栋3单元楼上卫生间漏水，两户协商未果。",
                "location": {"building": "12栋", "unit": "3单元"},
            },
            headers=resident,
        )
    ).json()
    referred = await stack.intake.post(
        f"/issues/{issue['id']}/review", json={"decision": "refer", "note": "需议事会协商"}, headers=committee
    )
    assert referred.status_code == 200, referred.text

    async def on_agenda() -> list[dict[str, Any]]:
        response = await stack.deliberation.get(f"/sessions/{session['id']}/agenda-items", headers=council.chair)
        return [item for item in response.json() if item["issue_id"] == issue["id"]]

    [item] = await eventually(on_agenda, message="issue.referred became an agenda item")
    await council.open_with(session["id"], ["zhang-wei", "li-na", "wang-fang", "chen-jing", "yang-min"])
    motion = await council.motion(item["id"])
    for person in ("zhang-wei", "li-na", "wang-fang", "chen-jing", "yang-min"):
        assert (await council.vote(motion["id"], person, "for")).status_code in (200, 201, 204)
    closed = await council.close(motion["id"], action_plan="物业维修漏点，社区调解员回访", review_date="2027-01-15")
    assert closed.status_code == 200, closed.text

    async def in_progress() -> bool:
        response = await stack.intake.get(f"/issues/{issue['id']}", headers=committee)
        return bool(response.json()["status"] == "in_progress")

    await eventually(in_progress, message="decision.adopted moved the issue to in_progress")

    resolved = await stack.intake.post(
        f"/issues/{issue['id']}/resolve",
        json={"summary": "漏点已修复，双方和解", "contributors": ["liu-yang", "huang-li"]},
        headers=committee,
    )
    assert resolved.status_code == 200, resolved.text

    async def credited() -> bool:
        return await stack.balance("liu-yang") == 20 and await stack.balance("huang-li") == 20

    await eventually(credited, message="issue.resolved earned each contributor 20 points")

    confirmed = await stack.intake.post(f"/issues/{issue['id']}/confirm", json={"satisfaction": 5}, headers=resident)
    assert confirmed.status_code == 200, confirmed.text

    async def bonus() -> bool:
        return await stack.balance("liu-yang") == 25 and await stack.balance("huang-li") == 25

    await eventually(bonus, message="issue.closed with satisfaction 5 added the bonus")

    async def told() -> list[dict[str, Any]]:
        response = await stack.notifications.get("/inbox", headers=stack.as_("liu-yang", "volunteer"))
        return [i for i in response.json()["items"] if i["event_type"] == "linli.points.awarded.v1"]

    items = await eventually(lambda: _at_least(told, 2), message="points.awarded reached the inbox")
    assert all(item["unread"] for item in items)

    async def reporter_told() -> list[str]:
        response = await stack.notifications.get("/inbox", headers=resident)
        return [i["event_type"] for i in response.json()["items"]]

    types = await eventually(lambda: _contains(reporter_told, "linli.issue.closed.v1"), message="reporter told")
    assert "linli.issue.started.v1" in types


async def _at_least(probe: Any, n: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await probe()
    return found if len(found) >= n else []


async def _contains(probe: Any, wanted: str) -> list[str]:
    found: list[str] = await probe()
    return found if wanted in found else []


async def test_a_confirmed_patrol_shift_earns_points_per_hour(stack: Stack) -> None:
    shifts = stack.shifts
    await shifts.setup_post()
    await shifts.register("wang-fang", "chen-jing")
    shift = await shifts.shift(START + H, START + 3 * H, capacity=2)
    for person in ("wang-fang", "chen-jing"):
        assert (await shifts.sign_up(shift["id"], person)).status_code == 201
    shifts.clock.advance(4 * H)
    confirmation = {
        "participants": [
            {"volunteer_id": "wang-fang", "outcome": "completed"},
            {"volunteer_id": "chen-jing", "outcome": "completed"},
        ]
    }
    response = await shifts.client.post(
        f"/shifts/{shift['id']}/confirmations", json=confirmation, headers=shifts.leader
    )
    assert response.status_code in (200, 201), response.text

    async def credited() -> bool:
        return await stack.balance("wang-fang") == 24 and await stack.balance("chen-jing") == 24

    await eventually(credited, message="2.0 h patrol x 12 points/h for each volunteer")
    statement = await stack.rewards.get("/accounts/wang-fang/statement", headers=stack.as_("wang-fang", "volunteer"))
    assert statement.status_code == 200, statement.text
    assert "2.0 h" in str(statement.json())
