"""Builders of the events the love bank consumes, and units of work on a test's own connection."""

from __future__ import annotations

import uuid
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.enums import CouncilKind, IssueCategory, MeetingMode, PostType
from contracts.envelope import CloudEvent, EventData
from contracts.events.deliberation import SessionConcluded
from contracts.events.issue import IssueClosed, IssueResolved
from contracts.events.shifts import ParticipationCompleted
from services.kernel.clock import SystemClock
from services.kernel.db import Connection
from services.kernel.identity import Principal
from services.kernel.outbox import Outbox
from services.rewards.adapters.ledger_repo import LedgerRepository
from services.rewards.service_layer.unit_of_work import RewardsComponents, RewardsUnitOfWork
from services.rewards.settings import RewardsSettings
from tests.support.sql import connection

ADMIN = Principal(sub="admin", name="admin", community="meihu", roles=frozenset({"admin", "committee"}))
"""The love bank's admin, as the commands that need one get them."""


def person(sub: str, community: str = "meihu", *roles: str) -> Principal:
    """A caller of the love bank's commands."""
    return Principal(sub=sub, name=sub, community=community, roles=frozenset(roles or ("resident",)))


SHANGHAI_NOON = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)  # 12:00 in Asia/Shanghai


COMPONENTS = RewardsComponents()
"""One per test process, as one per service process (the accounts remembered outlive a database;
the caches of rules and system accounts do not: `joined` gives each unit of work its own)."""


def connect(database_url: str) -> AbstractAsyncContextManager[Connection]:
    """A connection in the love bank's schema (tests/support/sql.py)."""
    return connection(database_url, "rewards")


def joined(conn: Connection, **settings: Any) -> RewardsUnitOfWork:
    """The love bank's unit of work inside `conn`'s transaction, as a consumer's handler gets it."""
    return RewardsUnitOfWork(
        pool=None,
        outbox=Outbox("rewards"),
        clock=SystemClock(),
        settings=RewardsSettings(**settings),
        components=RewardsComponents(opened=COMPONENTS.opened),
        conn=conn,
    )


def ledger(conn: Connection) -> LedgerRepository:
    return LedgerRepository(conn, COMPONENTS.opened)


def wrap(data: EventData, service: str, subject: uuid.UUID, community: str = "meihu") -> CloudEvent[Any]:
    return CloudEvent.wrap(data, community=community, service=service, subject=str(subject))


def participation(
    volunteer: str,
    *,
    hours: float = 2.0,
    post_type: PostType = PostType.PATROL,
    started_at: datetime = SHANGHAI_NOON,
    building_group: int | None = 3,
    community: str = "meihu",
) -> CloudEvent[ParticipationCompleted]:
    data = ParticipationCompleted(
        participation_id=uuid.uuid4(),
        shift_id=uuid.uuid4(),
        volunteer_id=volunteer,
        post_type=post_type,
        building_group=building_group,
        hours=hours,
        started_at=started_at,
        ended_at=started_at + timedelta(hours=hours),
        confirmed_by="liu-yang",
        confirmed_at=started_at + timedelta(hours=hours, minutes=5),
    )
    return wrap(data, "shifts", data.participation_id, community)


def resolved(
    contributors: list[str],
    *,
    category: IssueCategory = IssueCategory.REPAIRS,
    resolved_at: datetime = SHANGHAI_NOON,
    community: str = "meihu",
) -> CloudEvent[IssueResolved]:
    data = IssueResolved(
        issue_id=uuid.uuid4(),
        category=category,
        title="楼道灯坏了",
        status="resolved",
        resolution_summary="已更换灯泡",
        contributors=contributors,
        resolved_at=resolved_at,
    )
    return wrap(data, "intake", data.issue_id, community)


def closed(contributors: list[str], satisfaction: int | None, community: str = "meihu") -> CloudEvent[IssueClosed]:
    data = IssueClosed(
        issue_id=uuid.uuid4(),
        category=IssueCategory.NOISE,
        title="夜间噪音",
        status="closed",
        satisfaction=satisfaction,
        contributors=contributors,
    )
    return wrap(data, "intake", data.issue_id, community)


def concluded(attendees: list[str], community: str = "meihu") -> CloudEvent[SessionConcluded]:
    data = SessionConcluded(
        session_id=uuid.uuid4(),
        council_id=uuid.uuid4(),
        council_kind=CouncilKind.CONSULTATION,
        title="六月议事会",
        starts_at=SHANGHAI_NOON,
        ends_at=SHANGHAI_NOON + timedelta(hours=2),
        mode=MeetingMode.IN_PERSON,
        concluded_at=SHANGHAI_NOON + timedelta(hours=2),
        attendees=attendees,
        decisions_count=1,
    )
    return wrap(data, "deliberation", data.session_id, community)


async def balance(conn: Connection, person_id: str, community: str = "meihu") -> int:
    value = await conn.fetchval(
        "SELECT balance FROM accounts WHERE community = $1 AND kind = 'person' AND person_id = $2", community, person_id
    )
    return int(value or 0)
