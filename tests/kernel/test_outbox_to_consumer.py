"""An event written through one service's outbox arrives exactly once at a consumer."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from tests.kernel.helpers import probe_rows
from tests.kernel.probe import create
from tests.support.infra import Tokens, eventually, jetstream, running, settings_for


async def effects(database_url: str) -> list[asyncpg.Record]:
    return await probe_rows(database_url, "SELECT event_id, title, trace_id FROM effects ORDER BY id")


async def test_event_written_through_the_outbox_is_applied_exactly_once(
    database_url: str, nats_url: str, run_dir: Path, tokens: Tokens
) -> None:
    app = create(settings_for(database_url, nats_url, run_dir))
    async with running(app) as client:
        response = await client.post("/emit", json={"titles": ["a", "b", "c"]}, headers=tokens.headers("alice"))
        assert response.status_code == 202, response.text
        await eventually(lambda: _count(database_url, 3), message="three effects")
    rows = await effects(database_url)
    assert sorted(r["title"] for r in rows) == ["a", "b", "c"]
    assert len({r["event_id"] for r in rows}) == 3


async def _count(database_url: str, n: int) -> bool:
    return len(await effects(database_url)) >= n


async def test_the_same_event_published_twice_is_stored_once_in_the_stream(nats_url: str) -> None:
    async with jetstream(nats_url) as js:
        from services.kernel.topology import ensure_streams

        await ensure_streams(js)
        first = await js.publish("linli.meihu.issue.submitted", b"{}", headers={"Nats-Msg-Id": "same-id"})
        second = await js.publish("linli.meihu.issue.submitted", b"{}", headers={"Nats-Msg-Id": "same-id"})
        info = await js.stream_info("LINLI_INTAKE")
    assert not first.duplicate
    assert second.duplicate
    assert info.state.messages == 1
