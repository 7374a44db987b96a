"""Who may vote: members present (or, online, any voting member within the window), never observers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.deliberation.domain.errors import IllegalSessionTransition, RefusedError, StateConflict
from services.deliberation.domain.sessions import Membership, SessionStatus, SessionView, check_transition, check_voter

START = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
VOTER = Membership("wang-fang", voting=True, term_from=date(2026, 1, 1), term_until=None)
OBSERVER = Membership("zhou-qiang", voting=False, term_from=date(2026, 1, 1), term_until=None)


def session(mode: str = "in_person", status: str = "open") -> SessionView:
    return SessionView(status=status, mode=mode, starts_at=START, ends_at=START + timedelta(hours=2), day=START.date())


def vote(**overrides: object) -> None:
    kwargs: dict[str, object] = {
        "session": session(),
        "member": VOTER,
        "present": True,
        "now": START + timedelta(minutes=30),
        "motion_open": True,
    }
    kwargs.update(overrides)
    check_voter(**kwargs)  # type: ignore[arg-type]


def test_a_present_voting_member_may_vote() -> None:
    vote()


def test_a_non_member_is_refused() -> None:
    with pytest.raises(RefusedError) as refused:
        vote(member=None)
    assert refused.value.extensions["reason"] == "not_a_member"


def test_a_member_whose_term_ended_is_refused() -> None:
    former = Membership("li-na", voting=True, term_from=date(2020, 1, 1), term_until=date(2026, 6, 30))
    with pytest.raises(RefusedError):
        vote(member=former)


def test_an_observer_is_refused() -> None:
    with pytest.raises(RefusedError) as refused:
        vote(member=OBSERVER)
    assert refused.value.extensions["reason"] == "observer"


def test_a_member_not_present_is_refused_in_person() -> None:
    with pytest.raises(RefusedError) as refused:
        vote(present=False)
    assert refused.value.extensions["reason"] == "not_present"


@pytest.mark.parametrize("status", ["scheduled", "concluded", "cancelled"])
def test_no_vote_outside_an_open_session(status: str) -> None:
    with pytest.raises(StateConflict):
        vote(session=session(status=status))


def test_no_vote_on_a_closed_motion() -> None:
    with pytest.raises(StateConflict):
        vote(motion_open=False)


def test_online_any_voting_member_may_vote_within_the_window() -> None:
    vote(session=session(mode="online"), present=False)


def test_online_votes_outside_the_window_are_refused() -> None:
    with pytest.raises(StateConflict) as refused:
        vote(session=session(mode="online"), present=False, now=START + timedelta(hours=3))
    assert refused.value.extensions["reason"] == "outside_window"


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("scheduled", SessionStatus.CONCLUDED),
        ("concluded", SessionStatus.OPEN),
        ("cancelled", SessionStatus.OPEN),
        ("concluded", SessionStatus.CANCELLED),
        ("open", SessionStatus.OPEN),
    ],
)
def test_illegal_session_transitions_are_refused(current: str, target: SessionStatus) -> None:
    with pytest.raises(IllegalSessionTransition) as refused:
        check_transition(current, target)
    assert refused.value.extensions["current_state"] == current


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("scheduled", SessionStatus.OPEN),
        ("scheduled", SessionStatus.CANCELLED),
        ("open", SessionStatus.CONCLUDED),
        ("open", SessionStatus.CANCELLED),
    ],
)
def test_legal_session_transitions(current: str, target: SessionStatus) -> None:
    check_transition(current, target)
