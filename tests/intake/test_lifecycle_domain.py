"""The Issue aggregate without a database: every transition, every illegal one, and the events recorded."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from contracts.enums import IssueCategory, IssueChannel
from contracts.enums import IssueStatus as S
from contracts.events.issue import IssueClosed, IssueDuplicate, IssueResolved, IssueStarted
from services.intake.domain.issue import Issue
from services.intake.domain.lifecycle import (
    TRANSITIONS,
    InvalidCommand,
    InvalidDuplicate,
    NotTheReporter,
    TransitionNotAllowed,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
REPORTER = "wang-fang"


def new_issue(*, held: bool = False, reporter: str = REPORTER) -> Issue:
    return Issue.submit(
        issue_id=uuid.uuid4(),
        community="meihu",
        category=IssueCategory.CORRIDOR_CLUTTER,
        title="楼道堆满杂物",
        reporter_id=reporter,
        channel=IssueChannel.APP,
        now=T0,
        held_for_review=held,
        building="12栋",
        building_group=3,
    )


def in_status(status: S) -> Issue:
    """An issue brought to `status` along a legal path."""
    issue = new_issue()
    paths: dict[S, list[Callable[[Issue], None]]] = {
        S.SUBMITTED: [],
        S.ACCEPTED: [lambda i: i.accept("zhang-wei", None, T0)],
        S.REJECTED: [lambda i: i.reject("zhang-wei", "not our matter", T0)],
        S.REFERRED: [lambda i: i.refer("zhang-wei", None, T0)],
        S.DUPLICATE: [lambda i: i.mark_duplicate("zhang-wei", new_issue(reporter="sun-hao"), None, T0)],
        S.IN_PROGRESS: [lambda i: i.accept("zhang-wei", None, T0), lambda i: i.start("zhang-wei", None, T0)],
    }
    paths[S.RESOLVED] = [*paths[S.IN_PROGRESS], lambda i: i.resolve("zhang-wei", "cleared", ["liu-yang"], T0)]
    paths[S.CLOSED] = [*paths[S.RESOLVED], lambda i: i.confirm(REPORTER, 5, T0)]
    paths[S.REOPENED] = [*paths[S.RESOLVED], lambda i: i.reopen(REPORTER, "back again", T0)]
    for step in paths[status]:
        step(issue)
    assert issue.status == status
    return issue


# One command per target status, as the API issues it.
COMMANDS: dict[S, Callable[[Issue], None]] = {
    S.ACCEPTED: lambda i: i.accept("zhang-wei", None, T0),
    S.REJECTED: lambda i: i.reject("zhang-wei", "reason", T0),
    S.REFERRED: lambda i: i.refer("zhang-wei", None, T0),
    S.DUPLICATE: lambda i: i.mark_duplicate("zhang-wei", new_issue(reporter="sun-hao"), None, T0),
    S.IN_PROGRESS: lambda i: i.start("zhang-wei", None, T0),
    S.RESOLVED: lambda i: i.resolve("zhang-wei", "done", ["liu-yang"], T0),
    S.CLOSED: lambda i: i.confirm(REPORTER, 4, T0),
    S.REOPENED: lambda i: i.reopen(REPORTER, "again", T0),
    S.SUBMITTED: lambda i: i.return_to_queue(None, "council said no", T0, uuid.uuid4()),
}

LEGAL = [(src, dst) for src, targets in TRANSITIONS.items() for dst in targets]
ILLEGAL = [(src, dst) for src in S for dst in COMMANDS if dst not in TRANSITIONS[src]]


@pytest.mark.parametrize(("source", "target"), LEGAL, ids=[f"{a.value}->{b.value}" for a, b in LEGAL])
def test_every_legal_transition_moves_the_issue_and_records_history_and_one_event(source: S, target: S) -> None:
    issue = in_status(source)
    issue.history.clear()
    issue.events.clear()

    COMMANDS[target](issue)

    assert issue.status == target
    assert [(h.from_status, h.to_status) for h in issue.history] == [(source, target)]
    assert len(issue.events) == 1
    event_id, event = issue.events[0]
    assert event.status == target
    assert event.previous_status == source
    assert issue.history[0].event_id == event_id


@pytest.mark.parametrize(("source", "target"), ILLEGAL, ids=[f"{a.value}->{b.value}" for a, b in ILLEGAL])
def test_every_illegal_transition_is_refused_naming_current_and_allowed_states(source: S, target: S) -> None:
    issue = in_status(source)
    events_before = len(issue.events)

    with pytest.raises(TransitionNotAllowed) as refused:
        COMMANDS[target](issue)

    assert refused.value.current == source
    assert refused.value.allowed == [s.value for s in TRANSITIONS[source]]
    assert issue.status == source
    assert len(issue.events) == events_before


def test_submission_records_issue_submitted() -> None:
    issue = new_issue()
    assert [type(e).__name__ for _, e in issue.events] == ["IssueSubmitted"]


def test_held_submission_is_not_published_until_released() -> None:
    issue = new_issue(held=True)
    assert issue.events == []
    issue.release("zhang-wei", T0)
    assert [type(e).__name__ for _, e in issue.events] == ["IssueSubmitted"]
    assert not issue.held_for_review


def test_accepting_held_text_publishes_the_submission_first() -> None:
    issue = new_issue(held=True)
    issue.accept("zhang-wei", None, T0)
    assert [type(e).__name__ for _, e in issue.events] == ["IssueSubmitted", "IssueAccepted"]


def test_rejection_needs_a_reason() -> None:
    with pytest.raises(InvalidCommand):
        new_issue().reject("zhang-wei", "  ", T0)


def test_duplicate_reporter_follows_the_original() -> None:
    original = new_issue(reporter="sun-hao")
    duplicate = new_issue()
    duplicate.mark_duplicate("zhang-wei", original, None, T0)
    assert original.followers == [REPORTER]
    _, event = duplicate.events[-1]
    assert isinstance(event, IssueDuplicate)
    assert event.duplicate_of == original.id


def test_an_issue_cannot_duplicate_itself_or_a_rejected_one() -> None:
    issue = new_issue()
    with pytest.raises(InvalidDuplicate):
        issue.mark_duplicate("zhang-wei", issue, None, T0)
    with pytest.raises(InvalidDuplicate):
        issue.mark_duplicate("zhang-wei", in_status(S.REJECTED), None, T0)


def test_only_the_reporter_confirms_or_reopens() -> None:
    issue = in_status(S.RESOLVED)
    with pytest.raises(NotTheReporter):
        issue.confirm("sun-hao", 5, T0)
    with pytest.raises(NotTheReporter):
        issue.reopen("sun-hao", "why", T0)


def test_reopening_after_seven_days_is_refused() -> None:
    issue = in_status(S.RESOLVED)
    with pytest.raises(TransitionNotAllowed) as refused:
        issue.reopen(REPORTER, "late", T0 + timedelta(days=7, seconds=1))
    assert refused.value.allowed == ["closed"]


def test_closing_carries_contributors_and_the_resolved_event_it_confirms() -> None:
    issue = in_status(S.RESOLVED)
    resolved_id, resolved = next((i, e) for i, e in issue.events if isinstance(e, IssueResolved))
    issue.confirm(REPORTER, 5, T0)
    _, closed = issue.events[-1]
    assert isinstance(closed, IssueClosed)
    assert closed.contributors == ["liu-yang"] == resolved.contributors
    assert closed.resolved_event_id == resolved_id
    assert closed.satisfaction == 5
    assert not closed.automatic


def test_auto_close_only_seven_days_after_resolution() -> None:
    issue = in_status(S.RESOLVED)
    with pytest.raises(TransitionNotAllowed):
        issue.auto_close(T0 + timedelta(days=6))
    issue.auto_close(T0 + timedelta(days=7))
    _, closed = issue.events[-1]
    assert isinstance(closed, IssueClosed)
    assert closed.automatic
    assert closed.satisfaction is None


def test_start_by_council_decision_attaches_the_decision() -> None:
    issue = in_status(S.REFERRED)
    decision = uuid.uuid4()
    issue.start(None, "adopted", T0, decision_id=decision)
    _, started = issue.events[-1]
    assert isinstance(started, IssueStarted)
    assert started.decision_id == decision
    assert issue.decision_id == decision
