"""Commands on sessions: ad-hoc scheduling, open, conclude, cancel, attendance.

Each opens the unit of work and locks the session row first (FOR UPDATE), then reads its council
and members: one order for every session command, so two of them never deadlock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from contracts.enums import MeetingMode
from contracts.events.deliberation import SessionCancelled, SessionConcluded, SessionScheduled
from services.deliberation.adapters.rows import Row
from services.deliberation.domain.calendar import local_day
from services.deliberation.domain.errors import BadValues, RefusedError, StateConflict
from services.deliberation.domain.sessions import SessionStatus, check_transition
from services.deliberation.service_layer.access import council_for, require_officer, session_for
from services.deliberation.service_layer.scheduling import announce, place_waiting
from services.deliberation.service_layer.unit_of_work import DeliberationUnitOfWork
from services.kernel.identity import Principal


@dataclass(frozen=True)
class AdHocSession:
    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    mode: MeetingMode | None = None
    location: str | None = None


async def create_ad_hoc(
    uow: DeliberationUnitOfWork, council_id: uuid.UUID, principal: Principal, new: AdHocSession
) -> Row:
    """An officer adds a session outside the first-Friday rhythm (the council's length, mode and place by default)."""
    async with uow:
        council = await council_for(uow, council_id, principal)
        ends_at = new.ends_at or new.starts_at + timedelta(minutes=council["duration_minutes"])
        if ends_at <= new.starts_at:
            raise BadValues("A session must end after it starts.", field="ends_at")
        await require_officer(uow, council, principal)
        session = await uow.repo.insert_session(
            {
                "id": uuid.uuid4(),
                "council_id": council["id"],
                "community": council["community"],
                "title": new.title,
                "starts_at": new.starts_at,
                "ends_at": ends_at,
                "mode": new.mode.value if new.mode else council["default_mode"],
                "location": new.location if new.location is not None else council["location"],
            },
            regular=False,
        )
        assert session is not None
        await announce(uow, session, SessionScheduled)
        await place_waiting(uow, council)
        await uow.audit("session.added", session["id"], principal, {"council_id": council["id"], "title": new.title})
        return session


async def _locked(uow: DeliberationUnitOfWork, session_id: uuid.UUID, principal: Principal) -> tuple[Row, Row]:
    """The session, locked, and its council."""
    session = await session_for(uow, session_id, principal, lock=True)
    council = await uow.repo.council(session["council_id"])
    assert council is not None
    return session, council


async def open_session(uow: DeliberationUnitOfWork, session_id: uuid.UUID, principal: Principal) -> Row:
    async with uow:
        session, council = await _locked(uow, session_id, principal)
        await require_officer(uow, council, principal)
        check_transition(session["status"], SessionStatus.OPEN)
        await uow.repo.set_status(session["id"], SessionStatus.OPEN, opened_at=uow.now())
        await uow.audit("session.opened", session_id, principal, {"council_id": council["id"]})
        return await _reread(uow, session_id)


async def record_mode(
    uow: DeliberationUnitOfWork,
    session_id: uuid.UUID,
    principal: Principal,
    mode: MeetingMode | None,
    location: str | None,
    *,
    location_given: bool,
) -> Row:
    """An officer records how a scheduled or open session meets (集中, 走访, 上门, 微信) and where.

    The mode decides who may vote: in an online session any voting member within the window, else those present."""
    async with uow:
        session, council = await _locked(uow, session_id, principal)
        await require_officer(uow, council, principal)
        if session["status"] not in (SessionStatus.SCHEDULED, SessionStatus.OPEN):
            raise StateConflict(
                f"The session is {session['status']}; how it met can no longer change. 会议已结束或取消。",
                reason="session_closed",
                session_status=session["status"],
            )
        if await uow.repo.open_motions_of_session(session["id"]):
            raise StateConflict(
                "A motion is being voted on; change the mode after it closes. 表决进行中，不能更改议事方式。",
                reason="motions_open",
            )
        await uow.repo.set_how(
            session["id"],
            mode.value if mode else session["mode"],
            location if location_given else session["location"],
        )
        return await _reread(uow, session_id)


async def _reread(uow: DeliberationUnitOfWork, session_id: uuid.UUID) -> Row:
    session = await uow.repo.session(session_id)
    assert session is not None
    return session


async def _defer_open_items(uow: DeliberationUnitOfWork, session: Row, now: datetime) -> int:
    upcoming = await uow.repo.next_scheduled_session(
        session["council_id"], max(now, session["starts_at"]), exclude=session["id"]
    )
    return await uow.repo.move_open_items(session["id"], upcoming)


async def conclude_session(
    uow: DeliberationUnitOfWork, session_id: uuid.UUID, principal: Principal, minutes: str
) -> Row:
    """Conclude an open session with its minutes and report; its undecided items move to the next session."""
    async with uow:
        session, council = await _locked(uow, session_id, principal)
        await require_officer(uow, council, principal)
        check_transition(session["status"], SessionStatus.CONCLUDED)
        open_motions = await uow.repo.open_motions_of_session(session["id"])
        if open_motions:
            raise StateConflict(
                f"{open_motions} motion(s) are still open; close them first. 仍有未结束的表决。",
                reason="motions_open",
                open_motions=open_motions,
            )
        now = uow.now()
        present = await uow.repo.attendee_ids(session["id"])
        decisions = await uow.repo.session_decisions(session["id"])
        issues = [d["issue_id"] for d in decisions if d["issue_id"] is not None]
        deferred = await _defer_open_items(uow, session, now)
        report: dict[str, Any] = {
            "attendees_count": len(present),
            "attendees": present,
            "decisions_count": len(decisions),
            "decisions": [{"id": str(d["id"]), "title": d["title"], "outcome": d["outcome"]} for d in decisions],
            "issues_answered": [str(i) for i in issues],
            "items_deferred": deferred,
        }
        await uow.repo.set_status(
            session["id"], SessionStatus.CONCLUDED, concluded_at=now, minutes=minutes, report=report
        )
        await announce(
            uow,
            session,
            SessionConcluded,
            concluded_at=now,
            attendees=present,
            decisions_count=len(decisions),
            issues_answered=issues,
        )
        await uow.audit(
            "session.concluded",
            session_id,
            principal,
            {"council_id": council["id"], "attendees_count": len(present), "decisions_count": len(decisions)},
        )
        return await _reread(uow, session_id)


async def cancel_session(
    uow: DeliberationUnitOfWork, session_id: uuid.UUID, principal: Principal, reason: str | None
) -> Row:
    """Cancel a scheduled or open session: its open motions are withdrawn, its undecided items move on."""
    async with uow:
        session, council = await _locked(uow, session_id, principal)
        await require_officer(uow, council, principal)
        check_transition(session["status"], SessionStatus.CANCELLED)
        now = uow.now()
        await uow.repo.withdraw_open_motions(session["id"], now)
        await _defer_open_items(uow, session, now)
        await uow.repo.set_status(session["id"], SessionStatus.CANCELLED, cancelled_at=now, cancel_reason=reason)
        await announce(uow, session, SessionCancelled, reason=reason)
        await uow.audit("session.cancelled", session_id, principal, {"council_id": council["id"], "reason": reason})
        return await _reread(uow, session_id)


async def record_attendance(
    uow: DeliberationUnitOfWork, session_id: uuid.UUID, principal: Principal, person_id: str | None, present: bool
) -> None:
    """A member checks themself in, or an officer records anyone on the council."""
    async with uow:
        session, council = await _locked(uow, session_id, principal)
        target = person_id or principal.sub
        if target != principal.sub:
            await require_officer(uow, council, principal)
        if session["status"] not in (SessionStatus.SCHEDULED, SessionStatus.OPEN):
            raise StateConflict(
                f"The session is {session['status']}; attendance can no longer change.",
                reason="session_closed",
                session_status=session["status"],
            )
        member = await uow.repo.membership(council["id"], target)
        if member is None or not member.active_on(local_day(session["starts_at"], session["timezone"])):
            raise RefusedError(
                f"{target} is not a member of this council. 该人员不是议事会成员。",
                reason="not_a_member",
                person_id=target,
            )
        if present:
            await uow.repo.record_attendance(session["id"], target, principal.sub)
        else:
            await uow.repo.remove_attendance(session["id"], target)
        if target != principal.sub:  # an officer recording someone else's presence
            await uow.audit(
                "session.attendance_recorded", session_id, principal, {"person_id": target, "present": present}
            )
