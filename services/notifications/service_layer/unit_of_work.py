"""The notifications service's unit of work: the kernel's, with its repositories on its connection."""

from __future__ import annotations

from dataclasses import dataclass

from services.kernel.unit_of_work import UnitOfWork
from services.notifications.adapters.broadcasts import BroadcastRepository
from services.notifications.adapters.hub import InboxHub
from services.notifications.adapters.repository import (
    ChannelRepository,
    NotificationRepository,
    PeopleRepository,
    ReminderRepository,
    TemplateCache,
)
from services.notifications.settings import NotificationSettings


@dataclass(frozen=True)
class NotificationsComponents:
    """The process-wide parts, built once in bootstrap.py: the live inbox hub and the template cache."""

    hub: InboxHub
    templates: TemplateCache


class NotificationsUnitOfWork(UnitOfWork[NotificationSettings]):
    components: NotificationsComponents

    @property
    def notifications(self) -> NotificationRepository:
        return NotificationRepository(self.conn)

    @property
    def broadcasts(self) -> BroadcastRepository:
        return BroadcastRepository(self.conn)

    @property
    def people(self) -> PeopleRepository:
        return PeopleRepository(self.conn)

    @property
    def channels(self) -> ChannelRepository:
        return ChannelRepository(self.conn)

    @property
    def reminders(self) -> ReminderRepository:
        return ReminderRepository(self.conn)

    async def template(self, key: str, language: str) -> tuple[str, str]:
        """(subject, body) of a template in use, from the per-process cache."""
        return await self.components.templates.get(self.conn, key, language)
