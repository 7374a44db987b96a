"""Command handlers: one async function per thing a person asks intake to do.

Each opens the unit of work it is given (`async with uow:`), loads the aggregate with a row
lock, calls one domain method and saves it; the events the issue recorded go to the outbox
when the unit of work commits. Called from a consumer, the unit of work is already open and
the consumer's transaction carries the change.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from contracts.enums import IssueCategory, IssueChannel
from services.intake.domain.attributes import check_attributes
from services.intake.domain.issue import AUTO_CLOSE_AFTER, Issue
from services.intake.domain.lifecycle import CategoryNotInUse, InvalidCommand, IssueNotFound
from services.intake.domain.spam import looks_like_spam
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork
from services.kernel.identity import Principal


@dataclass
class NewIssue:
    community: str
    category: IssueCategory
    title: str
    reporter_id: str
    channel: IssueChannel
    description: str = ""
    building: str | None = None
    building_group: int | None = None
    anonymous: bool = False
    priority: str = "normal"
    recorded_by: str | None = None
    """The committee member who recorded it on the reporter's behalf (phone, visit)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Stored columns the aggregate does not use: unit, location_text, lat, long, photos, contact, attributes..."""


async def submit(
    uow: IntakeUnitOfWork, new: NewIssue, *, held: bool, issue_id: uuid.UUID | None = None
) -> tuple[Issue, dict[str, Any]]:
    """A new issue, stored with its history and events in one statement; returns it and its stored row."""
    async with uow.one_statement():
        issue = Issue.submit(
            issue_id=issue_id or uuid.uuid4(),
            community=new.community,
            category=new.category,
            title=new.title,
            reporter_id=new.reporter_id,
            channel=new.channel,
            now=uow.now(),
            held_for_review=held,
            description=new.description,
            building=new.building,
            building_group=new.building_group,
            anonymous=new.anonymous,
            priority=new.priority,
            recorded_by=new.recorded_by,
        )
        row = await uow.issues.insert(issue, new.extra)
    return issue, row


async def raise_issue(
    uow: IntakeUnitOfWork,
    new: NewIssue,
    *,
    attributes: dict[str, list[str]],
    spam_texts: Sequence[str | None],
) -> tuple[Issue, dict[str, Any]]:
    """A resident's new issue, by whichever door it came in (the app's POST /issues, Open311's POST
    /requests): the category must be in use in the community and its attributes answered as it
    defines them (stored as it gives them back); an issue without a title is named after its
    category; link-stuffed text is kept but held for a committee's review."""
    async with uow.one_statement():
        category = await uow.category(new.community, new.category.value)
        if category is None or not category["active"]:
            raise CategoryNotInUse(new.category.value)
        stored = check_attributes(category, attributes)
        new = replace(
            new,
            title=new.title or f"{category['name_zh']} / {category['name_en']}",
            extra={**new.extra, "attributes": stored},
        )
        held = looks_like_spam(*spam_texts, max_links=uow.settings.intake_max_links)
        return await submit(uow, new, held=held)


async def _load(uow: IntakeUnitOfWork, issue_id: uuid.UUID, community: str) -> Issue:
    issue = await uow.issues.get_for_update(issue_id)
    if issue is None or issue.community != community:
        raise IssueNotFound(issue_id)
    return issue


Decision = Literal["accept", "reject", "refer", "duplicate"]


async def review(
    uow: IntakeUnitOfWork,
    *,
    issue_id: uuid.UUID,
    by: Principal,
    decision: Decision,
    note: str | None,
    duplicate_of: uuid.UUID | None,
) -> Issue:
    community, actor = by.community, by.sub
    async with uow:
        details = {"decision": decision, "note": note, "duplicate_of": duplicate_of}
        if decision == "duplicate":
            if duplicate_of is None:
                raise InvalidCommand("A duplicate needs duplicate_of, the original issue / 须指明原事项.")
            # Lock both rows in a fixed order so two reviews never deadlock.
            first, second = sorted([issue_id, duplicate_of])
            locked = {i: await uow.issues.get_for_update(i) for i in dict.fromkeys([first, second])}
            issue, original = locked.get(issue_id), locked.get(duplicate_of)
            if issue is None or issue.community != community:
                raise IssueNotFound(issue_id)
            if original is None or original.community != community:
                raise InvalidCommand(f"There is no issue {duplicate_of} to merge into / 原事项不存在.")
            issue.mark_duplicate(actor, original, note, uow.now())
            await uow.issues.save(issue)
            await uow.issues.merge_followers(original, issue)
            await uow.audit("issue.reviewed", issue_id, by, details)
            return issue
        issue = await _load(uow, issue_id, community)
        match decision:
            case "accept":
                issue.accept(actor, note, uow.now())
            case "reject":
                issue.reject(actor, note, uow.now())
            case "refer":
                issue.refer(actor, note, uow.now())
        await uow.issues.save(issue)
        await uow.audit("issue.reviewed", issue_id, by, details)
        return issue


async def release(uow: IntakeUnitOfWork, *, issue_id: uuid.UUID, by: Principal) -> Issue:
    async with uow:
        issue = await _load(uow, issue_id, by.community)
        issue.release(by.sub, uow.now())
        await uow.issues.save(issue)
        await uow.audit("issue.released", issue_id, by)
        return issue


async def start(uow: IntakeUnitOfWork, *, issue_id: uuid.UUID, by: Principal, note: str | None) -> Issue:
    async with uow:
        issue = await _load(uow, issue_id, by.community)
        issue.start(by.sub, note, uow.now())
        await uow.issues.save(issue)
        await uow.audit("issue.started", issue_id, by, {"note": note})
        return issue


async def resolve(
    uow: IntakeUnitOfWork,
    *,
    issue_id: uuid.UUID,
    by: Principal,
    summary: str,
    contributors: list[str],
) -> Issue:
    async with uow:
        issue = await _load(uow, issue_id, by.community)
        issue.resolve(by.sub, summary, contributors, uow.now())
        await uow.issues.save(issue)
        await uow.audit("issue.resolved", issue_id, by, {"summary": summary, "contributors": contributors})
        return issue


async def confirm(
    uow: IntakeUnitOfWork, *, issue_id: uuid.UUID, community: str, actor: str, satisfaction: int
) -> Issue:
    async with uow:
        issue = await _load(uow, issue_id, community)
        issue.confirm(actor, satisfaction, uow.now())
        await uow.issues.save(issue)
        return issue


async def reopen(uow: IntakeUnitOfWork, *, issue_id: uuid.UUID, community: str, actor: str, reason: str) -> Issue:
    async with uow:
        issue = await _load(uow, issue_id, community)
        issue.reopen(actor, reason, uow.now())
        await uow.issues.save(issue)
        return issue


async def comment(
    uow: IntakeUnitOfWork, *, issue_id: uuid.UUID, author: str, author_name: str | None, body: str
) -> dict[str, Any]:
    async with uow:
        return await uow.issues.add_comment(issue_id=issue_id, author=author, author_name=author_name, body=body)


async def auto_close_due(uow: IntakeUnitOfWork, *, batch: int = 100) -> int:
    """Close up to `batch` issues resolved more than 7 days ago; safe with several instances (SKIP LOCKED).

    Returns how many it closed; the caller repeats with a fresh unit of work while that is `batch`."""
    async with uow:
        moment = uow.now()
        ids = await uow.issues.resolved_before(moment - AUTO_CLOSE_AFTER, batch)
        for issue_id in ids:
            issue = await uow.issues.get_for_update(issue_id)
            assert issue is not None
            issue.auto_close(moment)
            await uow.issues.save(issue)
        return len(ids)


async def auto_close_all(new_uow: Callable[[], IntakeUnitOfWork], *, batch: int = 100) -> int:
    """Close everything resolved 7 days ago, a batch per transaction (so one sweep never holds
    thousands of row locks); returns how many it closed."""
    closed = 0
    while True:
        done = await auto_close_due(new_uow(), batch=batch)
        closed += done
        if done < batch:
            return closed
