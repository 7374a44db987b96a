"""Issues resolved 7 days ago close by themselves, once, however many instances sweep."""

from __future__ import annotations

import asyncio
import uuid
from typing import cast

from services.intake.service_layer.commands import auto_close_all
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork
from services.intake.settings import IntakeSettings
from services.kernel.clock import SystemClock
from services.kernel.db import create_pool
from services.kernel.outbox import Outbox
from services.kernel.unit_of_work import UnitOfWorkFactory
from tests.intake.conftest import AppFactory
from tests.intake.support import COMMITTEE, RESIDENT, act, as_, sql, submit
from tests.support.infra import Tokens, eventually


async def resolved_issue(client, tokens: Tokens) -> str:  # type: ignore[no-untyped-def]
    issue = await submit(client, tokens, RESIDENT)
    await act(client, tokens, issue["id"], "review", {"decision": "accept"})
    await act(client, tokens, issue["id"], "start")
    await act(client, tokens, issue["id"], "resolve", {"summary": "修好了", "contributors": ["liu-yang"]})
    return str(issue["id"])


async def test_the_background_loop_closes_issues_resolved_seven_days_ago(
    intake_app: AppFactory, tokens: Tokens, database_url: str
) -> None:
    async with intake_app(intake_auto_close_interval=0.2) as client:
        old = await resolved_issue(client, tokens)
        fresh = await resolved_issue(client, tokens)
        await sql(database_url).execute(
            "UPDATE issues SET resolved_at = now() - interval '7 days 1 minute' WHERE id = $1",
            uuid.UUID(old),
        )

        async def closed() -> bool:
            view = (await client.get(f"/issues/{old}", headers=as_(tokens, COMMITTEE))).json()
            return bool(view["status"] == "closed")

        await eventually(closed, message="auto-closed")
        assert (await client.get(f"/issues/{fresh}", headers=as_(tokens, COMMITTEE))).json()["status"] == "resolved"
    rows = await sql(database_url).fetch(
        "SELECT payload FROM outbox WHERE event_type = 'linli.issue.closed.v1'",
    )
    import orjson

    data = orjson.loads(rows[0]["payload"])["data"]
    assert len(rows) == 1
    assert data["automatic"]
    assert data["satisfaction"] is None
    assert data["contributors"] == ["liu-yang"]
    assert data["resolved_event_id"]


async def test_concurrent_sweeps_close_each_issue_exactly_once(
    intake_app: AppFactory, tokens: Tokens, database_url: str
) -> None:
    async with intake_app() as client:
        ids = [await resolved_issue(client, tokens) for _ in range(6)]
    await sql(database_url).execute("UPDATE issues SET resolved_at = now() - interval '8 days'")
    pool = await create_pool(database_url, "intake", min_size=2, max_size=4)
    units = UnitOfWorkFactory(
        IntakeUnitOfWork, pool=lambda: pool, outbox=Outbox("intake"), clock=SystemClock(), settings=IntakeSettings()
    )
    try:
        counts = await asyncio.gather(
            *(auto_close_all(lambda: cast(IntakeUnitOfWork, units()), batch=2) for _ in range(3))
        )
    finally:
        await pool.close()

    assert sum(counts) == len(ids)
    closed = await sql(database_url).fetch(
        "SELECT count(*) AS n FROM outbox WHERE event_type = 'linli.issue.closed.v1'"
    )
    assert closed[0]["n"] == len(ids)
