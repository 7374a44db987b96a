"""The notifications unit of work without a database: in-memory repositories for service-layer tests.

Each fake repository answers what its Postgres twin answers (same key rules: one notification per
event, recipient and channel; a reminder per kind, ref, recipient and offset), so the service layer
under test cannot tell the difference. State lives on the unit of work and is not rolled back."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from services.kernel.db import Connection
from services.notifications.adapters.broadcasts import BroadcastRepository
from services.notifications.adapters.hub import InboxHub
from services.notifications.adapters.repository import (
    ChannelRepository,
    NotificationRepository,
    PeopleRepository,
    ReminderRepository,
)
from services.notifications.domain.default_templates import DEFAULTS
from services.notifications.domain.preferences import Preferences
from services.notifications.service_layer.unit_of_work import NotificationsComponents, NotificationsUnitOfWork
from services.notifications.settings import NotificationSettings
from tests.support.fake_uow import FakeUnitOfWork

NO_CONNECTION = cast(Connection, None)


class FakeNotifications(NotificationRepository):
    def __init__(self) -> None:
        super().__init__(NO_CONNECTION)
        self.rows: dict[uuid.UUID, dict[str, Any]] = {}
        self.attempts: list[dict[str, Any]] = []

    def of(self, channel: str) -> list[dict[str, Any]]:
        return [r for r in self.rows.values() if r["channel"] == channel]

    async def insert(
        self,
        *,
        event_id: uuid.UUID,
        event_type: str,
        community: str,
        recipient: str,
        channel: str,
        body: str,
        now: datetime,
        subject: str = "",
        language: str | None = None,
        urgent: bool = False,
        address: str | None = None,
        next_attempt_at: datetime | None = None,
        delivered: bool = False,
    ) -> uuid.UUID | None:
        if any(
            (r["event_id"], r["recipient"], r["channel"]) == (event_id, recipient, channel) for r in self.rows.values()
        ):
            return None
        notification_id = uuid.uuid4()
        self.rows[notification_id] = {
            "id": notification_id, "event_id": event_id, "event_type": event_type, "community": community,
            "recipient": recipient, "channel": channel, "language": language, "urgent": urgent, "subject": subject,
            "body": body, "address": address, "status": "delivered" if delivered else "pending",
            "attempts": 1 if delivered else 0, "next_attempt_at": None if delivered else (next_attempt_at or now),
            "retry_from": now, "created_at": now, "delivered_at": now if delivered else None, "read_at": None,
            "last_error": None,
        }  # fmt: skip
        return notification_id

    async def mark_read(
        self, item_id: uuid.UUID, person_id: str, community: str, at: datetime
    ) -> dict[str, Any] | None:
        row = self.rows.get(item_id)
        if row is None or (row["recipient"], row["community"], row["channel"]) != (person_id, community, "inbox"):
            return None
        row["read_at"] = row["read_at"] or at
        return dict(row)

    async def mark_all_read(self, person_id: str, community: str, at: datetime) -> None:
        for row in self.of("inbox"):
            if (row["recipient"], row["community"]) == (person_id, community) and row["read_at"] is None:
                row["read_at"] = at

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> Any:
        due = sorted(
            (r for r in self.rows.values() if r["status"] == "pending" and r["next_attempt_at"] <= now),
            key=lambda r: r["next_attempt_at"],
        )[:limit]
        for row in due:
            row["attempts"] += 1
            row["next_attempt_at"] = lease_until
        return [dict(r) for r in due]

    async def take_robot_slot(
        self, notification_id: uuid.UUID, robot: str, now: datetime, window: timedelta, limit: int
    ) -> bool:
        return True

    async def lock_for_outcome(self, notification_id: uuid.UUID) -> Any:
        row = self.rows.get(notification_id)
        return dict(row) if row else None

    async def record_attempt(
        self,
        notification_id: uuid.UUID,
        attempt: int,
        at: datetime,
        ok: bool,
        status_code: int | None,
        error: str | None,
        duration_ms: int,
    ) -> None:
        self.attempts.append({"notification_id": notification_id, "attempt": attempt, "ok": ok, "error": error})

    async def mark_delivered(self, notification_id: uuid.UUID, at: datetime) -> None:
        self.rows[notification_id].update(status="delivered", delivered_at=at, next_attempt_at=None, last_error=None)

    async def retry_at(self, notification_id: uuid.UUID, at: datetime, error: str | None) -> None:
        self.rows[notification_id].update(next_attempt_at=at, last_error=error)

    async def mark_failed(self, notification_id: uuid.UUID, error: str | None) -> None:
        self.rows[notification_id].update(status="failed", next_attempt_at=None, last_error=error)

    async def webhook_delivery_for_update(
        self, subscription_id: uuid.UUID, delivery_id: uuid.UUID
    ) -> dict[str, Any] | None:
        row = self.rows.get(delivery_id)
        if row is None or (row["recipient"], row["channel"]) != (str(subscription_id), "webhook"):
            return None
        return dict(row)

    async def send_again(self, notification_id: uuid.UUID, at: datetime) -> None:
        row = self.rows[notification_id]
        if row["status"] != "pending":
            row.update(status="pending", next_attempt_at=at, retry_from=at)


class FakePeople(PeopleRepository):
    def __init__(self) -> None:
        super().__init__(NO_CONNECTION)
        self.saved: dict[str, Preferences] = {}
        self.communities: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.reporters: dict[uuid.UUID, str] = {}

    async def preferences(self, person_id: str, default_zone: str) -> Preferences:
        return self.saved.get(person_id) or Preferences.defaults(person_id, default_zone)

    async def community_of(self, person_id: str) -> str | None:
        return self.communities.get(person_id)

    async def save(self, prefs: Preferences, community: str, zone: str, display_name: str | None) -> None:
        self.saved[prefs.person_id] = prefs
        self.communities.setdefault(prefs.person_id, community)
        if display_name:
            self.names[prefs.person_id] = display_name

    async def display_name(self, person_id: str) -> str:
        return self.names.get(person_id, person_id)

    async def remember_reporter(self, issue_id: uuid.UUID, reporter_id: str) -> None:
        self.reporters.setdefault(issue_id, reporter_id)

    async def reporter_of(self, issue_id: uuid.UUID | None) -> str | None:
        return self.reporters.get(issue_id) if issue_id else None


class FakeChannels(ChannelRepository):
    def __init__(self) -> None:
        super().__init__(NO_CONNECTION)
        self.robots: dict[tuple[str, int], str] = {}
        self.templates: dict[tuple[str, str, str], dict[str, Any]] = {}  # by (community, key, language)
        self.subscriptions: dict[uuid.UUID, dict[str, Any]] = {}

    async def robot_url(self, community: str, group: int) -> str | None:
        return self.robots.get((community, group))

    async def put_robot(self, community: str, group: int, url: str) -> dict[str, Any]:
        self.robots[(community, group)] = url
        return {"building_group": group, "url": url}

    async def delete_robot(self, community: str, group: int) -> None:
        self.robots.pop((community, group), None)

    async def save_template(
        self, community: str, key: str, language: str, subject: str, body: str, by: str
    ) -> dict[str, Any]:
        row = {"key": key, "language": language, "subject": subject, "body": body, "updated_by": by}
        self.templates[(community, key, language)] = row
        return row

    async def reset_template(self, community: str, key: str, language: str) -> bool:
        return self.templates.pop((community, key, language), None) is not None

    async def active_subscriptions(self, community: str) -> Any:
        return [s for s in self.subscriptions.values() if s["community"] == community and s["active"]]

    async def subscription_for_update(self, subscription_id: uuid.UUID) -> dict[str, Any] | None:
        row = self.subscriptions.get(subscription_id)
        return dict(row) if row else None

    async def add_subscription(
        self,
        *,
        community: str,
        url: str,
        event_types: Sequence[str],
        description: str | None,
        secret: str,
        created_by: str,
        at: datetime,
    ) -> dict[str, Any]:
        row: dict[str, Any] = {
            "id": uuid.uuid4(), "community": community, "url": url, "event_types": list(event_types),
            "description": description, "active": True, "created_by": created_by, "created_at": at,
            "secret": secret, "previous_secret": None, "previous_secret_expires": None,
        }  # fmt: skip
        self.subscriptions[row["id"]] = row
        return dict(row)

    async def deactivate(self, subscription_id: uuid.UUID) -> None:
        self.subscriptions[subscription_id]["active"] = False

    async def rotate_secret(
        self, subscription_id: uuid.UUID, secret: str, previous_expires: datetime
    ) -> dict[str, Any]:
        row = self.subscriptions[subscription_id]
        row.update(previous_secret=row["secret"], secret=secret, previous_secret_expires=previous_expires)
        return dict(row)


class FakeReminders(ReminderRepository):
    def __init__(self) -> None:
        super().__init__(NO_CONNECTION)
        self.rows: dict[uuid.UUID, dict[str, Any]] = {}
        self.cancelled_refs: set[tuple[str, uuid.UUID]] = set()

    def status(self, ref_id: uuid.UUID) -> dict[tuple[str, str], str]:
        """(recipient, offset) -> status of a session's or shift's reminders."""
        return {(r["recipient"], r["offset_label"]): r["status"] for r in self.rows.values() if r["ref_id"] == ref_id}

    async def ref_cancelled(self, kind: str, ref_id: uuid.UUID) -> bool:
        return (kind, ref_id) in self.cancelled_refs

    async def schedule(self, rows: list[tuple[Any, ...]]) -> None:
        for rid, community, kind, ref_id, recipient, label, fire_at, data, signup_id in rows:
            new = {
                "id": rid, "community": community, "kind": kind, "ref_id": ref_id, "recipient": recipient,
                "offset_label": label, "fire_at": fire_at, "data": data, "signup_id": signup_id, "status": "pending",
            }  # fmt: skip
            old = self.rows.get(rid)
            if old is None:
                self.rows[rid] = new
            elif old["status"] == "cancelled" and old["signup_id"] != signup_id:
                old.update(status="pending", fire_at=fire_at, data=data, signup_id=signup_id)

    async def cancel_ref(self, kind: str, ref_id: uuid.UUID) -> None:
        self.cancelled_refs.add((kind, ref_id))
        for row in self.rows.values():
            if (row["kind"], row["ref_id"], row["status"]) == (kind, ref_id, "pending"):
                row["status"] = "cancelled"

    async def cancel_signup(self, kind: str, ref_id: uuid.UUID, signup_id: uuid.UUID) -> int:
        hit = [
            r
            for r in self.rows.values()
            if (r["kind"], r["ref_id"], r["signup_id"], r["status"]) == (kind, ref_id, signup_id, "pending")
        ]
        for row in hit:
            row["status"] = "cancelled"
        return len(hit)

    async def tombstone(
        self,
        reminder_id: uuid.UUID,
        community: str,
        kind: str,
        ref_id: uuid.UUID,
        recipient: str,
        label: str,
        signup_id: uuid.UUID,
    ) -> None:
        self.rows.setdefault(
            reminder_id,
            {
                "id": reminder_id, "community": community, "kind": kind, "ref_id": ref_id, "recipient": recipient,
                "offset_label": label, "fire_at": None, "data": {}, "signup_id": signup_id, "status": "cancelled",
            },
        )  # fmt: skip

    async def claim_due(self, now: datetime, limit: int) -> Any:
        due = [r for r in self.rows.values() if r["status"] == "pending" and r["fire_at"] <= now]
        return sorted(due, key=lambda r: r["fire_at"])[:limit]

    async def mark_fired(self, reminder_id: uuid.UUID) -> None:
        self.rows[reminder_id]["status"] = "fired"


class FakeBroadcasts(BroadcastRepository):
    """Broadcasts by event id, their readers' marks, and the announcements' sources."""

    def __init__(self, notifications: FakeNotifications) -> None:
        super().__init__(NO_CONNECTION)
        self.notifications = notifications
        self.rows: dict[uuid.UUID, dict[str, Any]] = {}
        self.reads: dict[tuple[uuid.UUID, str], datetime] = {}
        self.sources: dict[uuid.UUID, tuple[uuid.UUID | None, bool]] = {}

    async def insert(
        self,
        *,
        event_id: uuid.UUID,
        event_type: str,
        community: str,
        building_group: int | None,
        texts: dict[str, tuple[str, str]],
        now: datetime,
        expires_at: datetime | None,
    ) -> bool:
        if event_id in self.rows:
            return False
        self.rows[event_id] = {
            "id": uuid.uuid4(), "event_id": event_id, "event_type": event_type, "community": community,
            "building_group": building_group, "texts": texts, "created_at": now, "expires_at": expires_at,
        }  # fmt: skip
        return True

    async def published(self, announcement_id: uuid.UUID, event_id: uuid.UUID) -> bool:
        _, withdrawn = self.sources.get(announcement_id, (None, False))
        self.sources[announcement_id] = (event_id, withdrawn)
        return not withdrawn

    async def withdrawn(self, announcement_id: uuid.UUID) -> None:
        event_id, _ = self.sources.get(announcement_id, (None, False))
        self.sources[announcement_id] = (event_id, True)
        if event_id is not None:
            self.rows.pop(event_id, None)
            for key, row in list(self.notifications.rows.items()):
                if row["event_id"] == event_id and row["channel"] == "inbox":
                    del self.notifications.rows[key]

    async def mark_read(
        self, item_id: uuid.UUID, person_id: str, community: str, building_group: int | None, at: datetime
    ) -> dict[str, Any] | None:
        return None

    async def mark_all_read(self, person_id: str, community: str, building_group: int | None, at: datetime) -> None:
        return None


class FakeNotificationsUnitOfWork(FakeUnitOfWork[NotificationSettings], NotificationsUnitOfWork):
    def __init__(self, settings: NotificationSettings, *, at: datetime) -> None:
        super().__init__("notifications", settings, at=at)
        self.components = NotificationsComponents(hub=InboxHub())
        self.fake_notifications = FakeNotifications()
        self.fake_people = FakePeople()
        self.fake_channels = FakeChannels()
        self.fake_reminders = FakeReminders()
        self.fake_broadcasts = FakeBroadcasts(self.fake_notifications)

    @property
    def notifications(self) -> NotificationRepository:
        return self.fake_notifications

    @property
    def people(self) -> PeopleRepository:
        return self.fake_people

    @property
    def channels(self) -> ChannelRepository:
        return self.fake_channels

    @property
    def reminders(self) -> ReminderRepository:
        return self.fake_reminders

    @property
    def broadcasts(self) -> BroadcastRepository:
        return self.fake_broadcasts

    async def template(self, community: str, key: str, language: str) -> tuple[str, str]:
        saved = self.fake_channels.templates.get((community, key, language))
        return (saved["subject"], saved["body"]) if saved else DEFAULTS[key][language]

    def prefer(self, prefs: Preferences) -> None:
        """As if the person had saved these preferences."""
        self.fake_people.saved[prefs.person_id] = prefs
