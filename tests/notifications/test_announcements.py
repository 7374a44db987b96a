"""Announcements and initiatives in notifications, on real NATS and PostgreSQL: each addressed building
group's WeCom robot, and the inbox of every reader they are for (a broadcast row per announcement,
read state per reader), taken out of every inbox when withdrawn."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx

from contracts.events.community import AnnouncementPublished, AnnouncementWithdrawn, Audience, InitiativeLaunched
from services.kernel.clock import SettableClock
from services.notifications.bootstrap import create
from tests.notifications.conftest import MORNING, MakeSettings
from tests.notifications.support import HttpReceiver, publish, wrap
from tests.support.infra import Tokens, eventually, running, served
from tests.support.sql import Sql

ADMIN = ("admin", "admin", "committee")


def announcement(
    audience: Audience = "building_group",
    group: int | None = 3,
    recipients: list[str] | None = None,
    expires_at: datetime | None = None,
) -> AnnouncementPublished:
    return AnnouncementPublished(
        announcement_id=uuid.uuid4(),
        title="停水通知",
        body="周六 9:00-12:00 三片区停水，请提前储水。",
        audience=audience,
        building_group=group if audience == "building_group" else None,
        post_type="patrol" if audience == "post" else None,
        recipient_ids=recipients or [],
        expires_at=expires_at,
        published_by="zhang-wei",
        published_at=MORNING,
    )


def withdrawal(announcement_id: uuid.UUID) -> AnnouncementWithdrawn:
    return AnnouncementWithdrawn(announcement_id=announcement_id, withdrawn_by="zhang-wei", withdrawn_at=MORNING)


async def inbox(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    answer = await client.get("/inbox", headers=headers)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def test_an_announcement_to_building_group_3_reaches_group_3s_robot_and_not_group_4s(
    make_settings: MakeSettings, sql: Sql, clock: SettableClock, tokens: Tokens, nats_url: str
) -> None:
    robot3, robot4 = HttpReceiver(wecom=True), HttpReceiver(wecom=True)
    async with (
        served(robot3.app()) as url3,
        served(robot4.app()) as url4,
        running(create(make_settings(), clock=clock)) as client,
    ):
        for group, url in ((3, url3), (4, url4)):
            put = await client.put(
                f"/channels/wecom/{group}",
                json={"url": f"{url}/cgi-bin/webhook/send?key=robot-{group}"},
                headers=tokens.headers(*ADMIN),
            )
            assert put.status_code == 200, put.text
        await publish(nats_url, wrap(announcement("building_group", 3), "community"))

        async def group3_delivered() -> list[Any]:
            rows = await sql.fetch("SELECT recipient, status FROM notifications WHERE channel = 'wecom'")
            return rows if len(robot3.requests) == 1 and all(r["status"] == "delivered" for r in rows) else []

        queued = await eventually(group3_delivered, message="group 3's robot got the announcement, marked delivered")

    body = robot3.requests[0].json()
    assert body["msgtype"] == "markdown"
    assert "## 社区公告：停水通知" in body["markdown"]["content"]
    assert robot3.requests[0].query == {"key": "robot-3"}
    assert robot4.requests == []
    assert [dict(q) for q in queued] == [{"recipient": "building_group:3", "status": "delivered"}]


async def test_a_community_announcement_and_an_initiative_go_to_all_six_groups_robots(
    make_settings: MakeSettings, sql: Sql, clock: SettableClock, tokens: Tokens, nats_url: str
) -> None:
    robot = HttpReceiver(wecom=True)
    launched = InitiativeLaunched(
        initiative_id=uuid.uuid4(),
        title="社区治理共建共享倡议书",
        body="邻里同心，共建美湖。",
        closes_at=MORNING + timedelta(days=30),
        launched_by="zhang-wei",
        launched_at=MORNING,
    )
    async with served(robot.app()) as url, running(create(make_settings(), clock=clock)) as client:
        for group in range(1, 7):
            await client.put(
                f"/channels/wecom/{group}",
                json={"url": f"{url}/cgi-bin/webhook/send?key=robot-{group}"},
                headers=tokens.headers(*ADMIN),
            )
        await publish(nats_url, wrap(announcement("community", None), "community"))
        await publish(nats_url, wrap(launched, "community"))

        async def twelve_sent() -> bool:
            return len(robot.requests) == 12

        await eventually(twelve_sent, message="both reach the six building groups' robots")
        readers = await inbox(client, tokens.headers("sun-hao", building_group=6))

    keys = sorted(r.query["key"] for r in robot.requests)
    assert keys == sorted([f"robot-{g}" for g in range(1, 7)] * 2)
    assert any("## 倡议书：社区治理共建共享倡议书" in r.json()["markdown"]["content"] for r in robot.requests)
    assert {item["subject"] for item in readers} == {"社区公告：停水通知", "倡议书：社区治理共建共享倡议书"}
    assert await sql.fetchval("SELECT count(*) FROM inbox_broadcasts") == 2


async def test_a_building_group_announcement_is_in_its_readers_inboxes_only_with_read_state_per_reader(
    make_settings: MakeSettings, sql: Sql, clock: SettableClock, tokens: Tokens, nats_url: str
) -> None:
    wang, huang = tokens.headers("wang-fang", building_group=3), tokens.headers("huang-li", building_group=3)
    zhou = tokens.headers("zhou-qiang", building_group=4)
    async with running(create(make_settings(), clock=clock)) as client:
        await client.put("/preferences/me", json={"language": "en"}, headers=huang)
        event = wrap(announcement("building_group", 3), "community")
        await publish(nats_url, event)

        async def broadcast() -> bool:
            return bool(await sql.fetchval("SELECT count(*) FROM inbox_broadcasts") == 1)

        await eventually(broadcast, message="the announcement reaches the inbox")
        [item] = await inbox(client, wang)
        read = await client.post(f"/inbox/{item['id']}/read", headers=wang)
        wang_after = await inbox(client, wang)
        huang_items = await inbox(client, huang)
        huang_unread = (await client.get("/inbox/unread-count", headers=huang)).json()
        zhou_items = await inbox(client, zhou)
        zhou_reads = await client.post(f"/inbox/{item['id']}/read", headers=zhou)

    assert item["subject"] == "社区公告：停水通知"
    assert item["event_id"] == str(event.id)
    assert item["unread"] is True
    assert read.status_code == 200, read.text
    assert read.json()["unread"] is False
    assert wang_after[0]["unread"] is False
    assert [(i["subject"], i["unread"]) for i in huang_items] == [("Announcement: 停水通知", True)]
    assert huang_unread == {"unread": 1}
    assert zhou_items == []
    assert zhou_reads.status_code == 404


async def test_a_post_announcement_gives_each_named_volunteer_an_inbox_item(
    make_settings: MakeSettings, sql: Sql, clock: SettableClock, tokens: Tokens, nats_url: str
) -> None:
    async with running(create(make_settings(), clock=clock)) as client:
        await publish(nats_url, wrap(announcement("post", recipients=["liu-yang", "wu-xia"]), "community"))

        async def two_items() -> bool:
            return bool(await sql.fetchval("SELECT count(*) FROM notifications WHERE channel = 'inbox'") == 2)

        await eventually(two_items, message="each volunteer of the post gets an inbox item")
        liu = await inbox(client, tokens.headers("liu-yang", building_group=4))
        neighbour = await inbox(client, tokens.headers("sun-hao", building_group=6))

    assert [i["subject"] for i in liu] == ["社区公告：停水通知"]
    assert neighbour == []
    assert await sql.fetchval("SELECT count(*) FROM inbox_broadcasts") == 0
    assert await sql.fetchval("SELECT count(*) FROM notifications WHERE channel = 'wecom'") == 0


async def test_a_withdrawn_announcement_leaves_every_inbox_even_when_the_withdrawal_arrives_first(
    make_settings: MakeSettings, sql: Sql, clock: SettableClock, tokens: Tokens, nats_url: str
) -> None:
    group, post, late = announcement(), announcement("post", recipients=["liu-yang"]), announcement()
    async with running(create(make_settings(), clock=clock)) as client:
        await publish(nats_url, wrap(group, "community"))
        await publish(nats_url, wrap(post, "community"))

        async def delivered() -> bool:
            broadcasts = await sql.fetchval("SELECT count(*) FROM inbox_broadcasts")
            items = await sql.fetchval("SELECT count(*) FROM notifications WHERE channel = 'inbox'")
            return bool(broadcasts == 1 and items == 1)

        await eventually(delivered, message="both announcements are in the inboxes")
        await publish(nats_url, wrap(withdrawal(group.announcement_id), "community"))
        await publish(nats_url, wrap(withdrawal(post.announcement_id), "community"))
        await publish(nats_url, wrap(withdrawal(late.announcement_id), "community"))

        async def all_withdrawn() -> bool:
            return bool(await sql.fetchval("SELECT count(*) FROM announcement_sources WHERE withdrawn") == 3)

        await eventually(all_withdrawn, message="the withdrawals are handled")
        await publish(nats_url, wrap(late, "community"))

        async def late_seen() -> bool:
            return bool(
                await sql.fetchval(
                    "SELECT event_id IS NOT NULL FROM announcement_sources WHERE announcement_id = $1",
                    late.announcement_id,
                )
            )

        await eventually(late_seen, message="the late publication is handled")
        wang = await inbox(client, tokens.headers("wang-fang", building_group=3))
        liu = await inbox(client, tokens.headers("liu-yang", building_group=4))

    assert wang == []
    assert liu == []
    assert await sql.fetchval("SELECT count(*) FROM inbox_broadcasts") == 0
    assert await sql.fetchval("SELECT count(*) FROM notifications WHERE channel = 'inbox'") == 0


async def test_an_expired_broadcast_is_no_longer_in_the_inbox(
    make_settings: MakeSettings, sql: Sql, clock: SettableClock, tokens: Tokens, nats_url: str
) -> None:
    async with running(create(make_settings(), clock=clock)) as client:
        await publish(
            nats_url, wrap(announcement("community", None, expires_at=MORNING + timedelta(hours=1)), "community")
        )

        async def broadcast() -> bool:
            return bool(await sql.fetchval("SELECT count(*) FROM inbox_broadcasts") == 1)

        await eventually(broadcast, message="the announcement reaches the inbox")
        me = tokens.headers("sun-hao", building_group=6)
        before = await inbox(client, me)
        clock.advance(timedelta(hours=2))
        after = await inbox(client, me)
        unread = (await client.get("/inbox/unread-count", headers=me)).json()

    assert len(before) == 1
    assert after == []
    assert unread == {"unread": 0}
