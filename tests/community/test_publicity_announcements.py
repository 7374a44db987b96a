"""Announcements (公告) through the HTTP API on real PostgreSQL and NATS: who may publish to whom,
who reads what, acknowledgements counted per building group, withdrawal, and the red posts'
volunteers community learns from shifts' events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import nats
from nats.js.errors import BadRequestError

from contracts.envelope import CloudEvent, EventData
from contracts.events.shifts import ShiftScheduled, SignupCreated
from services.kernel.clock import SettableClock
from services.kernel.topology import ensure_streams
from tests.community.conftest import AppFactory
from tests.support.documented import assert_documented
from tests.support.events import published
from tests.support.infra import Tokens, eventually
from tests.support.sql import Sql

NOON = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)  # 12:00 in Hefei


def committee(tokens: Tokens) -> dict[str, str]:
    return tokens.headers("zhang-wei", "committee", "resident", name="张伟", building_group=1)


def resident(tokens: Tokens, sub: str, group: int) -> dict[str, str]:
    return tokens.headers(sub, "resident", building_group=group)


def agent(tokens: Tokens, sub: str = "huang-li", group: int = 3) -> dict[str, str]:
    return tokens.headers(sub, "resident", "volunteer", "publicity_agent", building_group=group)


async def announce(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> httpx.Response:
    return await client.post(
        "/announcements", json={"title": "停水通知", "body": "周六 9:00-12:00 停水。", **body}, headers=headers
    )


async def events_of(nats_url: str, kind: str, key: str, value: str) -> list[dict[str, Any]]:
    """The community events of `kind` whose `key` is `value`, as on NATS (none while the stream is still empty)."""
    try:
        events = await published(nats_url, "LINLI_COMMUNITY")
    except BadRequestError:  # an empty stream has no first message to read
        return []
    return [e for e in events if e["type"] == kind and e["data"].get(key) == value]


async def publish_event(nats_url: str, data: EventData, service: str, msg_id: str | None = None) -> None:
    """Publish another service's event as its emitter would (a new msg_id passes JetStream's duplicate window)."""
    event = CloudEvent.wrap(data, community="meihu", service=service, subject=str(uuid.uuid4()))
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        await js.publish(
            event.nats_subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": msg_id or str(event.id)}
        )
    finally:
        await nc.close()


async def test_an_announcement_to_a_building_group_is_published_as_an_event_on_nats(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str
) -> None:
    made = await announce(client, committee(tokens), audience="building_group", building_group=3, pinned=True)

    assert made.status_code == 201, made.text
    announcement = made.json()
    assert announcement["agent_group"] is None
    assert announcement["pinned"] is True

    async def on_nats() -> list[dict[str, Any]]:
        return await events_of(nats_url, "linli.announcement.published.v1", "announcement_id", announcement["id"])

    [event] = await eventually(on_nats, message="announcement.published reaches NATS")
    assert event["data"]["audience"] == "building_group"
    assert event["data"]["building_group"] == 3
    assert event["data"]["recipient_ids"] == []
    assert event["data"]["published_by"] == "zhang-wei"


async def test_readers_see_the_whole_community_and_their_own_building_group_pinned_first(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    everyone = (await announce(client, committee(tokens), title="社区通知")).json()
    group3 = (
        await announce(
            client, committee(tokens), title="三片区", audience="building_group", building_group=3, pinned=True
        )
    ).json()
    group4 = (
        await announce(client, committee(tokens), title="四片区", audience="building_group", building_group=4)
    ).json()

    in3 = (await client.get("/announcements", headers=resident(tokens, "wang-fang", 3))).json()
    in4 = (await client.get("/announcements", headers=resident(tokens, "zhou-qiang", 4))).json()
    other = await client.get(f"/announcements/{group3['id']}", headers=resident(tokens, "zhou-qiang", 4))

    assert [a["id"] for a in in3] == [group3["id"], everyone["id"]]
    assert [a["id"] for a in in4] == [group4["id"], everyone["id"]]
    assert other.status_code == 404


async def test_expired_and_withdrawn_announcements_are_hidden_from_readers(
    community_app: AppFactory, tokens: Tokens
) -> None:
    clock = SettableClock(NOON)
    async with community_app(clock=clock) as client:
        brief = (
            await announce(client, committee(tokens), title="今日", expires_at=(NOON + timedelta(hours=2)).isoformat())
        ).json()
        gone = (await announce(client, committee(tokens), title="撤回")).json()
        kept = (await announce(client, committee(tokens), title="长期")).json()
        withdrawn = await client.post(f"/announcements/{gone['id']}/withdrawal", headers=committee(tokens))
        clock.advance(timedelta(hours=3))

        listed = (await client.get("/announcements", headers=resident(tokens, "sun-hao", 6))).json()
        one = await client.get(f"/announcements/{brief['id']}", headers=resident(tokens, "sun-hao", 6))

    assert withdrawn.status_code == 200, withdrawn.text
    assert [a["id"] for a in listed] == [kept["id"]]
    assert one.status_code == 404


async def test_a_publicity_agent_publishes_only_to_their_own_building_group_and_it_is_tracked(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str
) -> None:
    unregistered = await announce(client, agent(tokens), audience="building_group", building_group=3)
    put = await client.put(
        "/publicity-agents/huang-li",
        json={"building_group": 3, "kind": "party_group_leader", "name": "黄丽"},
        headers=committee(tokens),
    )

    own = await announce(client, agent(tokens), audience="building_group", building_group=3)
    other_group = await announce(client, agent(tokens), audience="building_group", building_group=4)
    whole = await announce(client, agent(tokens))
    listed = (await client.get("/publicity-agents", headers=resident(tokens, "sun-hao", 6))).json()

    assert unregistered.status_code == 403
    assert put.status_code == 200, put.text
    assert own.status_code == 201, own.text
    assert own.json()["agent_group"] == 3
    assert other_group.status_code == 403
    assert whole.status_code == 403
    assert listed == [
        {
            "person_id": "huang-li",
            "name": "黄丽",
            "building_group": 3,
            "kind": "party_group_leader",
            "kind_label": {"zh-CN": "楼栋党小组长", "en": "Building party-group leader"},
            "published": 1,
            "not_withdrawn": 1,
            "last_published_at": own.json()["published_at"],
        }
    ]

    async def on_nats() -> list[dict[str, Any]]:
        return await events_of(nats_url, "linli.announcement.published.v1", "announcement_id", own.json()["id"])

    [event] = await eventually(on_nats, message="the agent's announcement reaches NATS")
    assert event["data"]["agent_group"] == 3


async def test_a_removed_agent_may_no_longer_publish(client: httpx.AsyncClient, tokens: Tokens) -> None:
    body = {"building_group": 5, "kind": "building_leader", "name": "吴霞"}
    await client.put("/publicity-agents/wu-xia", json=body, headers=committee(tokens))

    removed = await client.delete("/publicity-agents/wu-xia", headers=committee(tokens))
    again = await client.delete("/publicity-agents/wu-xia", headers=committee(tokens))
    refused = await announce(client, agent(tokens, "wu-xia", 5), audience="building_group", building_group=5)

    assert removed.status_code == 204
    assert again.status_code == 404
    assert refused.status_code == 403


async def test_only_the_committees_register_agents(client: httpx.AsyncClient, tokens: Tokens, sql: Sql) -> None:
    refused = await client.put(
        "/publicity-agents/huang-li",
        json={"building_group": 3, "kind": "party_group_leader", "name": "黄丽"},
        headers=agent(tokens),
    )

    assert refused.status_code == 403
    assert await sql.fetchval("SELECT count(*) FROM publicity_agents") == 0


async def test_a_reader_acknowledges_once_and_counts_are_per_building_group(
    client: httpx.AsyncClient, tokens: Tokens, sql: Sql
) -> None:
    a = (await announce(client, committee(tokens))).json()
    url = f"/announcements/{a['id']}/acknowledgements"

    first = await client.post(url, headers=resident(tokens, "wang-fang", 3))
    second = await client.post(url, headers=resident(tokens, "wang-fang", 3))
    await client.post(url, headers=resident(tokens, "huang-li", 3))
    await client.post(url, headers=resident(tokens, "sun-hao", 6))
    counts = await client.get(url, headers=committee(tokens))
    by_resident = await client.get(url, headers=resident(tokens, "sun-hao", 6))
    mine = (await client.get(f"/announcements/{a['id']}", headers=resident(tokens, "wang-fang", 3))).json()

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["acknowledged_at"] == first.json()["acknowledged_at"]
    assert_documented("community", "/announcements/{announcement_id}/acknowledgements", second)
    assert counts.json()["total"] == 3
    assert counts.json()["by_building_group"] == {"1": 0, "2": 0, "3": 2, "4": 0, "5": 0, "6": 1}
    assert by_resident.status_code == 403
    assert mine["acknowledged"] is True
    assert await sql.fetchval("SELECT count(*) FROM announcement_acknowledgements") == 3


async def test_an_announcement_not_for_the_reader_cannot_be_acknowledged(
    client: httpx.AsyncClient, tokens: Tokens, sql: Sql
) -> None:
    a = (await announce(client, committee(tokens), audience="building_group", building_group=3)).json()

    refused = await client.post(f"/announcements/{a['id']}/acknowledgements", headers=resident(tokens, "sun-hao", 6))

    assert refused.status_code == 404
    assert await sql.fetchval("SELECT count(*) FROM announcement_acknowledgements") == 0


async def test_only_the_committees_or_the_agent_who_published_withdraw_and_only_once(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str
) -> None:
    for sub, group in (("huang-li", 3), ("wang-fang", 3)):
        await client.put(
            f"/publicity-agents/{sub}",
            json={"building_group": group, "kind": "building_leader", "name": sub},
            headers=committee(tokens),
        )
    a = (await announce(client, agent(tokens), audience="building_group", building_group=3)).json()
    url = f"/announcements/{a['id']}/withdrawal"

    by_other_agent = await client.post(url, headers=agent(tokens, "wang-fang", 3))
    by_publisher = await client.post(url, headers=agent(tokens))
    again = await client.post(url, headers=committee(tokens))

    assert by_other_agent.status_code == 403
    assert by_publisher.status_code == 200, by_publisher.text
    assert again.status_code == 409
    assert again.json()["current_state"] == "withdrawn"

    async def on_nats() -> list[dict[str, Any]]:
        return await events_of(nats_url, "linli.announcement.withdrawn.v1", "announcement_id", a["id"])

    [event] = await eventually(on_nats, message="announcement.withdrawn reaches NATS")
    assert event["data"]["withdrawn_by"] == "huang-li"


async def test_an_announcement_that_does_not_name_its_audience_is_refused_and_nothing_changes(
    client: httpx.AsyncClient, tokens: Tokens, sql: Sql
) -> None:
    no_group = await announce(client, committee(tokens), audience="building_group")
    no_post = await announce(client, committee(tokens), audience="post")
    both = await announce(client, committee(tokens), building_group=2)
    bad_group = await announce(client, committee(tokens), audience="building_group", building_group=7)
    past = await announce(client, committee(tokens), expires_at="2020-01-01T00:00:00+08:00")
    resident_tries = await announce(client, resident(tokens, "sun-hao", 6))

    assert [r.status_code for r in (no_group, no_post, both, bad_group, past)] == [400, 400, 400, 422, 400]
    assert resident_tries.status_code == 403
    assert await sql.fetchval("SELECT count(*) FROM announcements") == 0
    assert await sql.fetchval("SELECT count(*) FROM outbox") == 0


async def test_a_post_announcement_reaches_the_volunteers_shifts_named_and_a_replayed_event_changes_nothing(
    client: httpx.AsyncClient, tokens: Tokens, sql: Sql, nats_url: str
) -> None:
    start = datetime(2026, 12, 12, 1, 0, tzinfo=UTC)
    shift = ShiftScheduled(
        shift_id=uuid.uuid4(),
        post_id=uuid.uuid4(),
        post_type="patrol",
        title="周六夜巡",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=4,
        post_volunteer_ids=["liu-yang", "zhao-lei"],
    )
    signup = SignupCreated(
        signup_id=uuid.uuid4(),
        shift_id=shift.shift_id,
        volunteer_id="wu-xia",
        post_type="patrol",
        title="周六夜巡",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        status="confirmed",
    )
    await publish_event(nats_url, shift, "shifts")
    await publish_event(nats_url, signup, "shifts")
    await publish_event(nats_url, signup, "shifts", msg_id=f"replayed-{uuid.uuid4()}")

    async def three_known() -> bool:
        return bool(await sql.fetchval("SELECT count(*) FROM post_volunteers WHERE post_type = 'patrol'") == 3)

    await eventually(three_known, message="community learns the patrol post's volunteers from shifts")
    made = await announce(client, committee(tokens), audience="post", post_type="patrol", title="巡逻调整")
    assert made.status_code == 201, made.text
    a = made.json()
    seen_by_volunteer = await client.get("/announcements", headers=resident(tokens, "wu-xia", 5))
    seen_by_neighbour = await client.get("/announcements", headers=resident(tokens, "sun-hao", 6))

    assert [x["id"] for x in seen_by_volunteer.json()] == [a["id"]]
    assert seen_by_neighbour.json() == []
    assert "recipient_ids" not in a

    async def on_nats() -> list[dict[str, Any]]:
        return await events_of(nats_url, "linli.announcement.published.v1", "announcement_id", a["id"])

    [event] = await eventually(on_nats, message="the post's announcement reaches NATS")
    assert event["data"]["recipient_ids"] == ["liu-yang", "wu-xia", "zhao-lei"]
    assert event["data"]["post_type"] == "patrol"
    assert await sql.fetchval("SELECT count(*) FROM post_volunteers") == 3
