"""Fixtures of the shifts tests: the real app (real Postgres and NATS) with a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from services.kernel.clock import SettableClock
from services.shifts.bootstrap import create
from services.shifts.settings import ShiftsSettings
from tests.support.infra import Tokens, running, settings_for
from tests.support.sql import Sql

ZONE = ZoneInfo("Asia/Shanghai")
"""The community's time zone in these tests (the kernel setting `time_zone`)."""

# Tuesday 29 December 2026, 10:00 in Hefei: close to a month end and a year end.
START = datetime(2026, 12, 29, 10, 0, tzinfo=ZONE)


@dataclass
class Shifts:
    """The running service, its clock, and shortcuts for the people of the tests."""

    client: httpx.AsyncClient
    clock: SettableClock
    tokens: Tokens
    sql: Sql
    _signed: dict[tuple[str, tuple[str, ...]], dict[str, str]] = field(default_factory=dict)

    def as_(self, person: str, *roles: str) -> dict[str, str]:
        """Bearer headers for a person; signing is slow (RSA), so each is signed once per test."""
        key = (person, roles or ("resident", "volunteer"))
        if key not in self._signed:
            self._signed[key] = self.tokens.headers(person, *key[1])
        return self._signed[key]

    @property
    def admin(self) -> dict[str, str]:
        return self.as_("admin", "admin", "committee")

    @property
    def leader(self) -> dict[str, str]:
        return self.as_("liu-yang", "resident", "volunteer", "post_leader")

    async def db(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        """Rows of the shifts schema, as committed."""
        return await self.sql.fetch(sql, *args)

    async def setup_post(self, post: str = "patrol", leaders: tuple[str, ...] = ("liu-yang",)) -> dict[str, Any]:
        response = await self.client.put(f"/posts/{post}", json={"leader_ids": list(leaders)}, headers=self.admin)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def register(self, *people: str, kind: str = "resident", posts: tuple[str, ...] = ("patrol",)) -> None:
        for number, person in enumerate(people):
            body = {"name": person, "kind": kind, "building_group": number % 6 + 1, "posts": list(posts)}
            response = await self.client.put(f"/volunteers/{person}", json=body, headers=self.admin)
            assert response.status_code == 200, response.text

    async def shift(self, starts_at: datetime, ends_at: datetime, capacity: int = 10, **extra: Any) -> dict[str, Any]:
        body = {
            "post": "patrol",
            "title": extra.pop("title", "晚间巡逻 Evening patrol"),
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "capacity": capacity,
            "location": "美湖小区东门",
            **extra,
        }
        response = await self.client.post("/shifts", json=body, headers=self.leader)
        assert response.status_code == 201, response.text
        shift: dict[str, Any] = response.json()
        return shift

    async def sign_up(self, shift_id: str, person: str) -> httpx.Response:
        return await self.client.post(f"/shifts/{shift_id}/signups", headers=self.as_(person))

    async def outbox_types(self) -> list[str]:
        rows = await self.db("SELECT event_type FROM outbox ORDER BY seq")
        return [r["event_type"] for r in rows]


def shifts_settings(database_url: str, nats_url: str, run_dir: Path, **overrides: Any) -> ShiftsSettings:
    values: dict[str, Any] = {"shifts_generate_interval_seconds": 3600, "time_zone": ZONE.key, **overrides}
    return settings_for(database_url, nats_url, run_dir, ShiftsSettings, **values)


@pytest.fixture
async def shifts(database_url: str, nats_url: str, run_dir: Path, tokens: Tokens) -> AsyncIterator[Shifts]:
    clock = SettableClock(START)
    app = create(shifts_settings(database_url, nats_url, run_dir, db_pool_max=10), clock=clock)
    async with running(app) as client:
        yield Shifts(client, clock, tokens, Sql(database_url, "shifts"))
