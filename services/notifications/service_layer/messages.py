"""Queueing the messages of one person or group: inbox at once, e-mail and WeCom after quiet hours.

Every insert is keyed by (event id, recipient, channel), so a message queued twice is queued once.
Called inside an open unit of work (the consumer's, or the reminder loop's).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import orjson

from contracts.events.notification import NotificationDelivered
from services.notifications.domain import wecom
from services.notifications.domain.quiet_hours import QuietHours
from services.notifications.domain.routing import Broadcast
from services.notifications.domain.templates import render
from services.notifications.service_layer.unit_of_work import NotificationsUnitOfWork

ContextFor = Callable[[str], dict[str, str]]
"""Builds the template context in a language."""


@dataclass(frozen=True)
class Source:
    """The event (or reminder) a message answers."""

    event_id: uuid.UUID
    event_type: str
    community: str


async def to_person(
    uow: NotificationsUnitOfWork,
    source: Source,
    person_id: str,
    template_key: str,
    context_for: ContextFor,
    urgent: bool,
) -> None:
    """An inbox item now (announced as delivered) and an e-mail after the person's quiet hours."""
    now = uow.now()
    settings = uow.settings
    prefs = await uow.people.preferences(person_id, settings.time_zone)
    context = context_for(prefs.language)
    subject_t, body_t = await uow.template(source.community, template_key, prefs.language)
    subject, body = render(subject_t, context), render(body_t, context)
    if prefs.inbox_enabled:
        inserted = await uow.notifications.insert(
            event_id=source.event_id,
            event_type=source.event_type,
            community=source.community,
            recipient=person_id,
            channel="inbox",
            subject=subject,
            body=body,
            language=prefs.language,
            urgent=urgent,
            now=now,
            delivered=True,
        )
        if inserted is not None:  # open SSE streams hear of it at commit (the row's trigger)
            await announce_delivery(uow, inserted, source, person_id, "inbox", 1, now)
    if prefs.wants_email and settings.notifications_smtp_host:
        release = prefs.quiet.release_at(now, urgent=urgent) if prefs.quiet else now
        await uow.notifications.insert(
            event_id=source.event_id,
            event_type=source.event_type,
            community=source.community,
            recipient=person_id,
            channel="email",
            subject=subject,
            body=body,
            language=prefs.language,
            urgent=urgent,
            address=prefs.email,
            now=now,
            next_attempt_at=release,
        )


async def to_group(
    uow: NotificationsUnitOfWork, source: Source, group: int, template_key: str, context_for: ContextFor
) -> None:
    """A WeCom message to a building group's robot (if it has one), after the groups' quiet hours."""
    url = await uow.channels.robot_url(source.community, group)
    if not url:
        return
    now = uow.now()
    context = context_for("zh-CN")  # group chats are read in Chinese
    _, body_t = await uow.template(source.community, template_key, "zh-CN")
    payload = wecom.markdown(render(body_t, context))
    quiet = QuietHours.parse(uow.settings.notifications_group_quiet_hours, uow.settings.time_zone)
    await uow.notifications.insert(
        event_id=source.event_id,
        event_type=source.event_type,
        community=source.community,
        recipient=f"building_group:{group}",
        channel="wecom",
        body=orjson.dumps(payload).decode(),
        language="zh-CN",
        address=url,
        now=now,
        next_attempt_at=quiet.release_at(now) if quiet else now,
    )


async def to_audience(
    uow: NotificationsUnitOfWork, source: Source, broadcast: Broadcast, context_for: ContextFor
) -> None:
    """One inbox item for every reader of the community or building group, in both languages (each
    reader sees theirs); queued once per event."""
    texts: dict[str, tuple[str, str]] = {}
    for language in ("zh-CN", "en"):
        context = context_for(language)
        subject_t, body_t = await uow.template(source.community, broadcast.template, language)
        texts[language] = (render(subject_t, context), render(body_t, context))
    await uow.broadcasts.insert(
        event_id=source.event_id,
        event_type=source.event_type,
        community=source.community,
        building_group=broadcast.building_group,
        texts=texts,
        now=uow.now(),
        expires_at=broadcast.expires_at,
    )


async def announce_delivery(
    uow: NotificationsUnitOfWork,
    notification_id: uuid.UUID,
    source: Source,
    recipient: str,
    channel: str,
    attempts: int,
    at: datetime,
) -> None:
    await uow.emit(
        NotificationDelivered(
            notification_id=notification_id,
            source_event_id=source.event_id,
            source_event_type=source.event_type,
            recipient=recipient,
            channel=channel,
            attempts=attempts,
            delivered_at=at,
        ),
        community=source.community,
        subject=notification_id,
    )
