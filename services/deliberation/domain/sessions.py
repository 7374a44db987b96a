"""The life of a session and who may vote in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from services.deliberation.domain.errors import IllegalSessionTransition, RefusedError, StateConflict


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CONCLUDED = "concluded"
    CANCELLED = "cancelled"


TRANSITIONS: dict[SessionStatus, tuple[SessionStatus, ...]] = {
    SessionStatus.SCHEDULED: (SessionStatus.OPEN, SessionStatus.CANCELLED),
    SessionStatus.OPEN: (SessionStatus.CONCLUDED, SessionStatus.CANCELLED),
    SessionStatus.CONCLUDED: (),
    SessionStatus.CANCELLED: (),
}


def check_transition(current: str, target: SessionStatus) -> None:
    state = SessionStatus(current)
    allowed = TRANSITIONS[state]
    if target not in allowed:
        raise IllegalSessionTransition(
            f"A {state} session cannot become {target}.",
            current=state.value,
            allowed=[s.value for s in allowed],
        )


@dataclass(frozen=True)
class Membership:
    person_id: str
    voting: bool
    term_from: date
    term_until: date | None

    def active_on(self, day: date) -> bool:
        return self.term_from <= day and (self.term_until is None or day <= self.term_until)


@dataclass(frozen=True)
class SessionView:
    status: str
    mode: str
    starts_at: datetime
    ends_at: datetime
    day: date  # the session's local date, against which terms are checked


def require_in_session(session: SessionView, action: str) -> None:
    if session.status != SessionStatus.OPEN:
        raise StateConflict(
            f"The session is {session.status}; {action} needs an open session. 会议未在进行中。",
            reason="session_not_open",
            session_status=session.status,
        )


def check_voter(
    *, session: SessionView, member: Membership | None, present: bool, now: datetime, motion_open: bool
) -> None:
    """Refuse a vote with the reason, or return: the voter may vote (or change their vote)."""
    if not motion_open:
        raise StateConflict("The motion is closed; votes can no longer change. 表决已结束。", reason="motion_closed")
    require_in_session(session, "voting")
    if member is None or not member.active_on(session.day):
        raise RefusedError("Only members of the council may vote. 仅议事会成员可以表决。", reason="not_a_member")
    if not member.voting:
        raise RefusedError("Observers attend but do not vote. 列席人员无表决权。", reason="observer")
    if session.mode == "online":
        if not session.starts_at <= now <= session.ends_at:
            raise StateConflict(
                "Online votes are taken only within the session's window. 线上表决仅在会议时段内进行。",
                reason="outside_window",
                starts_at=session.starts_at.isoformat(),
                ends_at=session.ends_at.isoformat(),
            )
    elif not present:
        raise RefusedError(
            "Only members recorded present may vote in this session. 仅出席成员可以表决。", reason="not_present"
        )
