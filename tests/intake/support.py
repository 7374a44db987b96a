"""Helpers of the intake tests: people's headers, issue shortcuts, reading the database and NATS."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.support.events import published
from tests.support.infra import Tokens, jetstream
from tests.support.sql import Sql

RESIDENT = ("wang-fang", "resident", 3)
NEIGHBOUR = ("sun-hao", "resident", 6)
COMMITTEE = ("zhang-wei", "committee", 1)


def as_(tokens: Tokens, who: tuple[str, str, int], *extra_roles: str) -> dict[str, str]:
    sub, role, group = who
    return tokens.headers(sub, role, *extra_roles, name=sub, building_group=group)


def issue_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "corridor_clutter",
        "title": "楼道堆满纸箱 corridor blocked",
        "description": "三单元二楼楼道被纸箱堵住，消防通道不通。",
        "location": {"building": "12栋", "unit": "3单元", "text": "二楼楼梯口"},
        "contact": {"phone": "13800000000"},
    }
    body.update(overrides)
    return body


async def submit(
    client: httpx.AsyncClient, tokens: Tokens, who: tuple[str, str, int] = RESIDENT, **overrides: Any
) -> dict[str, Any]:
    response = await client.post("/issues", json=issue_body(**overrides), headers=as_(tokens, who))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def act(
    client: httpx.AsyncClient,
    tokens: Tokens,
    issue_id: str,
    action: str,
    body: dict[str, Any] | None = None,
    who: tuple[str, str, int] = COMMITTEE,
    expect: int = 200,
) -> dict[str, Any]:
    response = await client.post(f"/issues/{issue_id}/{action}", json=body or {}, headers=as_(tokens, who))
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


def sql(database_url: str) -> Sql:
    """Intake's tables, through the one SQL runner of the tests."""
    return Sql(database_url, "intake")


async def stream_events(nats_url: str) -> list[dict[str, Any]]:
    """Every CloudEvent intake published, in order."""
    return await published(nats_url, "LINLI_INTAKE")


async def events_of(nats_url: str, issue_id: str | uuid.UUID) -> list[str]:
    """The types (`issue.accepted`...) of the events about one issue on NATS, in order."""
    found = []
    for event in await stream_events(nats_url):
        if event.get("subject") == str(issue_id):
            found.append(event["type"].removeprefix("linli.").rsplit(".", 1)[0])
    return found


def decision_adopted(issue_id: str | uuid.UUID | None, **overrides: Any) -> Any:
    from datetime import UTC, datetime

    from contracts.events.deliberation import DecisionAdopted

    values: dict[str, Any] = {
        "decision_id": uuid.uuid4(),
        "council_id": uuid.uuid4(),
        "council_kind": "consultation",
        "session_id": uuid.uuid4(),
        "motion_id": uuid.uuid4(),
        "agenda_item_id": uuid.uuid4(),
        "issue_id": issue_id,
        "title": "清理楼道 Clear the corridor",
        "votes_for": 7,
        "votes_against": 0,
        "votes_abstain": 1,
        "decided_at": datetime.now(UTC),
        "action_plan": "物业三日内清理 / Property management clears it within 3 days",
    }
    values.update(overrides)
    return DecisionAdopted(**values)


def decision_rejected(issue_id: str | uuid.UUID | None, note: str = "议事会认为应由业主自行协商") -> Any:
    from contracts.events.deliberation import DecisionRejected

    data = decision_adopted(issue_id).model_dump()
    for key in ("action_plan", "responsible_party", "responsible_person_id", "review_date"):
        data.pop(key, None)
    return DecisionRejected(**{**data, "note": note})


async def publish(
    nats_url: str,
    data: Any,
    *,
    service: str = "deliberation",
    event_id: uuid.UUID | None = None,
    msg_id: str | None = None,
) -> Any:
    """Publish an event as another service would; returns the CloudEvent."""
    from contracts.envelope import CloudEvent
    from services.kernel.topology import ensure_streams

    event = CloudEvent.wrap(
        data,
        community="meihu",
        service=service,
        subject=str(getattr(data, "issue_id", None) or uuid.uuid4()),
        event_id=event_id,
    )
    async with jetstream(nats_url) as js:
        await ensure_streams(js)
        await js.publish(
            event.nats_subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": msg_id or str(event.id)}
        )
    return event
