"""The one handler of every consumed event: people's messages, group announcements, reminders, webhooks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contracts.envelope import CloudEvent
from services.kernel.db import Connection
from services.notifications.adapters import repository as repo
from services.notifications.domain import patterns, routing
from services.notifications.domain.templates import event_context
from services.notifications.service_layer import reminders
from services.notifications.service_layer.messages import Messenger, Source


@dataclass
class Dispatcher:
    messenger: Messenger

    async def __call__(self, conn: Connection, event: CloudEvent[Any]) -> None:
        name = event.event_name
        data = event.data
        source = Source(event.id, event.type, event.community)
        timezone = self.messenger.settings.notifications_timezone
        issue_reporter = None
        if name.startswith("decision."):
            issue_reporter = await repo.reporter_of(conn, data.issue_id)
        plan = routing.plan(name, data, issue_reporter=issue_reporter)
        if plan.reporter is not None:
            await repo.remember_reporter(conn, *plan.reporter)

        def context_for(language: str) -> dict[str, str]:
            return event_context(data, language, timezone)

        for message in plan.people:
            await self.messenger.to_person(
                conn, source, message.person_id, message.template, context_for, message.urgent
            )
        if plan.groups:
            name = await repo.display_name(conn, data.person_id)

            def group_context(language: str) -> dict[str, str]:
                return {**context_for(language), "person_name": name}

            for group in plan.groups:
                await self.messenger.to_group(conn, source, group.building_group, group.template, group_context)
        for change in plan.reminders:
            await reminders.apply(conn, event.community, change, self.messenger.clock.now())
        await self._webhooks(conn, event, source)

    async def _webhooks(self, conn: Connection, event: CloudEvent[Any], source: Source) -> None:
        body: str | None = None  # serialised once, and only if some subscriber wants the event
        for sub in await repo.active_subscriptions(conn, event.community):
            if patterns.matches(list(sub["event_types"]), event.event_name):
                body = body or event.model_dump_json()
                await repo.insert_notification(
                    conn,
                    event_id=source.event_id,
                    event_type=source.event_type,
                    community=source.community,
                    recipient=str(sub["id"]),
                    channel="webhook",
                    body=body,
                    now=self.messenger.clock.now(),
                )
