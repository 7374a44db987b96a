"""Queueing the messages of one person or group: inbox at once, e-mail and WeCom after quiet hours.

Every insert is keyed by (event id, recipient, channel), so a message queued twice is queued once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import orjson

from contracts.events.notification import NotificationDelivered
from services.kernel.clock import Clock
from services.kernel.db import Connection
from services.kernel.outbox import Outbox
from services.notifications.adapters import repository as repo
from services.notifications.domain import wecom
from services.notifications.domain.quiet_hours import QuietHours
from services.notifications.domain.templates import render
from services.notifications.settings import NotificationSettings

OUTBOX = Outbox("notifications")

ContextFor = Callable[[str], dict[str, str]]
"""Builds the template context in a language."""


@dataclass(frozen=True)
class Source:
    """The event (or reminder) a message answers."""

    event_id: uuid.UUID
    event_type: str
    community: str


@dataclass
class Messenger:
    settings: NotificationSettings
    clock: Clock
    templates: repo.TemplateCache = field(default_factory=repo.TemplateCache)

    async def to_person(
        self, conn: Connection, source: Source, person_id: str, template_key: str, context_for: ContextFor, urgent: bool
    ) -> None:
        now = self.clock.now()
        prefs = await repo.preferences(conn, person_id)
        context = context_for(prefs.language)
        subject_t, body_t = await self.templates.get(conn, template_key, prefs.language)
        subject, body = render(subject_t, context), render(body_t, context)
        if prefs.inbox_enabled:
            inserted = await repo.insert_notification(
                conn,
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
                await announce_delivery(conn, inserted, source, person_id, "inbox", 1, now)
        if prefs.wants_email and self.settings.notifications_smtp_host:
            release = prefs.quiet.release_at(now, urgent=urgent) if prefs.quiet else now
            await repo.insert_notification(
                conn,
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
        self, conn: Connection, source: Source, group: int, template_key: str, context_for: ContextFor
    ) -> None:
        url = await repo.robot_url(conn, source.community, group)
        if not url:
            return
        now = self.clock.now()
        context = context_for("zh-CN")  # group chats are read in Chinese
        _, body_t = await self.templates.get(conn, template_key, "zh-CN")
        content = render(body_t, context)
        payload = wecom.markdown(content)
        quiet = QuietHours.parse(self.settings.notifications_group_quiet_hours, self.settings.notifications_timezone)
        await repo.insert_notification(
            conn,
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


async def announce_delivery(
    conn: Connection,
    notification_id: uuid.UUID,
    source: Source,
    recipient: str,
    channel: str,
    attempts: int,
    at: datetime,
) -> None:
    await OUTBOX.emit(
        conn,
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
