"""Awarding points for what the community did: one function per consumed event.

Each runs inside the consumer's idempotency transaction. The award row is written first
and is UNIQUE per (source event, recipient, rule): a duplicate is refused by the database
before any posting exists. The recipient's account row is locked before the daily cap is
read, so two awards to one person cannot both squeeze under the cap.

participation.completed, the event that arrives in thousands, also has a batch handler
(participation_batch.py) with exactly the effect of this one applied to each event in turn.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from contracts.envelope import CloudEvent
from contracts.events.deliberation import SessionConcluded
from contracts.events.issue import IssueClosed, IssueResolved
from contracts.events.rewards import PointsAwarded
from contracts.events.shifts import ParticipationCompleted, ParticipationNoShow
from services.kernel.db import Connection
from services.kernel.outbox import Outbox
from services.rewards.adapters import ledger_repo, rules_repo
from services.rewards.domain import rules as r
from services.rewards.domain.ledger import AccountKind, TransactionKind, Transfer
from services.rewards.service_layer import bank, honours

OUTBOX = Outbox("rewards")

_INSERT_AWARD = """
INSERT INTO awards (community, person_id, source_event_id, source_event_type, rule_id, rule_version, cap_version,
                    computed_points, points, hours, night_hours, post_type, service_day, building_group,
                    explanation, transaction_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
ON CONFLICT ON CONSTRAINT award_once DO NOTHING
RETURNING id
"""


async def award(
    conn: Connection,
    event: CloudEvent[Any],
    *,
    person_id: str,
    rule: r.Rule,
    cap: r.Rule,
    computation: r.Computation,
    moment: datetime,
    building_group: int | None = None,
    post_type: str | None = None,
) -> int | None:
    """Credit one person for one event under one rule, at most once; returns the points credited."""
    community = event.community
    system = await ledger_repo.system_accounts(conn, community)
    account = await ledger_repo.open_person_account(
        conn, community, person_id, building_group if post_type is not None else None
    )
    await ledger_repo.lock(conn, [account])
    cap_params: r.DailyCapParams = cap.typed()
    day = r.service_day(moment, cap_params.timezone)
    computation = in_force(rule, computation)
    earned_today: int = await conn.fetchval(
        "SELECT coalesce(sum(points), 0) FROM awards WHERE community = $1 AND person_id = $2 AND service_day = $3",
        community,
        person_id,
        day,
    )
    capped = r.apply_daily_cap(computation, earned_today, cap_limit(cap))
    transaction_id = uuid.uuid4() if capped.points > 0 else None
    award_id = await conn.fetchval(
        _INSERT_AWARD,
        community,
        person_id,
        event.id,
        event.type,
        rule.rule_id,
        rule.version,
        cap.version,
        computation.points,
        capped.points,
        computation.hours,
        computation.night_hours,
        post_type,
        day,
        building_group,
        capped.explanation,
        transaction_id,
    )
    if award_id is None:
        return None  # this event already paid this person under this rule
    if transaction_id is not None:
        transfer = Transfer.move(
            TransactionKind.AWARD,
            community,
            system[AccountKind.ISSUANCE],
            account,
            capped.points,
            id=transaction_id,
            person_id=person_id,
            memo=capped.explanation,
        )
        balances = await bank.post(conn, transfer)
        await OUTBOX.emit(
            conn,
            PointsAwarded(
                transaction_id=transaction_id,
                person_id=person_id,
                points=capped.points,
                balance_after=balances[account],
                rule_id=rule.rule_id,
                rule_version=rule.version,
                explanation=capped.explanation,
                source_event_id=event.id,
                source_event_type=event.type,
                building_group=building_group,
                awarded_at=datetime.now(UTC),
            ),
            community=community,
            subject=person_id,
        )
    if rule.rule_id == r.PARTICIPATION and computation.hours > 0:
        after = await ledger_repo.add_confirmed_hours(conn, account, computation.hours)
        await honours.grant_crossed(conn, community, person_id, after - computation.hours, after, building_group)
    return capped.points


def in_force(rule: r.Rule, computation: r.Computation) -> r.Computation:
    """What a rule pays: nothing while it is inactive (the hours still count towards star levels)."""
    if rule.active:
        return computation
    return r.Computation(
        0,
        {"zh-CN": f"规则 {rule.rule_id} 已停用，不计分", "en": f"Rule {rule.rule_id} is inactive: no points"},
        computation.hours,
        computation.night_hours,
    )


def cap_limit(cap: r.Rule) -> int:
    """The most a person may earn a day under the daily cap rule (no limit while it is inactive)."""
    params: r.DailyCapParams = cap.typed()
    return params.points if cap.active else 2**31 - 1


async def lock_recipients(conn: Connection, community: str, people: list[str]) -> list[str]:
    """Open and lock every recipient's account before any system account is touched (see ledger_repo.lock)."""
    unique = sorted(set(people))  # sorted: two events opening the same new accounts insert in one order
    ids = [await ledger_repo.open_person_account(conn, community, person) for person in unique]
    await ledger_repo.lock(conn, ids)
    return list(dict.fromkeys(people))  # a person named twice is paid once


async def on_participation_completed(conn: Connection, event: CloudEvent[ParticipationCompleted]) -> None:
    data = event.data
    rules = await rules_repo.current(conn, event.community)
    rule = rules[r.PARTICIPATION]
    computation = r.participation_points(rule.typed(), data.post_type, data.hours, data.started_at, data.ended_at)
    await award(
        conn,
        event,
        person_id=data.volunteer_id,
        rule=rule,
        cap=rules[r.DAILY_CAP],
        computation=computation,
        moment=data.started_at,
        building_group=data.building_group,
        post_type=str(data.post_type),
    )


async def award_each(
    conn: Connection,
    event: CloudEvent[Any],
    people: list[str],
    *,
    rules: dict[str, r.Rule],
    rule: r.Rule,
    computation: r.Computation,
    moment: datetime,
) -> None:
    """Pay everyone an event names under one rule, their accounts locked first (see lock_recipients)."""
    for person_id in await lock_recipients(conn, event.community, people):
        await award(
            conn,
            event,
            person_id=person_id,
            rule=rule,
            cap=rules[r.DAILY_CAP],
            computation=computation,
            moment=moment,
        )


async def on_issue_resolved(conn: Connection, event: CloudEvent[IssueResolved]) -> None:
    data = event.data
    rules = await rules_repo.current(conn, event.community)
    rule = rules[r.ISSUE_RESOLVED]
    computation = r.issue_resolved_points(rule.typed(), data.category, data.title)
    await award_each(
        conn, event, data.contributors, rules=rules, rule=rule, computation=computation, moment=data.resolved_at
    )


async def on_issue_closed(conn: Connection, event: CloudEvent[IssueClosed]) -> None:
    data = event.data
    rules = await rules_repo.current(conn, event.community)
    rule = rules[r.ISSUE_CLOSED]
    computation = r.issue_closed_points(rule.typed(), data.satisfaction, data.title)
    if computation is None:
        return
    await award_each(conn, event, data.contributors, rules=rules, rule=rule, computation=computation, moment=event.time)


async def on_session_concluded(conn: Connection, event: CloudEvent[SessionConcluded]) -> None:
    data = event.data
    rules = await rules_repo.current(conn, event.community)
    rule = rules[r.SESSION_ATTENDED]
    computation = r.session_points(rule.typed(), data.title)
    await award_each(
        conn, event, data.attendees, rules=rules, rule=rule, computation=computation, moment=data.concluded_at
    )


async def on_no_show(conn: Connection, event: CloudEvent[ParticipationNoShow]) -> None:
    """A no-show costs nothing; it is counted (shown on the person's account)."""
    data = event.data
    await conn.execute(
        """
        INSERT INTO no_shows (participation_id, community, person_id, shift_id, post_type, recorded_at)
        VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
        """,
        data.participation_id,
        event.community,
        data.volunteer_id,
        data.shift_id,
        str(data.post_type),
        data.confirmed_at,
    )
