"""Events intake consumes, fed through real NATS: decisions on referred issues and forwarded suggestions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx

from contracts.events.deliberation import SuggestionForwarded
from services.kernel.topology import ConsumerSpec
from tests.intake.support import (
    COMMITTEE,
    act,
    as_,
    decision_adopted,
    decision_rejected,
    events_of,
    publish,
    sql,
    submit,
)
from tests.support.infra import Tokens, eventually, jetstream


async def referred(client: httpx.AsyncClient, tokens: Tokens) -> str:
    issue = await submit(client, tokens)
    await act(client, tokens, issue["id"], "review", {"decision": "refer"})
    return str(issue["id"])


async def status_of(client: httpx.AsyncClient, tokens: Tokens, issue_id: str) -> str:
    return str((await client.get(f"/issues/{issue_id}", headers=as_(tokens, COMMITTEE))).json()["status"])


async def acked(nats_url: str, event_name: str, count: int) -> bool:
    """The intake consumer of `event_name` has acknowledged `count` messages."""
    spec = ConsumerSpec("intake", event_name)
    async with jetstream(nats_url) as js:
        info = await js.consumer_info(spec.stream, spec.durable)
    return bool(info.ack_floor.stream_seq >= count and info.num_ack_pending == 0)


async def test_decision_adopted_twice_with_the_same_event_id_starts_the_issue_once(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str, database_url: str
) -> None:
    issue_id = await referred(client, tokens)
    event = await publish(nats_url, decision_adopted(issue_id))
    await publish(nats_url, event.data, event_id=event.id, msg_id="a-second-copy")

    await eventually(lambda: acked(nats_url, "decision.adopted", 2), message="both copies handled")

    assert await status_of(client, tokens, issue_id) == "in_progress"
    started = await sql(database_url).fetch(
        "SELECT count(*) AS n FROM issue_history WHERE issue_id = $1 AND to_status = 'in_progress'",
        uuid.UUID(issue_id),
    )
    assert started[0]["n"] == 1
    outbox = await sql(database_url).fetch(
        "SELECT count(*) AS n FROM outbox WHERE event_type = 'linli.issue.started.v1'"
    )
    assert outbox[0]["n"] == 1

    async def on_nats() -> bool:
        return (await events_of(nats_url, issue_id)).count("issue.started") == 1

    await eventually(on_nats, message="issue.started on NATS")


async def test_decision_rejected_sends_the_issue_back_to_the_committees_queue_with_the_councils_note(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str
) -> None:
    issue_id = await referred(client, tokens)
    await publish(nats_url, decision_rejected(issue_id, note="应由业主自行协商"))

    async def back() -> bool:
        return await status_of(client, tokens, issue_id) == "submitted"

    await eventually(back, message="issue back in the queue")
    queue = (await client.get("/review-queue", headers=as_(tokens, COMMITTEE))).json()["items"]
    assert [i["id"] for i in queue] == [issue_id]
    assert "应由业主自行协商" in queue[0]["status_note"]
    assert queue[0]["decision_note"] == "应由业主自行协商"

    async def returned() -> bool:
        return "issue.returned" in await events_of(nats_url, issue_id)

    await eventually(returned, message="issue.returned on NATS")
    accepted = await act(client, tokens, issue_id, "review", {"decision": "accept"})
    assert accepted["status"] == "accepted"


async def test_decisions_on_unknown_or_not_referred_issues_are_ignored_without_dead_letters(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str, database_url: str
) -> None:
    accepted = await submit(client, tokens)
    await act(client, tokens, accepted["id"], "review", {"decision": "accept"})
    unknown = await publish(nats_url, decision_adopted(uuid.uuid4()))
    not_referred = await publish(nats_url, decision_adopted(accepted["id"]))
    later = await referred(client, tokens)
    await publish(nats_url, decision_adopted(later))

    async def later_started() -> bool:
        return await status_of(client, tokens, later) == "in_progress"

    await eventually(later_started, message="the good decision still applies")
    assert await status_of(client, tokens, accepted["id"]) == "accepted"
    processed = await sql(database_url).fetch("SELECT event_id FROM processed_events")
    assert {unknown.id, not_referred.id} <= {r["event_id"] for r in processed}
    async with jetstream(nats_url) as js:
        dead = await js.stream_info("LINLI_DLQ")
    assert dead.state.messages == 0


async def test_a_forwarded_suggestion_becomes_one_council_issue_even_if_forwarded_twice(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str
) -> None:
    suggestion = SuggestionForwarded(
        suggestion_id=uuid.uuid4(),
        council_id=uuid.uuid4(),
        decision_id=uuid.uuid4(),
        title="增设儿童游乐设施",
        description="妇女议事会建议在3号楼旁增设儿童游乐设施",
        building_group=3,
        forwarded_by="chen-jing",
        forwarded_at=datetime.now(UTC),
    )
    await publish(nats_url, suggestion)
    await publish(nats_url, suggestion)  # a new event id: the same suggestion forwarded again

    await eventually(lambda: acked(nats_url, "suggestion.forwarded", 2), message="both forwards handled")
    items = (await client.get("/issues", params={"category": "suggestion"}, headers=as_(tokens, COMMITTEE))).json()[
        "items"
    ]
    assert len(items) == 1
    assert items[0]["channel"] == "council"
    assert items[0]["status"] == "submitted"
    assert items[0]["title"] == "增设儿童游乐设施"
    assert items[0]["building_group"] == 3

    async def on_nats() -> bool:
        return await events_of(nats_url, items[0]["id"]) == ["issue.submitted"]

    await eventually(on_nats, message="issue.submitted for the suggestion")
