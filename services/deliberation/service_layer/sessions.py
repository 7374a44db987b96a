"""Commands on sessions: ad-hoc scheduling, open, conclude, cancel, attendance."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg

from contracts.events.deliberation import SessionCancelled, SessionConcluded, SessionScheduled
from services.deliberation.adapters import councils as council_db
from services.deliberation.adapters import sessions as session_db
from services.deliberation.domain.errors import RefusedError, StateConflict
from services.deliberation.domain.sessions import SessionStatus, check_transition
from services.deliberation.service_layer.access import require_officer
from services.deliberation.service_layer.scheduling import place_waiting, session_event
from services.kernel.auth import Principal
from services.kernel.db import Connection
from services.kernel.outbox import Outbox


async def create_ad_hoc(
    conn: Connection, outbox: Outbox, council: asyncpg.Record, principal: Principal, values: dict[str, Any]
) -> asyncpg.Record:
    await require_officer(conn, council, principal)
    session = await session_db.insert_session(
        conn,
        {"id": uuid.uuid4(), "council_id": council["id"], "community": council["community"], **values},
        regular=False,
    )
    assert session is not None
    event = await session_event(conn, session, SessionScheduled)
    await outbox.emit(conn, event, community=council["community"], subject=session["id"])
    await place_waiting(conn, council, datetime.now(UTC))
    return session


async def open_session(conn: Connection, session: asyncpg.Record, principal: Principal) -> None:
    council = await council_db.get_council(conn, session["council_id"])
    assert council is not None
    await require_officer(conn, council, principal)
    check_transition(session["status"], SessionStatus.OPEN)
    await session_db.set_status(conn, session["id"], SessionStatus.OPEN, opened_at=datetime.now(UTC))


async def _defer_open_items(conn: Connection, session: asyncpg.Record, now: datetime) -> int:
    upcoming = await session_db.next_scheduled_session(
        conn, session["council_id"], max(now, session["starts_at"]), exclude=session["id"]
    )
    return await session_db.move_open_items(conn, session["id"], upcoming["id"] if upcoming else None)


async def conclude_session(
    conn: Connection, outbox: Outbox, session: asyncpg.Record, principal: Principal, minutes: str
) -> dict[str, Any]:
    council = await council_db.get_council(conn, session["council_id"])
    assert council is not None
    await require_officer(conn, council, principal)
    check_transition(session["status"], SessionStatus.CONCLUDED)
    open_motions = await conn.fetchval(
        "SELECT count(*) FROM motions WHERE session_id = $1 AND status = 'open'", session["id"]
    )
    if open_motions:
        raise StateConflict(
            f"{open_motions} motion(s) are still open; close them first. 仍有未结束的表决。", open_motions=open_motions
        )
    now = datetime.now(UTC)
    present = [r["person_id"] for r in await session_db.attendees(conn, session["id"])]
    decisions = await conn.fetch(
        "SELECT id, title, outcome, issue_id FROM decisions WHERE session_id = $1 ORDER BY decided_at, id",
        session["id"],
    )
    issues = [d["issue_id"] for d in decisions if d["issue_id"] is not None]
    deferred = await _defer_open_items(conn, session, now)
    report = {
        "attendees_count": len(present),
        "attendees": present,
        "decisions_count": len(decisions),
        "decisions": [{"id": str(d["id"]), "title": d["title"], "outcome": d["outcome"]} for d in decisions],
        "issues_answered": [str(i) for i in issues],
        "items_deferred": deferred,
    }
    await session_db.set_status(
        conn, session["id"], SessionStatus.CONCLUDED, concluded_at=now, minutes=minutes, report=report
    )
    event = await session_event(
        conn,
        session,
        SessionConcluded,
        concluded_at=now,
        attendees=present,
        decisions_count=len(decisions),
        issues_answered=issues,
    )
    await outbox.emit(conn, event, community=session["community"], subject=session["id"])
    return report


async def cancel_session(
    conn: Connection, outbox: Outbox, session: asyncpg.Record, principal: Principal, reason: str | None
) -> None:
    council = await council_db.get_council(conn, session["council_id"])
    assert council is not None
    await require_officer(conn, council, principal)
    check_transition(session["status"], SessionStatus.CANCELLED)
    now = datetime.now(UTC)
    await conn.execute(
        "UPDATE motions SET status = 'withdrawn', closed_at = $2 WHERE session_id = $1 AND status = 'open'",
        session["id"],
        now,
    )
    await _defer_open_items(conn, session, now)
    await session_db.set_status(conn, session["id"], SessionStatus.CANCELLED, cancelled_at=now, cancel_reason=reason)
    event = await session_event(conn, session, SessionCancelled, reason=reason)
    await outbox.emit(conn, event, community=session["community"], subject=session["id"])


async def record_attendance(
    conn: Connection, session: asyncpg.Record, principal: Principal, person_id: str | None, present: bool
) -> None:
    """A member checks themself in, or an officer records anyone on the council."""
    council = await council_db.get_council(conn, session["council_id"])
    assert council is not None
    target = person_id or principal.sub
    if target != principal.sub:
        await require_officer(conn, council, principal)
    if session["status"] not in (SessionStatus.SCHEDULED, SessionStatus.OPEN):
        raise StateConflict(
            f"The session is {session['status']}; attendance can no longer change.", session_status=session["status"]
        )
    member = await council_db.membership(conn, council["id"], target)
    if member is None or not member.active_on(session_db.local_day(session)):
        raise RefusedError(
            f"{target} is not a member of this council. 该人员不是议事会成员。", reason="not_a_member", person_id=target
        )
    if present:
        await session_db.record_attendance(conn, session["id"], target, principal.sub)
    else:
        await session_db.remove_attendance(conn, session["id"], target)
