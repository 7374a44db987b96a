"""Command handlers: one async function per thing a person asks intake to do.

Each runs inside the caller's transaction: load the aggregate with a row lock, call one
domain method, save it with its history and events (outbox, same transaction).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from contracts.enums import IssueCategory, IssueChannel
from services.intake.adapters import repository
from services.intake.adapters.categories import CategoryCache
from services.intake.domain.issue import Issue
from services.intake.domain.lifecycle import InvalidCommand
from services.intake.domain.spam import looks_like_spam
from services.intake.open311.mapping import check_attributes
from services.kernel.db import Connection
from services.kernel.outbox import Outbox


class IssueNotFound(Exception):
    """No issue with that id in the caller's community."""


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
    extra: dict[str, Any] = field(default_factory=dict)
    """Stored columns the aggregate does not use: unit, location_text, lat, long, photos, contact, attributes..."""


def now() -> datetime:
    return datetime.now(UTC)


async def submit(
    conn: Connection, outbox: Outbox, new: NewIssue, *, held: bool, issue_id: uuid.UUID | None = None
) -> tuple[Issue, dict[str, Any]]:
    """A new issue, stored with its history and events; returns it and its stored row."""
    issue = Issue.submit(
        issue_id=issue_id or uuid.uuid4(),
        community=new.community,
        category=new.category,
        title=new.title,
        reporter_id=new.reporter_id,
        channel=new.channel,
        now=now(),
        held_for_review=held,
        description=new.description,
        building=new.building,
        building_group=new.building_group,
        anonymous=new.anonymous,
        priority=new.priority,
    )
    row = await repository.insert(conn, issue, outbox, new.extra)
    return issue, row


class CategoryNotInUse(Exception):
    """The category is not one the issue's community uses (unknown there, or switched off)."""


class InvalidAttributes(ValueError):
    """The category's attributes are not answered as it defines them; the message says how."""


async def raise_issue(
    conn: Connection,
    outbox: Outbox,
    categories: CategoryCache,
    new: NewIssue,
    *,
    attributes: dict[str, list[str]],
    spam_texts: Sequence[str | None],
    max_links: int,
) -> tuple[Issue, dict[str, Any]]:
    """A resident's new issue, by whichever door it came in (the app's POST /issues, Open311's POST
    /requests): the category must be in use in the community and its attributes answered as it
    defines them (stored as it gives them back); an issue without a title is named after its
    category; link-stuffed text is kept but held for a committee's review."""
    category = await categories.get(conn, new.community, new.category.value)
    if category is None or not category["active"]:
        raise CategoryNotInUse(new.category.value)
    try:
        stored = check_attributes(category, attributes)
    except ValueError as exc:
        raise InvalidAttributes(str(exc)) from exc
    new = replace(
        new,
        title=new.title or f"{category['name_zh']} / {category['name_en']}",
        extra={**new.extra, "attributes": stored},
    )
    return await submit(conn, outbox, new, held=looks_like_spam(*spam_texts, max_links=max_links))


async def load(conn: Connection, issue_id: uuid.UUID, community: str) -> Issue:
    issue = await repository.get_for_update(conn, issue_id)
    if issue is None or issue.community != community:
        raise IssueNotFound(str(issue_id))
    return issue


Decision = Literal["accept", "reject", "refer", "duplicate"]


async def review(
    conn: Connection,
    outbox: Outbox,
    *,
    issue_id: uuid.UUID,
    community: str,
    actor: str,
    decision: Decision,
    note: str | None,
    duplicate_of: uuid.UUID | None,
) -> Issue:
    if decision == "duplicate":
        if duplicate_of is None:
            raise InvalidCommand("A duplicate needs duplicate_of, the original issue / 须指明原事项.")
        # Lock both rows in a fixed order so two reviews never deadlock.
        first, second = sorted([issue_id, duplicate_of])
        locked = {i: await repository.get_for_update(conn, i) for i in dict.fromkeys([first, second])}
        issue, original = locked.get(issue_id), locked.get(duplicate_of)
        if issue is None or issue.community != community:
            raise IssueNotFound(str(issue_id))
        if original is None or original.community != community:
            raise InvalidCommand(f"There is no issue {duplicate_of} to merge into / 原事项不存在.")
        issue.mark_duplicate(actor, original, note, now())
        await repository.save(conn, issue, outbox)
        await repository.merge_followers(conn, original, issue)
        return issue
    issue = await load(conn, issue_id, community)
    match decision:
        case "accept":
            issue.accept(actor, note, now())
        case "reject":
            issue.reject(actor, note, now())
        case "refer":
            issue.refer(actor, note, now())
    await repository.save(conn, issue, outbox)
    return issue


async def release(conn: Connection, outbox: Outbox, *, issue_id: uuid.UUID, community: str, actor: str) -> Issue:
    issue = await load(conn, issue_id, community)
    issue.release(actor, now())
    await repository.save(conn, issue, outbox)
    return issue


async def start(
    conn: Connection, outbox: Outbox, *, issue_id: uuid.UUID, community: str, actor: str, note: str | None
) -> Issue:
    issue = await load(conn, issue_id, community)
    issue.start(actor, note, now())
    await repository.save(conn, issue, outbox)
    return issue


async def resolve(
    conn: Connection,
    outbox: Outbox,
    *,
    issue_id: uuid.UUID,
    community: str,
    actor: str,
    summary: str,
    contributors: list[str],
) -> Issue:
    issue = await load(conn, issue_id, community)
    issue.resolve(actor, summary, contributors, now())
    await repository.save(conn, issue, outbox)
    return issue


async def confirm(
    conn: Connection, outbox: Outbox, *, issue_id: uuid.UUID, community: str, actor: str, satisfaction: int
) -> Issue:
    issue = await load(conn, issue_id, community)
    issue.confirm(actor, satisfaction, now())
    await repository.save(conn, issue, outbox)
    return issue


async def reopen(
    conn: Connection, outbox: Outbox, *, issue_id: uuid.UUID, community: str, actor: str, reason: str
) -> Issue:
    issue = await load(conn, issue_id, community)
    issue.reopen(actor, reason, now())
    await repository.save(conn, issue, outbox)
    return issue


async def comment(
    conn: Connection, *, issue_id: uuid.UUID, author: str, author_name: str | None, body: str
) -> dict[str, Any]:
    row = await conn.fetchrow(
        """INSERT INTO issue_comments (id, issue_id, author_id, author_name, body) VALUES ($1, $2, $3, $4, $5)
           RETURNING id, issue_id, author_id, author_name, body, created_at""",
        uuid.uuid4(),
        issue_id,
        author,
        author_name,
        body,
    )
    assert row is not None
    return dict(row)
