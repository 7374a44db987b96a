"""The audit log every service keeps (services/kernel/audit.py): written in the action's own
transaction, never changed afterwards, read by admins only and only within their community."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from services.kernel import audit
from services.kernel.identity import Principal
from services.kernel.migrate import SERVICE_NAMES
from tests.kernel.helpers import probe_rows
from tests.kernel.probe import create
from tests.support.infra import Tokens, running, settings_for
from tests.support.sql import Sql, connection

CHEN = Principal("chen-jing", "陈静", "meihu", frozenset({"admin", "committee"}))


@pytest.fixture
def app(database_url: str, nats_url: str, run_dir: Path) -> FastAPI:
    return create(settings_for(database_url, nats_url, run_dir, outbox_relays=0))


async def _act(client: httpx.AsyncClient, headers: dict[str, str], title: str, *, fail: bool = False) -> int:
    response = await client.post("/audited", json={"title": title, "fail": fail}, headers=headers)
    return response.status_code


async def _read(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await client.get("/audit", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_an_action_and_its_audit_entry_commit_together(app: FastAPI, tokens: Tokens, database_url: str) -> None:
    admin = tokens.headers("chen-jing", "admin", "committee")
    async with running(app) as client:
        assert await _act(client, admin, "修路灯") == 204

        [entry] = (await _read(client, admin))["items"]

    assert (entry["action"], entry["actor"], entry["actor_roles"]) == (
        "probe.acted",
        "chen-jing",
        ["admin", "committee"],
    )
    assert entry["details"] == {"title": "修路灯"}
    [event] = await probe_rows(database_url, "SELECT payload FROM outbox")
    assert entry["subject"].encode() in event["payload"]  # the event the same transaction wrote


async def test_an_action_that_fails_writes_no_audit_entry(app: FastAPI, tokens: Tokens, database_url: str) -> None:
    admin = tokens.headers("chen-jing", "admin")
    async with running(app) as client:
        assert await _act(client, admin, "refused", fail=True) == 409

        assert (await _read(client, admin))["items"] == []
    assert await probe_rows(database_url, "SELECT id FROM outbox") == []


@pytest.mark.parametrize("service", [*SERVICE_NAMES, "probe"])
async def test_nobody_updates_deletes_or_truncates_an_audit_entry(database_url: str, service: str) -> None:
    async with connection(database_url, service) as conn:
        async with conn.transaction():
            await audit.record(conn, at=datetime.now(UTC), action="x.done", subject="1", actor=CHEN, details={})
        for statement in (
            "UPDATE audit_log SET action = 'nothing.happened'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await conn.execute(statement)
    assert await Sql(database_url, service).fetchval("SELECT action FROM audit_log") == "x.done"


async def test_only_admins_read_the_audit_log(app: FastAPI, tokens: Tokens) -> None:
    async with running(app) as client:
        assert (await client.get("/audit")).status_code == 401
        for roles in (("resident",), ("committee",), ("post_leader", "volunteer"), ("system",), ("district",)):
            response = await client.get("/audit", headers=tokens.headers("someone", *roles))
            assert response.status_code == 403, roles
            assert response.headers["content-type"].startswith("application/problem+json")
        assert (await client.get("/audit", headers=tokens.headers("chen-jing", "admin"))).status_code == 200


async def test_another_communitys_entries_are_invisible(app: FastAPI, tokens: Tokens) -> None:
    meihu = tokens.headers("chen-jing", "admin")
    binhu = tokens.headers("binhu-admin", "admin", community="binhu")
    async with running(app) as client:
        await _act(client, meihu, "美湖的事")
        await _act(client, binhu, "滨湖的事")

        seen_by_meihu = [e["details"]["title"] for e in (await _read(client, meihu))["items"]]
        seen_by_binhu = [e["details"]["title"] for e in (await _read(client, binhu, actor="chen-jing"))["items"]]

    assert seen_by_meihu == ["美湖的事"]
    assert seen_by_binhu == []


async def test_the_audit_log_pages_newest_first_and_filters_by_action_actor_and_time(
    app: FastAPI, tokens: Tokens, database_url: str
) -> None:
    chen, li = tokens.headers("chen-jing", "admin"), tokens.headers("li-na", "admin")
    async with running(app) as client:
        for title, who in (("one", chen), ("two", li), ("three", chen)):
            await _act(client, who, title)
        first = await _read(client, chen, limit=2)
        second = await _read(client, chen, limit=2, cursor=first["next_cursor"])
        by_li = await _read(client, chen, actor="li-na")
        other_action = await _read(client, chen, action="prize.restocked")
        later = await _read(client, chen, since=(datetime.now(UTC) + timedelta(minutes=1)).isoformat())
        bad_cursor = await client.get("/audit", params={"cursor": "nonsense"}, headers=chen)

    assert [e["details"]["title"] for e in first["items"]] == ["three", "two"]
    assert [e["details"]["title"] for e in second["items"]] == ["one"]
    assert second["next_cursor"] is None
    assert [e["details"]["title"] for e in by_li["items"]] == ["two"]
    assert other_action["items"] == []
    assert later["items"] == []
    assert bad_cursor.status_code == 400


@pytest.mark.parametrize(
    "details",
    [
        {"secret": "whsec_x"},
        {"api_key": "k"},
        {"feed_token": "t"},
        {"pickup_code": "123456"},
        {"subscription": {"signing_secret": "s"}},
        {"items": [{"access_token": "t"}]},
    ],
)
def test_audit_details_never_carry_a_secret(details: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="secret"):
        audit.refuse_secrets(details)


async def test_an_audit_entry_is_written_only_inside_a_transaction(database_url: str) -> None:
    async with connection(database_url, "probe") as conn:
        with pytest.raises(RuntimeError, match="transaction"):
            await audit.record(conn, at=datetime.now(UTC), action="x.done", subject=None, actor=CHEN)
    assert await probe_rows(database_url, "SELECT seq FROM audit_log") == []
