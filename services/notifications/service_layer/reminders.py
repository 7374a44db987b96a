"""Timed reminders: stored rows (they survive restarts), fired by the background loop.

Several instances may fire at once: each claims due rows with FOR UPDATE SKIP LOCKED and
marks them fired in the same transaction that queues the messages.
"""

from __future__ import annotations

from services.notifications.domain import routing
from services.notifications.domain.templates import reminder_context
from services.notifications.service_layer.messages import Source, to_person
from services.notifications.service_layer.unit_of_work import NotificationsUnitOfWork


async def apply(
    uow: NotificationsUnitOfWork, community: str, change: routing.ScheduleReminders | routing.CancelReminders
) -> None:
    """Schedule or cancel reminders; correct whatever order the events of different types arrive in."""
    async with uow:
        if isinstance(change, routing.CancelReminders):
            await _cancel(uow, community, change)
            return
        if await uow.reminders.ref_cancelled(change.kind, change.ref_id):
            return  # the session or shift was cancelled before we heard it was scheduled
        now = uow.now()
        rows = []
        for recipient in change.recipients:
            for label, before in change.offsets:
                fire_at = change.starts_at - before
                if fire_at <= now:
                    continue  # too late for this reminder: the event itself was the notice
                rid = routing.reminder_id(change.kind, change.ref_id, recipient, label)
                rows.append(
                    (
                        rid,
                        community,
                        change.kind,
                        change.ref_id,
                        recipient,
                        label,
                        fire_at,
                        change.data,
                        change.signup_id,
                    )
                )
        await uow.reminders.schedule(rows)


async def _cancel(uow: NotificationsUnitOfWork, community: str, change: routing.CancelReminders) -> None:
    if change.signup_id is None:
        await uow.reminders.cancel_ref(change.kind, change.ref_id)
        return
    cancelled = await uow.reminders.cancel_signup(change.kind, change.ref_id, change.signup_id)
    if cancelled == 0 and change.recipient:
        # The sign-up is withdrawn before we heard of it: leave a tombstone it cannot revive.
        for label, _ in routing.SHIFT_OFFSETS:
            await uow.reminders.tombstone(
                routing.reminder_id(change.kind, change.ref_id, change.recipient, label),
                community,
                change.kind,
                change.ref_id,
                change.recipient,
                label,
                change.signup_id,
            )


async def fire_due(uow: NotificationsUnitOfWork, batch: int = 100) -> int:
    """Queue the messages of every reminder that is due; returns how many fired."""
    async with uow:
        zone = uow.zone
        due = await uow.reminders.claim_due(uow.now(), batch)
        for row in due:
            key = routing.reminder_template(row["kind"], row["offset_label"])
            data, label = row["data"], row["offset_label"]
            source = Source(row["id"], f"linli.reminder.{row['kind']}.{label}", row["community"])

            def context_for(language: str, data: dict[str, str] = data, label: str = label) -> dict[str, str]:
                return reminder_context(data, label, language, zone)

            await to_person(uow, source, row["recipient"], key, context_for, key in routing.URGENT)
            await uow.reminders.mark_fired(row["id"])
    return len(due)
