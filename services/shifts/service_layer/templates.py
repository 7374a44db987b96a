"""Recurring templates: generating concrete shifts ahead, and editing without touching signed-up shifts."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta

from services.kernel.identity import Principal
from services.shifts.adapters.queries import Row
from services.shifts.adapters.repository import ShiftDetails, TemplateDetails
from services.shifts.domain.errors import InvalidShift, TemplateNotFound
from services.shifts.domain.recurrence import Recurrence, occurrences
from services.shifts.service_layer import events
from services.shifts.service_layer.access import post_of, require_leader
from services.shifts.service_layer.shifts import MIN_LENGTH, PARTY_ABOVE_CAPACITY, schedule
from services.shifts.service_layer.unit_of_work import ShiftsUnitOfWork

log = logging.getLogger("linli.shifts.templates")


def recurrence_of(template: Row) -> Recurrence:
    return Recurrence(
        weekdays=frozenset(template["weekdays"]),
        start_time=template["start_time"],
        end_time=template["end_time"],
        valid_from=template["valid_from"],
        valid_until=template["valid_until"],
    )


def validate(t: TemplateDetails) -> None:
    start = datetime.combine(date.min, t.start_time)
    end = datetime.combine(date.min if t.end_time > t.start_time else date.min + timedelta(days=1), t.end_time)
    if t.end_time == t.start_time or end - start < MIN_LENGTH:
        raise InvalidShift("A shift lasts at least 15 minutes.", "班次时长至少 15 分钟。")
    if t.valid_until is not None and t.valid_until < t.valid_from:
        raise InvalidShift("valid_until is before valid_from.", "有效期结束日期早于开始日期。")
    if t.min_party_members > t.capacity:
        raise InvalidShift(*PARTY_ABOVE_CAPACITY)


async def generate(uow: ShiftsUnitOfWork, *, template_id: uuid.UUID, weeks: int) -> list[Row]:
    """Create the template's future shifts up to `weeks` ahead, each start at most once, ever
    (inside an open unit of work)."""
    template = await uow.repo.template_for_update(template_id)
    if template is None or not template["active"]:
        return []
    now = uow.now()
    today = uow.local_now().date()
    # A day that still has a shift of this template (kept because someone signed up, or cancelled
    # by a leader) is not generated again, even if the edited template moved its time.
    taken = await uow.repo.template_days(template_id, now - timedelta(days=1), uow.settings.time_zone)
    created: list[Row] = []
    for starts_at, ends_at in occurrences(recurrence_of(template), today, today + timedelta(weeks=weeks), uow.zone):
        if starts_at <= now or starts_at.date() in taken:
            continue
        new = ShiftDetails(
            community=template["community"],
            post_id=template["post_id"],
            title=template["title"],
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=template["capacity"],
            min_party_members=template["min_party_members"],
            location=template["location"],
            notes=template["notes"],
            template_id=template_id,
        )
        shift = await schedule(uow, new, post_type=template["post_type"], by=template["created_by"])
        if shift is not None:
            created.append(shift)
    return created


async def withdraw_untouched(uow: ShiftsUnitOfWork, *, template_id: uuid.UUID) -> int:
    """Remove the template's future shifts that nobody ever signed up for (so they can be regenerated
    from the edited template); shifts with any sign-up, even a cancelled one, stay as they are."""
    rows = await uow.repo.untouched_future_shifts(template_id, uow.now())
    for shift in rows:
        await uow.emit(
            events.cancelled(shift, "The recurring template was changed / 周期模板已修改", []),
            community=shift["community"],
            subject=shift["id"],
        )
    await uow.repo.delete_shifts([s["id"] for s in rows])
    return len(rows)


async def _template_of(uow: ShiftsUnitOfWork, community: str, template_id: uuid.UUID) -> Row:
    template = await uow.repo.template(community, template_id)
    if template is None:
        raise TemplateNotFound(template_id)
    return template


async def create_template(uow: ShiftsUnitOfWork, principal: Principal, post_type: str, t: TemplateDetails) -> Row:
    """A post leader creates a template; its shifts are generated at once."""
    validate(t)
    async with uow:
        post = await post_of(uow, principal.community, post_type)
        await require_leader(uow, principal, post["id"])
        template_id = uuid.uuid4()
        await uow.repo.add_template(template_id, principal.community, post["id"], t, principal.sub)
        await generate(uow, template_id=template_id, weeks=uow.settings.shifts_generate_weeks)
        await uow.audit("template.created", template_id, principal, {"post_type": post_type, **vars(t)})
        return await _template_of(uow, principal.community, template_id)


async def update_template(
    uow: ShiftsUnitOfWork, principal: Principal, template_id: uuid.UUID, post_type: str, t: TemplateDetails
) -> Row:
    """Edit a template: regenerates only its future shifts nobody signed up for."""
    validate(t)
    async with uow:
        current = await _template_of(uow, principal.community, template_id)
        await require_leader(uow, principal, current["post_id"])
        post = await post_of(uow, principal.community, post_type)
        await require_leader(uow, principal, post["id"])
        await uow.repo.template_for_update(template_id)
        await uow.repo.update_template(template_id, post["id"], t)
        await withdraw_untouched(uow, template_id=template_id)
        await generate(uow, template_id=template_id, weeks=uow.settings.shifts_generate_weeks)
        await uow.audit("template.changed", template_id, principal, {"post_type": post_type, **vars(t)})
        return await _template_of(uow, principal.community, template_id)


async def generate_now(
    uow: ShiftsUnitOfWork, principal: Principal, template_id: uuid.UUID, weeks: int | None
) -> list[Row]:
    """A post leader generates the template's shifts now (idempotent)."""
    async with uow:
        template = await _template_of(uow, principal.community, template_id)
        await require_leader(uow, principal, template["post_id"])
        return await generate(uow, template_id=template_id, weeks=weeks or uow.settings.shifts_generate_weeks)


async def generate_all(new_uow: Callable[[], ShiftsUnitOfWork]) -> int:
    """One pass of the background generator over every active template, one unit of work each."""
    reader = new_uow()
    async with reader:
        ids = await reader.repo.active_template_ids()
    total = 0
    for template_id in ids:
        uow = new_uow()
        async with uow:
            total += len(await generate(uow, template_id=template_id, weeks=uow.settings.shifts_generate_weeks))
    if total:
        log.info("generated %d shifts from templates", total)
    return total
