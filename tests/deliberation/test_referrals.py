"""issue.referred arriving over real NATS becomes one agenda item on the next session, and its decision names it."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from contracts.envelope import CloudEvent
from contracts.events.issue import IssueReferred
from services.deliberation.service_layer.agenda import on_issue_referred
from services.deliberation.settings import DeliberationSettings
from services.kernel.topology import ensure_streams
from tests.deliberation.helpers import Council, joined, make_council, sql
from tests.support.events import publish
from tests.support.infra import Tokens, eventually, jetstream, settings_for
from tests.support.sql import connection


def referral(issue_id: uuid.UUID, title: str = "3栋楼道堆物 / Clutter in building 3") -> CloudEvent[IssueReferred]:
    data = IssueReferred(
        issue_id=issue_id,
        category="corridor_clutter",
        title=title,
        status="referred",
        previous_status="accepted",
        actor_id="li-na",
        description="楼道里堆满了杂物，存在消防隐患。",
    )
    return CloudEvent.wrap(data, community="meihu", service="intake", subject=str(issue_id))


async def consumed(js: JetStreamContext) -> bool:
    info = await js.consumer_info("LINLI_INTAKE", "deliberation__issue_referred")
    return info.num_pending == 0 and info.num_ack_pending == 0 and (info.delivered.stream_seq or 0) > 0


async def agenda(council: Council, session_id: str) -> list[dict[str, Any]]:
    response = await council.client.get(f"/sessions/{session_id}/agenda-items", headers=council.chair)
    items: list[dict[str, Any]] = response.json()
    return items


async def test_a_referred_issue_appears_on_the_next_sessions_agenda(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str
) -> None:
    council = await make_council(client, tokens)
    upcoming = await council.next_session()
    issue_id = uuid.uuid4()
    async with jetstream(nats_url) as js:
        await publish(js, referral(issue_id))
    items = await eventually(lambda: agenda(council, upcoming["id"]), message="the referral on the agenda")
    assert [(i["issue_id"], i["source"]) for i in items] == [(str(issue_id), "referral")]
    assert items[0]["description"] == "楼道里堆满了杂物，存在消防隐患。"


async def test_the_same_referral_event_twice_makes_one_item(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str, database_url: str
) -> None:
    await make_council(client, tokens)
    event = referral(uuid.uuid4())
    async with jetstream(nats_url) as js:
        await publish(js, event)
        await publish(js, event, msg_id=f"{event.id}-republished")  # past the broker's duplicate window
        await eventually(lambda: consumed(js), message="both copies delivered and acked")
    assert (
        await sql(database_url).fetchval("SELECT count(*) FROM agenda_items WHERE issue_id = $1", event.data.issue_id)
        == 1
    )


async def test_two_different_events_for_the_same_issue_make_one_item(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str, database_url: str
) -> None:
    await make_council(client, tokens)
    issue_id = uuid.uuid4()
    first, second = referral(issue_id), referral(issue_id, "再次提交 / referred again")
    async with jetstream(nats_url) as js:
        await publish(js, first)
        await publish(js, second)
        await eventually(lambda: consumed(js), message="both events delivered and acked")
    assert await sql(database_url).fetchval("SELECT count(*) FROM processed_events") == 2  # both were handled...
    assert await sql(database_url).fetchval("SELECT count(*) FROM agenda_items WHERE issue_id = $1", issue_id) == 1
    assert (
        await sql(database_url).fetchval("SELECT title FROM agenda_items WHERE issue_id = $1", issue_id)
        == first.data.title
    )


async def test_a_referral_before_any_council_waits_and_lands_on_the_first_session(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str
) -> None:
    issue_id = uuid.uuid4()
    admin = tokens.headers("admin", "admin", "committee")
    async with jetstream(nats_url) as js:
        await ensure_streams(js)
        await publish(js, referral(issue_id))

        async def waiting() -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = (await client.get("/agenda-items/waiting", headers=admin)).json()
            return items

        items = await eventually(waiting, message="the referral waiting for a council")
    assert items[0]["issue_id"] == str(issue_id)
    assert items[0]["session_id"] is None
    women = await make_council(client, tokens, kind="women")  # not the council referrals go to
    assert len(await waiting()) == 1
    council = await make_council(client, tokens)
    upcoming = await council.next_session()
    assert [i["issue_id"] for i in await agenda(council, upcoming["id"])] == [str(issue_id)]
    assert await waiting() == []
    assert await agenda(women, (await women.next_session())["id"]) == []


async def test_council_decision_on_a_referral_names_the_issue_on_the_stream(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str, database_url: str
) -> None:
    council = await make_council(client, tokens)
    upcoming = await council.next_session()
    issue_id = uuid.uuid4()
    async with jetstream(nats_url) as js:
        await publish(js, referral(issue_id))
        items = await eventually(lambda: agenda(council, upcoming["id"]), message="the referral on the agenda")
        await council.open_with(upcoming["id"], ["zhang-wei", "li-na", "wang-fang", "chen-jing", "yang-min"])
        motion = await council.motion(items[0]["id"])
        for person in ("zhang-wei", "li-na", "wang-fang", "chen-jing"):
            await council.vote(motion["id"], person, "for")
        await council.vote(motion["id"], "yang-min", "against")
        closed = await council.close(motion["id"], action_plan="物业三日内清理，社区民警复查", review_date="2027-01-08")
        assert closed.status_code == 200, closed.text

        async def adopted_on_stream() -> dict[str, Any] | None:
            try:
                message = await js.get_last_msg("LINLI_DELIBERATION", "linli.meihu.decision.adopted")
            except NotFoundError:
                return None
            event: dict[str, Any] = orjson.loads(message.data or b"{}")
            return event

        event = await eventually(adopted_on_stream, message="decision.adopted published by the relay")
    assert event["data"]["issue_id"] == str(issue_id)
    assert event["data"]["agenda_item_id"] == items[0]["id"]
    assert (event["data"]["votes_for"], event["data"]["votes_against"]) == (4, 1)
    assert event["source"] == "/linli/meihu/deliberation"
    concluded = await client.post(f"/sessions/{upcoming['id']}/conclude", json={}, headers=council.chair)
    assert concluded.json()["report"]["issues_answered"] == [str(issue_id)]


async def test_concurrent_referrals_of_one_issue_are_stopped_by_the_unique_key(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str, nats_url: str, run_dir: Path
) -> None:
    await make_council(client, tokens)
    settings = settings_for(database_url, nats_url, run_dir, DeliberationSettings)
    issue_id = uuid.uuid4()
    events = [referral(issue_id, f"copy {n}") for n in range(4)]

    async def handle(event: CloudEvent[IssueReferred]) -> None:
        async with connection(database_url, "deliberation") as conn, conn.transaction():
            await on_issue_referred(joined(conn, settings), event)  # as each consumer instance runs it

    await asyncio.gather(*(handle(e) for e in events))
    assert await sql(database_url).fetchval("SELECT count(*) FROM agenda_items WHERE issue_id = $1", issue_id) == 1
