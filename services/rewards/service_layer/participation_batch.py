"""participation.completed, a pulled batch at a time: the awards are decided in Python and written set-based.

The effect is exactly that of `awards.on_participation_completed` applied to each event in turn
(the kernel falls back to that, one event at a time, whenever a batch fails):

- every recipient's account is opened if new and locked (in the global lock order) before
  anything is read, so the day's earnings and confirmed hours read next are final;
- an award already made (UNIQUE per source event, person, rule) is skipped and pays nothing;
- the daily cap adds up, in event order, what the person already earned that service day and
  every earlier award of the batch to the same person and day;
- an inactive rule records a 0-point award; hours still count towards star levels;
- each account's confirmed hours and building group are written in one UPDATE for the batch;
- one balanced award transaction and one points.awarded per credited award, with the
  person's balance after it; star levels crossed by the running hours are granted.

About eleven statements per batch (plus two per star level granted) instead of about twelve
per event. The emitted events keep their source event's trace (the consumer's span for a batch
cannot be every event's child).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from contracts.envelope import CloudEvent
from contracts.events.rewards import PointsAwarded
from contracts.events.shifts import ParticipationCompleted
from services.kernel.db import Connection
from services.kernel.tracing import current_traceparent
from services.rewards.adapters import ledger_repo, rules_repo
from services.rewards.domain import rules as r
from services.rewards.domain.ledger import AccountKind, TransactionKind, Transfer
from services.rewards.service_layer import honours
from services.rewards.service_layer.awards import OUTBOX, cap_limit, in_force

_ALREADY_AWARDED = """
SELECT source_event_id FROM awards WHERE source_event_id = ANY($1::uuid[]) AND rule_id = $2
"""
_EARNED = """
SELECT k.person_id, k.service_day, e.points
FROM unnest($2::text[], $3::date[]) AS k(person_id, service_day)
CROSS JOIN LATERAL (SELECT coalesce(sum(w.points), 0)::bigint AS points FROM awards w
                    WHERE w.community = $1 AND w.person_id = k.person_id AND w.service_day = k.service_day) e
"""
# A plan made while awards was nearly empty (a fresh database has no statistics until autovacuum
# analyses it, and a prepared statement keeps its plan) would read every award of the community for
# each batch. The batch's lookups are by key, one per person and day: no scan of a whole table is ever
# what they need, so the batch transaction rules it out.
_INDEXED_LOOKUPS = "SET LOCAL enable_seqscan = off"
_INSERT_AWARDS = """
INSERT INTO awards (community, person_id, source_event_id, source_event_type, rule_id, rule_version, cap_version,
                    computed_points, points, hours, night_hours, post_type, service_day, building_group,
                    explanation, transaction_id)
SELECT $1, person_id, source_event_id, $2, $3, $4, $5, computed, points, hours, night_hours, post_type, day, bg,
       explanation, transaction_id
FROM unnest($6::text[], $7::uuid[], $8::int[], $9::int[], $10::text[]::numeric[], $11::text[]::numeric[],
            $12::text[], $13::date[], $14::int[], $15::jsonb[], $16::uuid[]) WITH ORDINALITY
     AS a(person_id, source_event_id, computed, points, hours, night_hours, post_type, day, bg, explanation,
          transaction_id, n)
ORDER BY n
ON CONFLICT ON CONSTRAINT award_once DO NOTHING
RETURNING source_event_id
"""


@dataclass(frozen=True)
class _Award:
    event: CloudEvent[ParticipationCompleted]
    computation: r.Computation
    capped: r.Capped
    day: date
    transaction_id: uuid.UUID | None


class BatchDisagrees(RuntimeError):
    """The database refused an award the batch decided to make: let the kernel redo the batch one event at a time."""


async def on_participation_completed_batch(
    conn: Connection, events: Sequence[CloudEvent[ParticipationCompleted]]
) -> None:
    await conn.execute(_INDEXED_LOOKUPS)
    by_community: dict[str, list[CloudEvent[ParticipationCompleted]]] = defaultdict(list)
    for event in events:
        by_community[event.community].append(event)
    for community, group in by_community.items():
        await _award_participations(conn, community, group)


async def _award_participations(
    conn: Connection, community: str, events: list[CloudEvent[ParticipationCompleted]]
) -> None:
    rules = await rules_repo.current(conn, community)
    rule, cap = rules[r.PARTICIPATION], rules[r.DAILY_CAP]
    params: r.ParticipationParams = rule.typed()
    cap_params: r.DailyCapParams = cap.typed()
    limit = cap_limit(cap)

    groups: dict[str, int | None] = {}
    for event in events:
        if event.data.volunteer_id not in groups or event.data.building_group is not None:
            groups[event.data.volunteer_id] = event.data.building_group
    accounts = await ledger_repo.open_and_lock_people(conn, community, groups)

    # Under the locks: what is already awarded, and what each person already earned on each day.
    already = {
        row["source_event_id"] for row in await conn.fetch(_ALREADY_AWARDED, [e.id for e in events], rule.rule_id)
    }
    fresh = []
    for event in events:  # an event given twice pays once, as it would one by one
        if event.id not in already:
            already.add(event.id)
            fresh.append(event)
    days = {e.id: r.service_day(e.data.started_at, cap_params.timezone) for e in fresh}
    keys = sorted({(e.data.volunteer_id, days[e.id]) for e in fresh})
    earned: dict[tuple[str, date], int] = {
        (row["person_id"], row["service_day"]): row["points"]
        for row in await conn.fetch(_EARNED, community, [k[0] for k in keys], [k[1] for k in keys])
    }

    decided: list[_Award] = []
    for event in fresh:
        data = event.data
        computed = r.participation_points(params, data.post_type, data.hours, data.started_at, data.ended_at)
        computation = in_force(rule, computed)
        key = (data.volunteer_id, days[event.id])
        capped = r.apply_daily_cap(computation, earned.get(key, 0), limit)
        earned[key] = earned.get(key, 0) + capped.points
        decided.append(_Award(event, computation, capped, key[1], uuid.uuid4() if capped.points > 0 else None))
    hours_added: dict[str, Decimal] = defaultdict(Decimal)
    for award in decided:
        if award.computation.hours > 0:
            hours_added[award.event.data.volunteer_id] += award.computation.hours
    await ledger_repo.update_people(conn, accounts, hours_added, groups)
    if not decided:
        return

    inserted = await conn.fetch(
        _INSERT_AWARDS,
        community,
        ParticipationCompleted.event_type(),
        rule.rule_id,
        rule.version,
        cap.version,
        [a.event.data.volunteer_id for a in decided],
        [a.event.id for a in decided],
        [a.computation.points for a in decided],
        [a.capped.points for a in decided],
        [str(a.computation.hours) for a in decided],  # as text: exact, and far cheaper to encode than Decimal
        [str(a.computation.night_hours) for a in decided],
        [str(a.event.data.post_type) for a in decided],
        [a.day for a in decided],
        [a.event.data.building_group for a in decided],
        [a.capped.explanation for a in decided],
        [a.transaction_id for a in decided],
    )
    if len(inserted) != len(decided):
        raise BatchDisagrees(f"{len(decided) - len(inserted)} of {len(decided)} awards were already there")

    await _credit(conn, community, rule, accounts, [a for a in decided if a.transaction_id is not None])
    await _grant_star_levels(conn, community, accounts, decided)


async def _credit(
    conn: Connection,
    community: str,
    rule: r.Rule,
    accounts: dict[str, ledger_repo.PersonAccount],
    credited: list[_Award],
) -> None:
    """One award transaction (issuance -> person) and one points.awarded per award that pays something."""
    if not credited:
        return
    system = await ledger_repo.system_accounts(conn, community)
    issuance = system[AccountKind.ISSUANCE]  # never locked: it keeps no cached balance
    transfers = [
        Transfer.move(
            TransactionKind.AWARD,
            community,
            issuance,
            accounts[a.event.data.volunteer_id].id,
            a.capped.points,
            id=a.transaction_id,
            person_id=a.event.data.volunteer_id,
            memo=a.capped.explanation,
        )
        for a in credited
    ]
    balances = await ledger_repo.write_many(conn, transfers)
    now = datetime.now(UTC)
    batch_trace = current_traceparent()  # for sources that came without a trace of their own
    events: list[CloudEvent[Any]] = []
    for award in credited:
        data = award.event.data
        assert award.transaction_id is not None
        payload = PointsAwarded(
            transaction_id=award.transaction_id,
            person_id=data.volunteer_id,
            points=award.capped.points,
            balance_after=balances[(award.transaction_id, accounts[data.volunteer_id].id)],
            rule_id=rule.rule_id,
            rule_version=rule.version,
            explanation=award.capped.explanation,
            source_event_id=award.event.id,
            source_event_type=award.event.type,
            building_group=data.building_group,
            awarded_at=now,
        )
        events.append(
            OUTBOX.envelope(
                payload,
                community=community,
                subject=data.volunteer_id,
                traceparent=award.event.traceparent or batch_trace,
            )
        )
    await OUTBOX.emit_many(conn, events)


async def _grant_star_levels(
    conn: Connection, community: str, accounts: dict[str, ledger_repo.PersonAccount], decided: list[_Award]
) -> None:
    """Each star level the running confirmed hours cross, award by award, as the one-by-one handler would."""
    hours: dict[str, Decimal] = {}
    for award in decided:
        added = award.computation.hours
        if added <= 0:
            continue
        person = award.event.data.volunteer_id
        before = hours.get(person, accounts[person].confirmed_hours)
        hours[person] = before + added
        await honours.grant_crossed(conn, community, person, before, before + added, award.event.data.building_group)
