"""A public selection's winners (selection.concluded, through real NATS) get their honours once, with certificates."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from nats.js import JetStreamContext

from contracts.enums import SelectionCategory
from contracts.envelope import CloudEvent
from contracts.events.community import SelectionConcluded, SelectionWinner
from services.community.bootstrap import create as create_community
from services.community.settings import CommunitySettings
from services.kernel.clock import SettableClock
from services.kernel.topology import ConsumerSpec
from services.rewards.service_layer.honours import selection_honour_id
from tests.community.test_selections import T0, VOTING_CLOSES, Board
from tests.rewards.helpers import wrap
from tests.support.events import publish, published_in, stream_of
from tests.support.infra import Tokens, eventually, jetstream, running, settings_for
from tests.support.sql import Sql


def concluded(category: SelectionCategory = SelectionCategory.FILIAL_PIETY) -> CloudEvent[Any]:
    selection_id = uuid.uuid4()
    return wrap(
        SelectionConcluded(
            selection_id=selection_id,
            category=category,
            year=2020,
            title={"zh-CN": "2020年度孝老爱亲模范评选", "en": "Filial piety models 2020"},
            seats=2,
            votes_cast=120,
            winners=[
                SelectionWinner(
                    person_id="wang-fang", name="王芳", building_group=3, votes=80, reason="照料瘫痪婆婆十年"
                ),
                SelectionWinner(person_id="sun-hao", name="孙浩", building_group=6, votes=64, reason="孝敬双亲"),
            ],
            concluded_by="zhang-wei",
            concluded_at=datetime(2020, 10, 1, 2, 0, tzinfo=UTC),
        ),
        "community",
        selection_id,
    )


async def acked(js: JetStreamContext, seq: int) -> bool:
    spec = ConsumerSpec("rewards", "selection.concluded")
    info = await js.consumer_info(spec.stream, spec.durable)
    return bool(info.ack_floor.stream_seq >= seq and not info.num_ack_pending)


async def test_each_winner_of_a_selection_is_granted_its_honour_exactly_once_even_when_the_event_comes_again(
    client: httpx.AsyncClient, admin: dict[str, str], database_url: str, nats_url: str
) -> None:
    event = concluded()
    selection_id = event.data.selection_id
    rewards = Sql(database_url, "rewards")
    async with jetstream(nats_url) as js:
        await publish(js, event)

        first = await eventually(lambda: _two(granted_now(js, selection_id)), message="two honour.granted on NATS")

        # The same event again past JetStream's dedup window (a new Nats-Msg-Id: the kernel's
        # processed-events record skips it) and a duplicate event with a new id (the honour's
        # derived id and the one-per-year key refuse it).
        again = await publish(js, event, msg_id=f"replay-{event.id}")
        duplicate = await publish(js, event.model_copy(update={"id": uuid.uuid4()}))
        await eventually(lambda: acked(js, duplicate.seq), message="replays handled")
        assert again.seq < duplicate.seq
        after = await granted_now(js, selection_id)

    assert sorted((e["data"]["person_id"], e["data"]["kind"], e["data"]["year"]) for e in first) == [
        ("sun-hao", "filial_piety", 2020),
        ("wang-fang", "filial_piety", 2020),
    ]
    wang = next(e["data"] for e in first if e["data"]["person_id"] == "wang-fang")
    assert wang["title"]["zh-CN"] == "2020年度孝老爱亲模范"
    assert wang["building_group"] == 3
    assert wang["granted_by"] == "zhang-wei"
    assert len(after) == 2
    assert await rewards.fetchval("SELECT count(*) FROM honours WHERE kind = 'filial_piety'") == 2
    assert len(await rewards.outbox("linli.honour.granted.v1")) == 2
    honours = (await client.get("/honours?year=2020", headers=admin)).json()
    assert {(h["person_id"], h["citation"]) for h in honours} == {
        ("wang-fang", "照料瘫痪婆婆十年"),
        ("sun-hao", "孝敬双亲"),
    }


async def _two(found: Awaitable[list[dict[str, Any]]]) -> list[dict[str, Any]] | None:
    events = await found
    return events if len(events) >= 2 else None


async def granted_now(js: JetStreamContext, selection_id: uuid.UUID) -> list[dict[str, Any]]:
    """The honour.granted events of this selection's winners on NATS (none while the stream is empty)."""
    info = await js.stream_info(stream_of("rewards"))
    if not info.state.messages:
        return []
    events = await published_in(js, stream_of("rewards"), "linli.meihu.honour.granted")
    ours = {selection_honour_id(selection_id, p) for p in ("wang-fang", "sun-hao")}
    return [e for e in events if uuid.UUID(e["data"]["honour_id"]) in ours]


async def test_a_winner_downloads_the_honour_certificate_and_others_may_not(
    client: httpx.AsyncClient, nats_url: str, tokens: Tokens
) -> None:
    event = concluded(SelectionCategory.NEIGHBOUR_STAR)
    honour_id = selection_honour_id(event.data.selection_id, "wang-fang")
    async with jetstream(nats_url) as js:
        await publish(js, event)

    async def certificate() -> httpx.Response | None:
        response = await client.get(
            f"/honours/{honour_id}/certificate.pdf", headers=tokens.headers("wang-fang", "resident")
        )
        return response if response.status_code == 200 else None

    pdf = await eventually(certificate, message="the winner's certificate")
    by_neighbour = await client.get(f"/honours/{honour_id}/certificate.pdf", headers=tokens.headers("zhao-lei"))
    other_community = await client.get(
        f"/honours/{honour_id}/certificate.pdf", headers=tokens.headers("wang-fang", "resident", community="xinhua")
    )

    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert by_neighbour.status_code == 403
    assert other_community.status_code == 404


async def test_a_selection_closed_in_community_grants_its_winners_honours_in_rewards(
    client: httpx.AsyncClient, admin: dict[str, str], database_url: str, nats_url: str, run_dir: Path, tokens: Tokens
) -> None:
    clock = SettableClock(T0)
    settings = settings_for(database_url, nats_url, run_dir, CommunitySettings, outbox_poll_interval=0.2)
    async with running(create_community(settings, clock=clock)) as community:
        board = Board(community, tokens)
        await board.voting()
        await board.vote("sun-hao", "wang-fang", "chen-jing")
        await board.vote("zhao-lei", "wang-fang")
        clock.set(VOTING_CLOSES)
        assert (await board.step("close")).status_code == 200

        async def honoured() -> list[Any]:
            honours = (await client.get("/honours?year=2020", headers=admin)).json()
            return [h for h in honours if h["kind"] == "neighbour_star"] if len(honours) >= 2 else []

        honours = await eventually(honoured, message="the winners' honours in rewards")

    assert sorted((h["person_id"], h["building_group"]) for h in honours) == [("chen-jing", 5), ("wang-fang", 3)]
    assert {h["id"] for h in honours} == {
        str(selection_honour_id(uuid.UUID(board.id), p)) for p in ("wang-fang", "chen-jing")
    }
    assert len(await Sql(database_url, "rewards").outbox("linli.honour.granted.v1")) == 2
