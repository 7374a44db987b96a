"""The one handler of every consumed event: people's messages, group announcements, reminders, webhooks."""

from __future__ import annotations

from typing import Any

from contracts.envelope import CloudEvent
from services.notifications.domain import patterns, routing
from services.notifications.domain.templates import event_context
from services.notifications.service_layer import reminders
from services.notifications.service_layer.messages import Source, to_audience, to_group, to_person
from services.notifications.service_layer.unit_of_work import NotificationsUnitOfWork


async def dispatch(uow: NotificationsUnitOfWork, event: CloudEvent[Any]) -> None:
    """Queue everything one event causes; handled twice, it queues nothing twice."""
    async with uow:
        name = event.event_name
        data = event.data
        source = Source(event.id, event.type, event.community)
        zone = uow.zone
        issue_reporter = None
        if name.startswith("decision."):
            issue_reporter = await uow.people.reporter_of(data.issue_id)
        plan = routing.plan(name, data, issue_reporter=issue_reporter)
        if plan.reporter is not None:
            await uow.people.remember_reporter(*plan.reporter)

        def context_for(language: str) -> dict[str, str]:
            return event_context(data, language, zone)

        if plan.announcement is not None and not await uow.broadcasts.published(plan.announcement, event.id):
            # Withdrawn before its publication arrived (events of two types are not ordered):
            # no inbox nor robot hears of it; webhook subscribers are sent both events.
            plan = routing.Plan()
        if plan.withdrawn is not None:
            await uow.broadcasts.withdrawn(plan.withdrawn)
        for message in plan.people:
            await to_person(uow, source, message.person_id, message.template, context_for, message.urgent)
        if plan.broadcast is not None:
            await to_audience(uow, source, plan.broadcast, context_for)
        if plan.groups:
            person_id = getattr(data, "person_id", None)
            person_name = await uow.people.display_name(person_id) if person_id else ""

            def group_context(language: str) -> dict[str, str]:
                return {**context_for(language), "person_name": person_name}

            for group in plan.groups:
                await to_group(uow, source, group.building_group, group.template, group_context)
        for change in plan.reminders:
            await reminders.apply(uow, event.community, change)
        await _webhooks(uow, event, source)


async def _webhooks(uow: NotificationsUnitOfWork, event: CloudEvent[Any], source: Source) -> None:
    body: str | None = None  # serialised once, and only if some subscriber wants the event
    for sub in await uow.channels.active_subscriptions(event.community):
        if patterns.matches(list(sub["event_types"]), event.event_name):
            body = body or event.model_dump_json()
            await uow.notifications.insert(
                event_id=source.event_id,
                event_type=source.event_type,
                community=source.community,
                recipient=str(sub["id"]),
                channel="webhook",
                body=body,
                now=uow.now(),
            )
