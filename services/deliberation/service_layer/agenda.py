"""Agenda items: referred issues and members' items, and deferral to the next session."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg

from contracts.envelope import CloudEvent
from contracts.events.issue import IssueReferred
from services.deliberation.adapters import councils as council_db
from services.deliberation.adapters import sessions as session_db
from services.deliberation.domain.errors import NotFoundError, StateConflict
from services.deliberation.service_layer.access import require_member, require_officer
from services.kernel.auth import Principal
from services.kernel.db import Connection

_INSERT_ITEM = """
INSERT INTO agenda_items (id, community, council_id, session_id, title, description, source, issue_id, proposed_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (issue_id) DO NOTHING
RETURNING *
"""


async def on_issue_referred(conn: Connection, event: CloudEvent[IssueReferred]) -> None:
    """A referred issue becomes an item on the next scheduled session of the consultation council.

    With no council or no scheduled session yet, the item waits (session_id NULL) and is
    placed when one is scheduled. The unique issue id makes a second referral of the same
    issue, under any event id, a no-op."""
    data = event.data
    council = await council_db.council_of_kind(conn, event.community, "consultation")
    upcoming = None
    if council is not None:
        upcoming = await session_db.next_scheduled_session(conn, council["id"], datetime.now(UTC))
    await conn.fetchrow(
        _INSERT_ITEM,
        uuid.uuid4(),
        event.community,
        council["id"] if council else None,
        upcoming["id"] if upcoming else None,
        data.title,
        data.description or data.note or "",
        "referral",
        data.issue_id,
        data.actor_id,
    )


async def add_item(
    conn: Connection, session: asyncpg.Record, principal: Principal, title: str, description: str
) -> asyncpg.Record:
    council = await council_db.get_council(conn, session["council_id"])
    assert council is not None
    await require_member(conn, council, principal)
    if session["status"] not in ("scheduled", "open"):
        raise StateConflict(
            f"The session is {session['status']}; its agenda is closed. 会议已结束或取消。",
            session_status=session["status"],
        )
    row = await conn.fetchrow(
        _INSERT_ITEM,
        uuid.uuid4(),
        session["community"],
        council["id"],
        session["id"],
        title,
        description,
        "member",
        None,
        principal.sub,
    )
    assert row is not None
    return row


async def item_for(conn: Connection, item_id: uuid.UUID, principal: Principal, *, lock: bool = False) -> asyncpg.Record:
    suffix = " FOR UPDATE" if lock else ""
    item = await conn.fetchrow(f"SELECT * FROM agenda_items WHERE id = $1{suffix}", item_id)
    if item is None or not principal.can_read(item["community"]):
        raise NotFoundError("No such agenda item. 没有这个议题。", agenda_item_id=str(item_id))
    return item


async def defer_item(conn: Connection, item: asyncpg.Record, principal: Principal) -> uuid.UUID | None:
    """Move an undecided item to the council's next scheduled session (or to waiting)."""
    if item["session_id"] is None or item["council_id"] is None:
        raise StateConflict("The item is already waiting for the next session. 议题已在等待下次会议。")
    council = await council_db.get_council(conn, item["council_id"])
    session = await session_db.get_session(conn, item["session_id"])
    assert council is not None
    assert session is not None
    await require_officer(conn, council, principal)
    if item["status"] != "open":
        raise StateConflict("The item has been decided; it cannot be deferred. 议题已表决。")
    if session["status"] not in ("scheduled", "open"):
        raise StateConflict(f"The item's session is {session['status']}.", session_status=session["status"])
    open_motion = await conn.fetchval(
        "SELECT true FROM motions WHERE agenda_item_id = $1 AND status = 'open'", item["id"]
    )
    if open_motion:
        raise StateConflict("A motion on this item is open; close it first. 议题表决尚未结束。")
    upcoming = await session_db.next_scheduled_session(
        conn, council["id"], max(datetime.now(UTC), session["starts_at"]), exclude=session["id"]
    )
    target = upcoming["id"] if upcoming else None
    await conn.execute(
        "UPDATE agenda_items SET session_id = $2, times_deferred = times_deferred + 1 WHERE id = $1",
        item["id"],
        target,
    )
    return target
