"""Micro public-welfare venture projects (微公益创投) on real NATS and PostgreSQL: a red post's team lead
applies, the committees return or approve, activities run as linked shifts, and the closing report
counts participation from shifts' participation.completed events, never typed in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from contracts.enums import PostType
from contracts.events.shifts import ParticipationCompleted
from tests.notifications.support import publish, wrap
from tests.support.events import published
from tests.support.infra import Tokens, eventually
from tests.support.sql import Sql

NOON = datetime(2026, 6, 6, 4, 0, tzinfo=UTC)
APPLICATION = {
    "title": "湖畔净滩行动",
    "aim": "每月清理美湖湖岸垃圾，带动居民参与",
    "post_type": "environment",
    "budget": "1200.50",
    "activities_planned": ["六月净滩", "七月净滩", "垃圾分类宣传"],
}


def lead(tokens: Tokens) -> dict[str, str]:
    return tokens.headers("liu-yang", "resident", "volunteer", "post_leader", name="刘洋", building_group=4)


def committee(tokens: Tokens) -> dict[str, str]:
    return tokens.headers("li-na", "committee", name="李娜", building_group=2)


def participation(
    shift_id: uuid.UUID, volunteer: str, hours: float, post_type: PostType = PostType.ENVIRONMENT
) -> ParticipationCompleted:
    return ParticipationCompleted(
        participation_id=uuid.uuid4(), shift_id=shift_id, volunteer_id=volunteer, post_type=post_type,
        hours=hours, started_at=NOON, ended_at=NOON + timedelta(hours=hours), confirmed_by="liu-yang",
        confirmed_at=NOON + timedelta(hours=hours),
    )  # fmt: skip


async def apply(client: httpx.AsyncClient, tokens: Tokens, **fields: Any) -> dict[str, Any]:
    response = await client.post("/ventures", json={**APPLICATION, **fields}, headers=lead(tokens))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def approved(client: httpx.AsyncClient, tokens: Tokens) -> dict[str, Any]:
    venture = await apply(client, tokens)
    response = await client.post(
        f"/ventures/{venture['id']}/decision", json={"decision": "approve"}, headers=committee(tokens)
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_a_returned_application_is_revised_resubmitted_and_approved_with_its_events(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str
) -> None:
    venture = await apply(client, tokens)
    assert venture["status"] == "submitted"
    assert venture["budget"] == "1200.50"
    path = f"/ventures/{venture['id']}"

    no_reason = await client.post(f"{path}/decision", json={"decision": "return"}, headers=committee(tokens))
    assert no_reason.status_code == 400
    returned = await client.post(
        f"{path}/decision", json={"decision": "return", "reason": "预算请列明细"}, headers=committee(tokens)
    )
    assert returned.status_code == 200, returned.text
    assert returned.json()["return_reason"] == "预算请列明细"
    approve_returned = await client.post(f"{path}/decision", json={"decision": "approve"}, headers=committee(tokens))
    assert approve_returned.status_code == 409
    revised = await client.put(path, json={**APPLICATION, "budget": "980.00"}, headers=lead(tokens))
    assert revised.status_code == 200, revised.text
    assert revised.json()["status"] == "submitted"
    assert revised.json()["budget"] == "980.00"
    final = await client.post(f"{path}/decision", json={"decision": "approve"}, headers=committee(tokens))
    assert final.json()["status"] == "approved"

    async def two() -> list[dict[str, Any]]:
        events = [e for e in await published(nats_url, "LINLI_COMMUNITY") if e["type"].startswith("linli.venture.")]
        return events if len(events) == 2 else []

    returned_event, approved_event = await eventually(two, message="venture events")
    assert returned_event["type"] == "linli.venture.returned.v1"
    assert returned_event["data"]["reason"] == "预算请列明细"
    assert returned_event["data"]["lead_id"] == "liu-yang"
    assert approved_event["type"] == "linli.venture.approved.v1"
    assert approved_event["data"]["budget"] == "980.00"


async def test_only_a_post_leader_applies_and_only_committees_decide(
    client: httpx.AsyncClient, tokens: Tokens, sql: Sql
) -> None:
    resident = tokens.headers("sun-hao", "resident")
    assert (await client.post("/ventures", json=APPLICATION, headers=resident)).status_code == 403
    venture = await apply(client, tokens)
    by_lead = await client.post(
        f"/ventures/{venture['id']}/decision", json={"decision": "approve"}, headers=lead(tokens)
    )
    assert by_lead.status_code == 403
    another_lead = tokens.headers("wu-xia", "post_leader")
    revise = await client.put(f"/ventures/{venture['id']}", json=APPLICATION, headers=another_lead)
    assert revise.status_code == 403
    assert await sql.fetchval("SELECT status FROM ventures") == "submitted"


async def test_a_bad_application_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, tokens: Tokens, sql: Sql
) -> None:
    bad_fields: list[dict[str, Any]] = [
        {"budget": "-1"},
        {"budget": "10.555"},
        {"activities_planned": []},
        {"post_type": "gardening"},
        {"title": ""},
    ]
    for bad in bad_fields:
        response = await client.post("/ventures", json={**APPLICATION, **bad}, headers=lead(tokens))
        assert response.status_code == 422, (bad, response.text)
    blank = await client.post("/ventures", json={**APPLICATION, "activities_planned": ["  "]}, headers=lead(tokens))
    assert blank.status_code == 400
    assert await sql.fetchval("SELECT count(*) FROM ventures") == 0


async def test_shifts_are_linked_only_to_an_approved_venture_and_to_one_venture_only(
    client: httpx.AsyncClient, tokens: Tokens, sql: Sql
) -> None:
    submitted = await apply(client, tokens)
    shift = str(uuid.uuid4())
    too_early = await client.post(f"/ventures/{submitted['id']}/shifts", json={"shift_id": shift}, headers=lead(tokens))
    assert too_early.status_code == 409
    assert too_early.json()["reason"] == "venture-not-approved"
    venture = await approved(client, tokens)
    other = await approved(client, tokens)

    linked = await client.post(f"/ventures/{venture['id']}/shifts", json={"shift_id": shift}, headers=lead(tokens))
    again = await client.post(f"/ventures/{venture['id']}/shifts", json={"shift_id": shift}, headers=lead(tokens))
    elsewhere = await client.post(f"/ventures/{other['id']}/shifts", json={"shift_id": shift}, headers=lead(tokens))
    by_other_lead = await client.post(
        f"/ventures/{venture['id']}/shifts",
        json={"shift_id": str(uuid.uuid4())},
        headers=tokens.headers("wu-xia", "post_leader"),
    )

    assert linked.status_code == 200
    assert linked.json()["shift_ids"] == [shift]
    assert again.status_code == 200
    assert again.json()["shift_ids"] == [shift]
    assert elsewhere.status_code == 409
    assert elsewhere.json()["reason"] == "shift-linked-to-another-venture"
    assert by_other_lead.status_code == 403
    assert await sql.fetchval("SELECT count(*) FROM venture_shifts") == 1


async def test_the_closing_report_counts_participation_from_the_linked_shifts_events(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str, sql: Sql
) -> None:
    venture = await approved(client, tokens)
    path = f"/ventures/{venture['id']}"
    june, july, unlinked = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    # July is linked after its participations arrived: the lead may link a shift once it ran.
    await client.post(f"{path}/shifts", json={"shift_id": str(june)}, headers=lead(tokens))
    events = [
        participation(june, "wang-fang", 2.0),
        participation(june, "zhao-lei", 2.5),
        participation(july, "wang-fang", 3.0),
        participation(unlinked, "chen-jing", 4.0),
        participation(july, "wu-xia", 1.0, PostType.PATROL),  # not the venture's post: not counted
    ]
    for data in events:
        await publish(nats_url, wrap(data, "shifts", str(data.participation_id)))
    await publish(nats_url, wrap(events[0], "shifts", "again"), msg_id="redelivered")  # a new event id: counted once
    await client.post(f"{path}/shifts", json={"shift_id": str(july)}, headers=lead(tokens))

    async def all_kept() -> bool:
        count: int = await sql.fetchval("SELECT count(*) FROM participations")
        return count == 5

    await eventually(all_kept, message="participations kept")
    typed_in = await client.post(
        f"{path}/close", json={"spent": "1100.00", "report": "x", "participants": 99}, headers=lead(tokens)
    )
    assert typed_in.status_code == 422
    by_other = await client.post(
        f"{path}/close", json={"spent": "1100.00", "report": "x"}, headers=tokens.headers("wu-xia", "post_leader")
    )
    assert by_other.status_code == 403
    closed = await client.post(
        f"{path}/close", json={"spent": "1100.00", "report": "三次净滩，清理垃圾 40 袋"}, headers=lead(tokens)
    )

    assert closed.status_code == 200, closed.text
    report = closed.json()
    assert (report["activities_held"], report["participants"], report["volunteer_hours"]) == (2, 2, 7.5)
    assert report["spent"] == "1100.00"
    assert (
        await client.post(f"{path}/close", json={"spent": "1", "report": "x"}, headers=lead(tokens))
    ).status_code == 409

    async def closed_event() -> list[dict[str, Any]]:
        return [e for e in await published(nats_url, "LINLI_COMMUNITY") if e["type"] == "linli.venture.closed.v1"]

    [event] = await eventually(closed_event, message="venture.closed on NATS")
    assert event["data"]["activities_held"] == 2
    assert event["data"]["participants"] == 2
    assert event["data"]["volunteer_hours"] == 7.5
    assert event["data"]["spent"] == "1100.00"
