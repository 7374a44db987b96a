"""Who hears what: from one event to the messages, group announcements and reminders it causes.

Pure: the only thing not in the event is the reporter of an issue a decision answers,
which the caller looks up in its local read copy and passes in.

Urgent (never deferred by quiet hours): a cancelled shift or session (someone would
otherwise turn up for nothing), and the 2-hour session reminder (it would be useless in
the morning). Everything else waits for the end of the recipient's quiet hours.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from contracts.envelope import EventData

URGENT = frozenset({"shift.cancelled", "session.cancelled", "reminder.session.2h"})

SESSION_OFFSETS = (("24h", timedelta(hours=24)), ("2h", timedelta(hours=2)))
SHIFT_OFFSETS = (("24h", timedelta(hours=24)),)

_DECISIONS = ("decision.adopted", "decision.rejected")
BUILDING_GROUPS = (1, 2, 3, 4, 5, 6)
GROUP_FORMS = {"announcement.published": "announcement.group", "initiative.launched": "initiative.group"}
"""The WeCom group robot's form of a template that also goes to readers' inboxes."""


@dataclass(frozen=True)
class PersonMessage:
    person_id: str
    template: str
    urgent: bool = False


@dataclass(frozen=True)
class GroupMessage:
    building_group: int
    template: str


@dataclass(frozen=True)
class ScheduleReminders:
    kind: str  # session | shift
    ref_id: uuid.UUID
    recipients: tuple[str, ...]
    starts_at: datetime
    offsets: tuple[tuple[str, timedelta], ...]
    data: dict[str, Any]
    signup_id: uuid.UUID | None = None


@dataclass(frozen=True)
class CancelReminders:
    kind: str
    ref_id: uuid.UUID
    signup_id: uuid.UUID | None = None  # None: the whole session or shift is cancelled
    recipient: str | None = None


@dataclass(frozen=True)
class Broadcast:
    """One inbox item shown to every reader of the community (building_group None) or of one building group."""

    building_group: int | None
    template: str
    expires_at: datetime | None = None


@dataclass
class Plan:
    people: list[PersonMessage] = field(default_factory=list)
    groups: list[GroupMessage] = field(default_factory=list)
    reminders: list[ScheduleReminders | CancelReminders] = field(default_factory=list)
    reporter: tuple[uuid.UUID, str] | None = None  # (issue id, reporter id) to remember
    broadcast: Broadcast | None = None
    announcement: uuid.UUID | None = None  # published: remember which event carried it
    withdrawn: uuid.UUID | None = None  # withdrawn: take it out of every inbox


def _people(ids: list[str] | tuple[str, ...], template: str) -> list[PersonMessage]:
    seen: dict[str, None] = dict.fromkeys(i for i in ids if i)
    return [PersonMessage(person, template, urgent=template in URGENT) for person in seen]


def plan(event_name: str, data: EventData, *, issue_reporter: str | None = None) -> Plan:
    """What one event means for people. `issue_reporter`: reporter of the issue a decision answers."""
    d: Any = data
    result = Plan()
    entity = event_name.split(".")[0]
    if entity == "issue":
        if d.reporter_id:
            result.people = _people([d.reporter_id], event_name)
            result.reporter = (d.issue_id, d.reporter_id)
    elif event_name == "session.scheduled":
        result.people = _people(d.member_ids, event_name)
        result.reminders.append(
            ScheduleReminders(
                "session",
                d.session_id,
                tuple(d.member_ids),
                d.starts_at,
                SESSION_OFFSETS,
                {"title": d.title, "starts_at": d.starts_at.isoformat(), "location": d.location or ""},
            )
        )
    elif event_name == "session.cancelled":
        result.people = _people(d.member_ids, event_name)
        result.reminders.append(CancelReminders("session", d.session_id))
    elif event_name in _DECISIONS:
        people = list(d.member_ids)
        if issue_reporter:
            people.append(issue_reporter)
        result.people = _people(people, event_name)
    elif event_name == "shift.scheduled":
        result.people = _people(d.post_volunteer_ids, event_name)
    elif event_name == "shift.cancelled":
        result.people = _people(d.signed_up_ids, event_name)
        result.reminders.append(CancelReminders("shift", d.shift_id))
    elif event_name in ("signup.created", "signup.promoted"):
        if event_name == "signup.promoted":
            result.people = _people([d.volunteer_id], event_name)
        if event_name == "signup.promoted" or d.status == "confirmed":
            result.reminders.append(
                ScheduleReminders(
                    "shift",
                    d.shift_id,
                    (d.volunteer_id,),
                    d.starts_at,
                    SHIFT_OFFSETS,
                    {"title": d.title, "starts_at": d.starts_at.isoformat(), "location": "", "post_type": d.post_type},
                    signup_id=d.signup_id,
                )
            )
    elif event_name == "signup.cancelled":
        result.reminders.append(CancelReminders("shift", d.shift_id, d.signup_id, d.volunteer_id))
    elif event_name in ("points.awarded", "redemption.reserved"):
        result.people = _people([d.person_id], event_name)
    elif event_name == "wish.fulfilled":
        result.people = _people([d.family_id], event_name)  # the family is asked to confirm
    elif event_name == "wish.confirmed":
        result.people = _people([d.claimer_id] if d.claimer_id else [], event_name)
    elif event_name in ("venture.approved", "venture.returned"):
        result.people = _people([d.lead_id], event_name)
    elif event_name == "visit.planned":
        result.people = _people([d.volunteer_id], event_name)
    elif event_name in ("activity.adopted", "activity.scheduled") and d.proposed_by:
        result.people = _people([d.proposed_by], event_name)
    elif event_name == "honour.granted":
        result.people = _people([d.person_id], event_name)
        if d.building_group:
            result.groups.append(GroupMessage(d.building_group, "honour.announced"))
    elif event_name == "announcement.published":
        result.announcement = d.announcement_id
        if d.audience == "post":  # a red post's volunteers, named by community: one inbox item each
            result.people = _people(d.recipient_ids, event_name)
        else:
            groups = BUILDING_GROUPS if d.audience == "community" else (d.building_group,)
            result.groups = [GroupMessage(g, GROUP_FORMS[event_name]) for g in groups]
            result.broadcast = Broadcast(d.building_group, event_name, d.expires_at)
    elif event_name == "announcement.withdrawn":
        result.withdrawn = d.announcement_id
    elif event_name == "initiative.launched":
        result.groups = [GroupMessage(g, GROUP_FORMS[event_name]) for g in BUILDING_GROUPS]
        result.broadcast = Broadcast(None, event_name, d.closes_at)
    return result


def reminder_id(kind: str, ref_id: uuid.UUID, recipient: str, offset: str) -> uuid.UUID:
    """Stable id of a reminder; it is also the 'event id' of the notifications it causes (exactly once)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"linli:reminder:{kind}:{ref_id}:{recipient}:{offset}")


def reminder_template(kind: str, offset: str) -> str:
    return f"reminder.{kind}.{offset}"
