"""Awarding points for what the community did: one function per consumed event, each `(uow, event)`.

Each runs in the unit of work joined to the consumer's idempotency transaction. The award row
is written first and is UNIQUE per (source event, recipient, rule): a duplicate is refused by the
database before any posting exists. The recipients' account rows are locked before the daily cap
is read, so two awards to one person cannot both squeeze under the cap.

participation.completed, the event that arrives in thousands, is awarded a batch at a time
(participation.py); a single event is a batch of one.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from contracts.enums import IssueCategory
from contracts.envelope import CloudEvent
from contracts.events.community import WishConfirmed
from contracts.events.deliberation import SessionConcluded
from contracts.events.issue import IssueClosed, IssueResolved
from contracts.events.rewards import PointsAwarded
from contracts.events.shifts import ParticipationNoShow
from services.rewards.adapters.ledger_repo import AwardRow
from services.rewards.domain import rules as r
from services.rewards.domain.ledger import AccountKind, TransactionKind, Transfer
from services.rewards.service_layer import bank
from services.rewards.service_layer.unit_of_work import RewardsUnitOfWork

log = logging.getLogger("linli.rewards.awards")


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


async def _award(
    uow: RewardsUnitOfWork,
    event: CloudEvent[Any],
    account: uuid.UUID,
    *,
    person_id: str,
    rule: r.Rule,
    cap: r.Rule,
    computation: r.Computation,
    moment: datetime,
) -> int | None:
    """Credit one person, whose account is locked, for one event under one rule, at most once; returns the points."""
    community = event.community
    day = r.service_day(moment, cap.typed(), uow.zone)
    computation = in_force(rule, computation)
    earned_today = await uow.ledger.earned_on(community, person_id, day)
    capped = r.apply_daily_cap(computation, earned_today, cap_limit(cap))
    transaction_id = uuid.uuid4() if capped.points > 0 else None
    award = AwardRow(
        person_id=person_id,
        source_event_id=event.id,
        computed_points=computation.points,
        points=capped.points,
        hours=computation.hours,
        night_hours=computation.night_hours,
        post_type=None,
        service_day=day,
        building_group=None,
        explanation=capped.explanation,
        transaction_id=transaction_id,
    )
    if await uow.ledger.insert_award(community, event.type, rule.rule_id, rule.version, cap.version, award) is None:
        return None  # this event already paid this person under this rule
    if transaction_id is not None:
        system = await uow.ledger.system_accounts(community)
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
        balances = await bank.post(uow.ledger, transfer)
        await uow.emit(
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
                building_group=None,
                awarded_at=uow.now(),
            ),
            community=community,
            subject=person_id,
        )
    return capped.points


async def award_each(
    uow: RewardsUnitOfWork,
    event: CloudEvent[Any],
    people: list[str],
    *,
    rule_id: str,
    computation: r.Computation | None,
    moment: datetime,
) -> None:
    """Pay everyone an event names under one rule, all their accounts locked first.

    Accounts are opened in person order and locked in the global order (ledger_repo.lock) before any
    system account is touched, so two events naming the same people in another order never deadlock;
    a person named twice is paid once."""
    async with uow:
        if computation is None:
            return
        rules = await uow.rules.current(event.community)
        unique = sorted(set(people))  # sorted: two events opening the same new accounts insert in one order
        accounts = {person: await uow.ledger.open_person_account(event.community, person) for person in unique}
        await uow.ledger.lock(list(accounts.values()))
        for person_id in dict.fromkeys(people):
            await _award(
                uow,
                event,
                accounts[person_id],
                person_id=person_id,
                rule=rules[rule_id],
                cap=rules[r.DAILY_CAP],
                computation=computation,
                moment=moment,
            )


async def _computed(uow: RewardsUnitOfWork, community: str, rule_id: str) -> Any:
    async with uow:
        return (await uow.rules.current(community))[rule_id].typed()


async def _not_yet_paid_for_wish(
    uow: RewardsUnitOfWork, event: CloudEvent[Any], wish_key: uuid.UUID, people: list[str], rule_id: str
) -> list[str]:
    """The people this micro-wish has not paid yet, each now marked paid by this event (in its transaction)."""
    unpaid = []
    for person in dict.fromkeys(people):
        if await uow.ledger.claim_micro_wish(event.community, wish_key, person, event.id, rule_id):
            unpaid.append(person)
        else:
            log.info("micro-wish %s already paid %s by another path; %s pays nothing", wish_key, person, event.type)
    return unpaid


async def on_issue_resolved(uow: RewardsUnitOfWork, event: CloudEvent[IssueResolved]) -> None:
    data = event.data
    async with uow:
        params = await _computed(uow, event.community, r.ISSUE_RESOLVED)
        computation = r.issue_resolved_points(params, data.category, data.title)
        people = data.contributors
        if data.category == IssueCategory.MICRO_WISH:
            # A micro-wish is paid once per person: here, or by community's wish.confirmed (rules.micro_wish_key).
            people = await _not_yet_paid_for_wish(uow, event, data.issue_id, people, r.ISSUE_RESOLVED)
        await award_each(uow, event, people, rule_id=r.ISSUE_RESOLVED, computation=computation, moment=data.resolved_at)


async def on_wish_confirmed(uow: RewardsUnitOfWork, event: CloudEvent[WishConfirmed]) -> None:
    """The family confirmed a micro-wish fulfilled: its claimer earns the micro-wish award, once.

    A unit (a company, the property management) earns no points: it has no account in the love
    bank. A wish raised in intake whose matter already paid this person (issue.resolved) pays nothing."""
    data = event.data
    if data.claimer_kind == "unit" or not data.claimer_id:
        log.info("micro-wish %s was fulfilled by a unit (%s): no points", data.wish_id, data.claimer_name)
        return
    async with uow:
        key = r.micro_wish_key(data.issue_id, data.wish_id)
        people = await _not_yet_paid_for_wish(uow, event, key, [data.claimer_id], r.WISH_CONFIRMED)
        params = await _computed(uow, event.community, r.WISH_CONFIRMED)
        computation = r.wish_points(params, data.title)
        await award_each(
            uow, event, people, rule_id=r.WISH_CONFIRMED, computation=computation, moment=data.confirmed_at
        )


async def on_issue_closed(uow: RewardsUnitOfWork, event: CloudEvent[IssueClosed]) -> None:
    data = event.data
    async with uow:
        params = await _computed(uow, event.community, r.ISSUE_CLOSED)
        computation = r.issue_closed_points(params, data.satisfaction, data.title)
        await award_each(
            uow, event, data.contributors, rule_id=r.ISSUE_CLOSED, computation=computation, moment=event.time
        )


async def on_session_concluded(uow: RewardsUnitOfWork, event: CloudEvent[SessionConcluded]) -> None:
    data = event.data
    async with uow:
        params = await _computed(uow, event.community, r.SESSION_ATTENDED)
        computation = r.session_points(params, data.title)
        await award_each(
            uow, event, data.attendees, rule_id=r.SESSION_ATTENDED, computation=computation, moment=data.concluded_at
        )


async def on_no_show(uow: RewardsUnitOfWork, event: CloudEvent[ParticipationNoShow]) -> None:
    """A no-show costs nothing; it is counted (shown on the person's account)."""
    data = event.data
    async with uow:
        await uow.ledger.record_no_show(
            event.community,
            data.participation_id,
            data.volunteer_id,
            data.shift_id,
            str(data.post_type),
            data.confirmed_at,
        )
