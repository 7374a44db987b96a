"""Reading the probe service's database and the broker, for the kernel tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg

from contracts.envelope import CloudEvent
from contracts.events.issue import IssueSubmitted
from tests.support.sql import Sql


async def probe_rows(database_url: str, sql: str, *args: object) -> list[asyncpg.Record]:
    """Rows of the probe's schema (the kernel tests' service)."""
    return await Sql(database_url, "probe").fetch(sql, *args)


async def effect_titles(database_url: str) -> list[str]:
    return [r["title"] for r in await probe_rows(database_url, "SELECT title FROM effects ORDER BY id")]


async def effect_count(database_url: str) -> int:
    return len(await effect_titles(database_url))


def submitted(title: str) -> CloudEvent[IssueSubmitted]:
    """An issue.submitted event as intake would publish it, for the probe to consume."""
    data = IssueSubmitted(
        issue_id=uuid.uuid4(),
        category="other",
        title=title,
        status="submitted",
        channel="app",
        submitted_at=datetime.now(UTC),
    )
    return CloudEvent.wrap(data, community="meihu", service="intake", subject=str(data.issue_id))
