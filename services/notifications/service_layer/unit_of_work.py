"""The notifications service's unit of work: the kernel's, with its repositories on its connection."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.kernel.unit_of_work import UnitOfWork
from services.notifications.adapters.broadcasts import BroadcastRepository
from services.notifications.adapters.hub import InboxHub
from services.notifications.adapters.repository import (
    ChannelCaches,
    ChannelRepository,
    NotificationRepository,
    PeopleRepository,
    ReminderRepository,
)
from services.notifications.settings import NotificationSettings


@dataclass(frozen=True)
class NotificationsComponents:
    """The process-wide parts, built once in bootstrap.py: the live inbox hub and the channels' caches."""

    hub: InboxHub
    caches: ChannelCaches = field(default_factory=ChannelCaches)


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
        return ChannelRepository(self.conn, self.components.caches)

    @property
    def reminders(self) -> ReminderRepository:
        return ReminderRepository(self.conn)

    async def template(self, community: str, key: str, language: str) -> tuple[str, str]:
        """(subject, body) of a template in use in `community`, from the per-process cache."""
        return await self.channels.template(community, key, language)
