"""The micro-wish award (微心愿, rule wish.confirmed.claimer): the claimer of a wish its family confirmed
earns it exactly once, on real NATS and PostgreSQL, whether the event is redelivered, published twice,
or the same wish was also resolved as a matter in intake; a unit earns nothing."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson

from contracts.enums import IssueCategory
from contracts.envelope import CloudEvent
from contracts.events.community import WishConfirmed
from services.community.bootstrap import create as create_community
from services.community.settings import CommunitySettings
from tests.rewards.helpers import SHANGHAI_NOON, connect, resolved, wrap
from tests.rewards.test_awards_through_nats import acked_up_to, balance_of
from tests.support.events import publish, published
from tests.support.infra import Tokens, eventually, jetstream, running, settings_for


def confirmed(
    claimer: str | None = "wang-fang", *, kind: str = "person", issue_id: uuid.UUID | None = None
) -> CloudEvent[WishConfirmed]:
    data = WishConfirmed(
        wish_id=uuid.uuid4(), issue_id=issue_id, title="想要一套儿童绘本", building_group=6, claimer_kind=kind,
        claimer_id=claimer, claimer_name="王芳", confirmed_at=SHANGHAI_NOON,
    )  # fmt: skip
    return wrap(data, "community", data.wish_id)


async def awards_of(database_url: str, rule_id: str) -> list[dict[str, Any]]:
    async with connect(database_url) as conn:
        rows = await conn.fetch("SELECT person_id, points FROM awards WHERE rule_id = $1 ORDER BY person_id", rule_id)
    return [dict(r) for r in rows]


async def test_a_confirmed_wish_credits_its_claimer_once_however_often_the_event_arrives(
    client: httpx.AsyncClient, admin: dict[str, str], nats_url: str, database_url: str
) -> None:
    event = confirmed()
    async with jetstream(nats_url) as js:
        await publish(js, event)

        await eventually(lambda: _balance_is(client, admin, "wang-fang", 30), message="the micro-wish award")
        assert (await publish(js, event)).duplicate  # JetStream's own window
        again = await publish(js, event, msg_id="redelivered")  # past it: the consumer's idempotency
        await eventually(lambda: acked_up_to(js, "wish.confirmed", again.seq), message="the replay handled")

    assert await balance_of(client, admin, "wang-fang") == 30
    assert await awards_of(database_url, "wish.confirmed.claimer") == [{"person_id": "wang-fang", "points": 30}]
    statement = (await client.get("/accounts/wang-fang/statement", headers=admin)).json()["items"]
    assert [line["amount"] for line in statement] == [30]
    [award] = (await client.get("/accounts/wang-fang/awards", headers=admin)).json()["items"]
    assert award["rule_id"] == "wish.confirmed.claimer"
    assert "想要一套儿童绘本" in award["explanation"]["zh-CN"]
    assert award["explanation"]["en"].startswith("Fulfilled the micro-wish")
    rules = {r["rule_id"]: r for r in (await client.get("/rules", headers=admin)).json()}
    assert rules["wish.confirmed.claimer"]["trigger"] == "wish.confirmed"
    assert rules["wish.confirmed.claimer"]["params"] == {"points": 30}


async def test_a_unit_that_fulfilled_a_wish_earns_no_points(
    client: httpx.AsyncClient, admin: dict[str, str], nats_url: str, database_url: str
) -> None:
    async with jetstream(nats_url) as js:
        unit = await publish(js, confirmed(None, kind="unit"))
        with_contact = await publish(js, confirmed("li-jingli", kind="unit"))
        await eventually(lambda: acked_up_to(js, "wish.confirmed", max(unit.seq, with_contact.seq)))

    assert await awards_of(database_url, "wish.confirmed.claimer") == []
    assert await balance_of(client, admin, "li-jingli") == 0


async def test_a_wish_resolved_in_intake_and_confirmed_in_community_pays_its_claimer_once(
    client: httpx.AsyncClient, admin: dict[str, str], nats_url: str, database_url: str
) -> None:
    # Resolved first: intake's rule pays both contributors 30; the confirmation then pays the claimer nothing.
    first = resolved(["wang-fang", "zhao-lei"], category=IssueCategory.MICRO_WISH)
    # Confirmed first: the claimer is paid by the confirmation; the matter's resolution pays only the other.
    second = resolved(["chen-jing", "zhao-lei"], category=IssueCategory.MICRO_WISH)
    async with jetstream(nats_url) as js:
        await publish(js, first)
        await eventually(lambda: _balance_is(client, admin, "wang-fang", 30))
        after_resolved = await publish(js, confirmed("wang-fang", issue_id=first.data.issue_id))
        await publish(js, confirmed("chen-jing", issue_id=second.data.issue_id))
        await eventually(lambda: _balance_is(client, admin, "chen-jing", 30))
        last = await publish(js, second)
        await eventually(lambda: acked_up_to(js, "wish.confirmed", after_resolved.seq))
        await eventually(lambda: acked_up_to(js, "issue.resolved", last.seq))

    assert await balance_of(client, admin, "wang-fang") == 30
    assert await balance_of(client, admin, "chen-jing") == 30
    assert await balance_of(client, admin, "zhao-lei") == 60  # a contributor of each matter, not a claimer
    assert await awards_of(database_url, "wish.confirmed.claimer") == [{"person_id": "chen-jing", "points": 30}]
    assert await awards_of(database_url, "issue.resolved.contributor") == [
        {"person_id": "wang-fang", "points": 30},
        {"person_id": "zhao-lei", "points": 30},
        {"person_id": "zhao-lei", "points": 30},
    ]


async def test_a_micro_wish_claimed_fulfilled_and_confirmed_in_community_earns_points_exactly_once(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    tokens: Tokens,
    nats_url: str,
    database_url: str,
    run_dir: Path,
) -> None:
    """End to end: community's HTTP API, its outbox and relay, NATS, the love bank's consumer."""
    committee = tokens.headers("zhang-wei", "committee", name="张伟")
    claimer = tokens.headers("wang-fang", "resident", "volunteer", name="王芳")
    family = tokens.headers("sun-hao", "resident", name="孙浩")
    settings = settings_for(database_url, nats_url, run_dir, CommunitySettings, outbox_poll_interval=0.2)
    async with running(create_community(settings)) as community:
        wish = (
            await community.post(
                "/wishes",
                json={"channel": "festival", "family_id": "sun-hao", "title": "想要一辆自行车"},
                headers=committee,
            )
        ).json()
        path = f"/wishes/{wish['id']}"
        assert (await community.post(f"{path}/claim", headers=claimer)).status_code == 200
        fulfil = {"note": "自行车已送到", "photo_url": "https://img.example.org/bike.jpg"}
        assert (await community.post(f"{path}/fulfil", json=fulfil, headers=claimer)).status_code == 200
        assert (await community.post(f"{path}/confirm", headers=family)).status_code == 200
        assert (await community.post(f"{path}/confirm", headers=family)).status_code == 409

        await eventually(lambda: _balance_is(client, admin, "wang-fang", 30), message="the award through NATS")
        [event] = [e for e in await published(nats_url, "LINLI_COMMUNITY") if e["type"] == "linli.wish.confirmed.v1"]
        async with jetstream(nats_url) as js:
            replay = await js.publish(
                "linli.meihu.wish.confirmed", orjson.dumps(event), headers={"Nats-Msg-Id": "replay"}
            )
            await eventually(lambda: acked_up_to(js, "wish.confirmed", replay.seq), message="the replay handled")

    assert await balance_of(client, admin, "wang-fang") == 30
    assert await awards_of(database_url, "wish.confirmed.claimer") == [{"person_id": "wang-fang", "points": 30}]
    assert await balance_of(client, admin, "sun-hao") == 0


async def _balance_is(client: httpx.AsyncClient, admin: dict[str, str], person: str, points: int) -> bool:
    return await balance_of(client, admin, person) == points
