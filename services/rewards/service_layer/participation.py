"""participation.completed, a pulled batch at a time: the awards are decided in Python and written set-based.

This is the one way participation is awarded: a single event is a batch of one (the kernel also
falls back to that, one event at a time, whenever a batch fails, so a batch has exactly the effect
of its events applied in turn):

- every recipient's account is opened if new and locked (in the global lock order) before
  anything is read, so the day's earnings and confirmed hours read next are final;
- an award already made (UNIQUE per source event, person, rule) is skipped and pays nothing;
- the daily cap adds up, in event order, what the person already earned that service day and
  every earlier award of the batch to the same person and day;
- an inactive rule records a 0-point award; hours still count towards star levels;
- each account's confirmed hours and building group are written in one UPDATE for the batch;
- one balanced award transaction and one points.awarded per credited award, with the
  person's balance after it; star levels crossed by the running hours are granted.

About eleven statements per batch (plus two per star level granted). The events a batch of many
emits keep their source event's trace (the consumer's span for a batch cannot be every event's child).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from contracts.envelope import CloudEvent
from contracts.events.rewards import PointsAwarded
from contracts.events.shifts import ParticipationCompleted
from services.kernel.tracing import current_traceparent
from services.rewards.adapters.ledger_repo import AwardRow, PersonAccount
from services.rewards.domain import rules as r
from services.rewards.domain.ledger import AccountKind, TransactionKind, Transfer
from services.rewards.service_layer import honours
from services.rewards.service_layer.awards import cap_limit, in_force
from services.rewards.service_layer.unit_of_work import RewardsUnitOfWork


@dataclass(frozen=True)
class _Award:
    event: CloudEvent[ParticipationCompleted]
    computation: r.Computation
    capped: r.Capped
    day: date
    transaction_id: uuid.UUID | None

    def row(self) -> AwardRow:
        data = self.event.data
        return AwardRow(
            person_id=data.volunteer_id,
            source_event_id=self.event.id,
            computed_points=self.computation.points,
            points=self.capped.points,
            hours=self.computation.hours,
            night_hours=self.computation.night_hours,
            post_type=str(data.post_type),
            service_day=self.day,
            building_group=data.building_group,
            explanation=self.capped.explanation,
            transaction_id=self.transaction_id,
        )


class BatchDisagrees(RuntimeError):
    """The database refused an award the batch decided to make: let the kernel redo the batch one event at a time."""


async def on_participation_completed(uow: RewardsUnitOfWork, event: CloudEvent[ParticipationCompleted]) -> None:
    """One participation.completed: a batch of one."""
    await on_participation_completed_batch(uow, [event])


async def on_participation_completed_batch(
    uow: RewardsUnitOfWork, events: Sequence[CloudEvent[ParticipationCompleted]]
) -> None:
    async with uow:
        await uow.ledger.use_indexed_lookups()
        by_community: dict[str, list[CloudEvent[ParticipationCompleted]]] = defaultdict(list)
        for event in events:
            by_community[event.community].append(event)
        for community, group in by_community.items():
            await _award_participations(uow, community, group, keep_traces=len(events) > 1)


async def _award_participations(
    uow: RewardsUnitOfWork, community: str, events: list[CloudEvent[ParticipationCompleted]], *, keep_traces: bool
) -> None:
    ledger = uow.ledger
    rules = await uow.rules.current(community)
    rule, cap = rules[r.PARTICIPATION], rules[r.DAILY_CAP]
    params: r.ParticipationParams = rule.typed()
    cap_params: r.DailyCapParams = cap.typed()
    limit = cap_limit(cap)

    groups: dict[str, int | None] = {}
    for event in events:
        if event.data.volunteer_id not in groups or event.data.building_group is not None:
            groups[event.data.volunteer_id] = event.data.building_group
    accounts = await ledger.open_and_lock_people(community, groups)

    # Under the locks: what is already awarded, and what each person already earned on each day.
    already = await ledger.already_awarded([e.id for e in events], rule.rule_id)
    fresh = []
    for event in events:  # an event given twice pays once, as it would one by one
        if event.id not in already:
            already.add(event.id)
            fresh.append(event)
    days = {e.id: r.service_day(e.data.started_at, cap_params, uow.zone) for e in fresh}
    earned = await ledger.earned_by_day(community, sorted({(e.data.volunteer_id, days[e.id]) for e in fresh}))

    decided: list[_Award] = []
    for event in fresh:
        data = event.data
        computed = r.participation_points(params, data.post_type, data.hours, data.started_at, data.ended_at, uow.zone)
        computation = in_force(rule, computed)
        key = (data.volunteer_id, days[event.id])
        capped = r.apply_daily_cap(computation, earned.get(key, 0), limit)
        earned[key] = earned.get(key, 0) + capped.points
        decided.append(_Award(event, computation, capped, key[1], uuid.uuid4() if capped.points > 0 else None))
    hours_added: dict[str, Decimal] = defaultdict(Decimal)
    for award in decided:
        if award.computation.hours > 0:
            hours_added[award.event.data.volunteer_id] += award.computation.hours
    await ledger.update_people(accounts, hours_added, groups)
    if not decided:
        return

    inserted = await ledger.insert_awards(
        community,
        ParticipationCompleted.event_type(),
        rule.rule_id,
        rule.version,
        cap.version,
        [a.row() for a in decided],
    )
    if len(inserted) != len(decided):
        raise BatchDisagrees(f"{len(decided) - len(inserted)} of {len(decided)} awards were already there")

    credited = [a for a in decided if a.transaction_id is not None]
    await _credit(uow, community, rule, accounts, credited, keep_traces=keep_traces)
    await _grant_star_levels(uow, community, accounts, decided)


async def _credit(
    uow: RewardsUnitOfWork,
    community: str,
    rule: r.Rule,
    accounts: dict[str, PersonAccount],
    credited: list[_Award],
    *,
    keep_traces: bool,
) -> None:
    """One award transaction (issuance -> person) and one points.awarded per award that pays something."""
    if not credited:
        return
    system = await uow.ledger.system_accounts(community)
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
    balances = await uow.ledger.write_many(transfers)
    now = uow.now()
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
        # One event alone is handled under its own consumer span (a child of its source): that is its trace.
        trace = (award.event.traceparent or batch_trace) if keep_traces else batch_trace
        events.append(uow.outbox.envelope(payload, community=community, subject=data.volunteer_id, traceparent=trace))
    await uow.emit_many(events)


async def _grant_star_levels(
    uow: RewardsUnitOfWork, community: str, accounts: dict[str, PersonAccount], decided: list[_Award]
) -> None:
    """Each star level the running confirmed hours cross, award by award, as one event after another would."""
    hours: dict[str, Decimal] = {}
    for award in decided:
        added = award.computation.hours
        if added <= 0:
            continue
        person = award.event.data.volunteer_id
        before = hours.get(person, accounts[person].confirmed_hours)
        hours[person] = before + added
        await honours.grant_crossed(uow, community, person, before, before + added, award.event.data.building_group)
