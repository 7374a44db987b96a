"""Events from other services, fed through real NATS into the running app, credit the right people once."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
from nats.js import JetStreamContext

from contracts.enums import IssueCategory
from services.kernel.topology import ConsumerSpec
from tests.rewards.helpers import connect, participation, resolved
from tests.support.events import publish
from tests.support.infra import eventually, jetstream
from tests.support.sql import Sql


async def acked_up_to(js: JetStreamContext, event_name: str, seq: int) -> bool:
    spec = ConsumerSpec("rewards", event_name)
    info = await js.consumer_info(spec.stream, spec.durable)
    return info.ack_floor.stream_seq >= seq and not info.num_ack_pending


async def balance_of(client: httpx.AsyncClient, admin: dict[str, str], person: str) -> int:
    response = await client.get(f"/accounts/{person}", headers=admin)
    assert response.status_code == 200, response.text
    return int(response.json()["balance"])


async def test_patrol_shift_and_resolved_issue_credit_the_right_balances_with_explanations(
    client: httpx.AsyncClient, admin: dict[str, str], nats_url: str, database_url: str
) -> None:
    shift = participation("wang-fang", hours=2.0)
    issue = resolved(["wang-fang", "zhao-lei"], category=IssueCategory.REPAIRS)
    async with jetstream(nats_url) as js:
        await publish(js, shift)
        await publish(js, issue)

        async def credited() -> bool:
            return (
                await balance_of(client, admin, "wang-fang") == 44 and await balance_of(client, admin, "zhao-lei") == 20
            )

        await eventually(credited, message="24 for the patrol + 20 for the issue")

        awards = (await client.get("/accounts/wang-fang/awards", headers=admin)).json()["items"]
        by_rule = {a["rule_id"]: a for a in awards}
        assert by_rule["participation.hours"]["explanation"]["en"] == "2.0 h patrol x 12 points/h = 24"
        assert by_rule["participation.hours"]["rule_version"] == 1
        assert by_rule["issue.resolved.contributor"]["points"] == 20
        assert "楼道灯坏了" in by_rule["issue.resolved.contributor"]["explanation"]["zh-CN"]

        # The same events again: once deduplicated by JetStream itself, once past it (a new Nats-Msg-Id).
        assert (await publish(js, shift)).duplicate
        again = [await publish(js, shift, msg_id="replay-shift"), await publish(js, issue, msg_id="replay-issue")]
        await eventually(lambda: acked_up_to(js, "participation.completed", again[0].seq), message="replay handled")
        await eventually(lambda: acked_up_to(js, "issue.resolved", again[1].seq), message="replay handled")

    assert await balance_of(client, admin, "wang-fang") == 44
    assert await balance_of(client, admin, "zhao-lei") == 20
    async with connect(database_url) as conn:
        assert await conn.fetchval("SELECT count(*) FROM awards") == 3
    emitted = await Sql(database_url, "rewards").outbox("linli.points.awarded.v1")
    assert len(emitted) == 3
    last_for_wang = max(
        (e["data"] for e in emitted if e["data"]["person_id"] == "wang-fang"), key=lambda d: d["balance_after"]
    )
    assert last_for_wang["balance_after"] == 44
    verify = await client.get("/ledger/verify", headers=admin)
    assert verify.status_code == 200, verify.text
    assert verify.json()["clean"] is True


async def test_statement_pages_show_the_running_balance(
    client: httpx.AsyncClient, admin: dict[str, str], nats_url: str
) -> None:
    async with jetstream(nats_url) as js:
        for hours in (1.0, 2.0, 3.0):
            await publish(js, participation("chen-jing", hours=hours))

        async def three_awards() -> bool:
            return await balance_of(client, admin, "chen-jing") == 72

        await eventually(three_awards)
    first = (await client.get("/accounts/chen-jing/statement?limit=2", headers=admin)).json()
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    second = (
        await client.get(f"/accounts/chen-jing/statement?limit=2&cursor={first['next_cursor']}", headers=admin)
    ).json()
    lines = first["items"] + second["items"]
    assert second["next_cursor"] is None
    assert next(line["balance_after"] for line in lines) == 72
    # Newest first: each line's running balance is the next (older) one's plus its own amount.
    for newer, older in itertools.pairwise(lines):
        assert newer["balance_after"] == older["balance_after"] + newer["amount"]
    assert sorted(line["amount"] for line in lines) == [12, 24, 36]


async def test_a_resident_cannot_read_someone_elses_account(client: httpx.AsyncClient, tokens: Any) -> None:
    response = await client.get("/accounts/wang-fang", headers=tokens.headers("sun-hao", "resident"))
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    mine = await client.get("/accounts/me", headers=tokens.headers("sun-hao", "resident"))
    assert mine.status_code == 200
    assert mine.json()["balance"] == 0


async def test_another_communitys_accounts_do_not_exist_for_a_caller_outside_it(
    client: httpx.AsyncClient, tokens: Any
) -> None:
    outsider = tokens.headers("admin", "admin", community="other")

    response = await client.get("/accounts/wang-fang?community=meihu", headers=outsider)

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    district = await client.get("/accounts/wang-fang?community=meihu", headers=tokens.headers("qu", "district"))
    assert district.status_code == 200
