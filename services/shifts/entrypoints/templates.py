"""Routes: recurring templates and on-demand generation."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query

from services.kernel.auth import Principal, current_principal
from services.kernel.pagination import Page, decode_keyset, encode_keyset
from services.shifts.adapters import queries
from services.shifts.adapters.repository import TemplateDetails
from services.shifts.domain.errors import TemplateNotFound
from services.shifts.entrypoints.deps import get_shifts_uow
from services.shifts.entrypoints.schemas import GenerateOut, TemplateIn, TemplateOut
from services.shifts.service_layer import templates
from services.shifts.service_layer.unit_of_work import ShiftsUnitOfWork

router = APIRouter(prefix="/templates", tags=["templates"])


def _details(body: TemplateIn) -> TemplateDetails:
    return TemplateDetails(
        title=body.title,
        weekdays=list(body.weekdays),
        start_time=body.start_time,
        end_time=body.end_time,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        location=body.location,
        capacity=body.capacity,
        min_party_members=body.min_party_members,
        notes=body.notes,
        active=body.active,
    )


@router.post("", status_code=201, summary="Create a recurring template (post leader); generates its shifts")
async def create_template(
    body: TemplateIn,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> TemplateOut:
    row = await templates.create_template(uow, principal, body.post, _details(body))
    return TemplateOut.of(row, uow.zone)


@router.get("", summary="Templates of the community")
async def list_templates(
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> Page[TemplateOut]:
    after = decode_keyset(cursor, str)
    async with uow.read() as conn:
        rows = await queries.templates(conn, principal.community, after=after[0] if after else None, limit=limit)
    next_cursor = encode_keyset(str(rows[limit - 1]["id"])) if len(rows) > limit else None
    return Page(items=[TemplateOut.of(r, uow.zone) for r in rows[:limit]], next_cursor=next_cursor)


@router.get("/{template_id}", summary="One template")
async def get_template(
    template_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> TemplateOut:
    async with uow.read() as conn:
        row = await queries.template(conn, principal.community, template_id)
    if row is None:
        raise TemplateNotFound(template_id)
    return TemplateOut.of(row, uow.zone)


@router.put("/{template_id}", summary="Edit a template: regenerates only future shifts nobody signed up for")
async def update_template(
    template_id: uuid.UUID,
    body: TemplateIn,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> TemplateOut:
    row = await templates.update_template(uow, principal, template_id, body.post, _details(body))
    return TemplateOut.of(row, uow.zone)


@router.post("/{template_id}/generate", summary="Generate the template's shifts now (idempotent)")
async def generate_now(
    template_id: uuid.UUID,
    weeks: int | None = Query(default=None, ge=1, le=52),
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> GenerateOut:
    created = await templates.generate_now(uow, principal, template_id, weeks)
    return GenerateOut(created=len(created))
