"""Rules and system accounts are read once per instance, not per participation.completed; a rule edited
through one instance is in force for the next event another instance handles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg
import httpx

from services.kernel.clock import SystemClock
from services.kernel.outbox import Outbox
from services.rewards.adapters.rules_repo import RulesRepository
from services.rewards.bootstrap import create
from services.rewards.domain import rules as r
from services.rewards.service_layer.participation import on_participation_completed
from services.rewards.service_layer.unit_of_work import RewardsComponents, RewardsUnitOfWork
from services.rewards.settings import RewardsSettings
from tests.rewards.helpers import connect, participation
from tests.support.infra import eventually, running, settings_for

PATROL_AT_15 = {"patrol": 15, "publicity": 10, "environment": 10, "culture": 10}


async def _award_of(database_url: str, person: str) -> asyncpg.Record | None:
    async with connect(database_url) as conn:
        return await conn.fetchrow("SELECT rule_version, points FROM awards WHERE person_id = $1", person)


async def test_a_rule_edited_through_one_instance_awards_the_new_points_in_the_other(
    database_url: str, nats_url: str, run_dir: Path, admin: dict[str, str]
) -> None:
    settings = settings_for(database_url, nats_url, run_dir, RewardsSettings, outbox_poll_interval=0.2)
    one, other = create(settings), create(settings)
    async with running(one) as client, running(other):
        units: Any = other.state.ctx.uow
        for person in ("chen-jing", "wang-fang"):  # the first writes the defaults, the next: kept by the other
            await on_participation_completed(units(), participation(person, hours=1.0))
        first = await _award_of(database_url, "wang-fang")
        assert first is not None
        assert (first["rule_version"], first["points"]) == (1, 12)

        await _edit_patrol_points(client, admin)

        people = iter(f"volunteer-{n:03d}" for n in range(1000))

        async def next_award_on_the_other() -> asyncpg.Record | None:
            person = next(people)
            await on_participation_completed(units(), participation(person, hours=1.0))
            award = await _award_of(database_url, person)
            return award if award is not None and award["rule_version"] == 2 else None

        # Well within the cache's 30 s: the notification, not the TTL, made the other instance forget.
        award = await eventually(next_award_on_the_other, timeout=10, message="the new version in the other")
        assert award["points"] == 15


async def _edit_patrol_points(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    rules = (await client.get("/rules", headers=admin)).json()
    params = next(r for r in rules if r["rule_id"] == "participation.hours")["params"]
    edited = await client.put(
        "/rules/participation.hours",
        json={"params": params | {"points_per_hour": PATROL_AT_15}, "reason": "巡逻加分 more for patrols"},
        headers=admin,
    )
    assert edited.status_code == 200, edited.text


def _unit(conn: Any, components: RewardsComponents) -> RewardsUnitOfWork:
    return RewardsUnitOfWork(
        pool=None,
        outbox=Outbox("rewards"),
        clock=SystemClock(),
        settings=RewardsSettings(),
        components=components,
        conn=conn,
    )


async def test_system_accounts_and_default_rules_a_rolled_back_transaction_made_are_not_kept(
    database_url: str,
) -> None:
    components = RewardsComponents()  # one process's caches
    async with connect(database_url) as conn:
        transaction = conn.transaction()
        await transaction.start()
        # The first event of a new community opens its system accounts and writes its default rules...
        await on_participation_completed(_unit(conn, components), participation("li-na", community="xinhua"))
        await transaction.rollback()  # ...and is rolled back: they do not exist

        async with conn.transaction():
            await on_participation_completed(_unit(conn, components), participation("li-na", community="xinhua"))
        award = await conn.fetchrow("SELECT rule_version, points FROM awards WHERE community = 'xinhua'")
        issued = await conn.fetchval(
            "SELECT count(*) FROM postings p JOIN accounts a ON a.id = p.account_id "
            "WHERE a.community = 'xinhua' AND a.kind = 'issuance'"
        )
    assert award is not None
    assert (award["rule_version"], award["points"]) == (1, 24)
    assert issued == 1


async def test_the_rules_and_system_accounts_of_a_community_are_read_once_then_not_per_event(
    database_url: str,
) -> None:
    components = RewardsComponents()
    async with connect(database_url) as conn:
        for person in ("wang-fang", "li-na"):  # the first writes the defaults and accounts, the next reads them
            async with conn.transaction():
                await on_participation_completed(_unit(conn, components), participation(person))
        reads: list[str] = []
        conn.add_query_logger(lambda record: reads.append(record.query))
        async with conn.transaction():
            await on_participation_completed(_unit(conn, components), participation("zhao-lei"))
    assert [q for q in reads if "FROM rules" in q or "kind = ANY" in q] == []


async def test_a_rule_changed_while_the_instances_listen_connection_was_down_is_in_force_once_it_is_back(
    database_url: str, nats_url: str, run_dir: Path
) -> None:
    settings = settings_for(database_url, nats_url, run_dir, RewardsSettings, outbox_poll_interval=0.2)
    app = create(settings)
    async with running(app):
        ctx: Any = app.state.ctx
        for person in ("chen-jing", "wang-fang"):  # the first writes the defaults, the next keeps them
            await on_participation_completed(ctx.uow(), participation(person, hours=1.0))
        backend = ctx.listener.backend_pid
        assert backend is not None

        async with connect(database_url) as conn:
            await conn.execute("SELECT pg_terminate_backend($1)", backend)
            current = (await RulesRepository(conn).current("meihu"))[r.PARTICIPATION]
            await RulesRepository(conn).add_version(  # most likely before anyone listens again: never heard
                "meihu",
                r.PARTICIPATION,
                params=current.params | {"points_per_hour": PATROL_AT_15},
                title=current.title,
                active=True,
                reason="while the instance was not listening",
                created_by="admin",
            )
        await eventually(lambda: ctx.listener.backend_pid not in (None, backend), message="listening again")

        await on_participation_completed(ctx.uow(), participation("li-na", hours=1.0))
        award = await _award_of(database_url, "li-na")
    assert award is not None
    assert (award["rule_version"], award["points"]) == (2, 15)
