"""Small helpers shared by the routers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import Request

from services.intake.adapters.categories import CategoryCache
from services.intake.service_layer.ratelimit import SubmissionLimits
from services.intake.settings import IntakeSettings
from services.kernel.app import ServiceContext
from services.kernel.pagination import decode_cursor, encode_cursor
from services.kernel.problems import BadRequest


def settings_of(ctx: ServiceContext) -> IntakeSettings:
    settings = ctx.settings
    assert isinstance(settings, IntakeSettings)
    return settings


def limits_of(ctx: ServiceContext) -> SubmissionLimits:
    limits: SubmissionLimits = ctx.extras["limits"]
    return limits


def categories_of(ctx: ServiceContext) -> CategoryCache:
    cache: CategoryCache = ctx.extras["categories"]
    return cache


def client_address(request: Request, ctx: ServiceContext) -> str | None:
    if settings_of(ctx).intake_trust_forwarded_for and (forwarded := request.headers.get("x-forwarded-for")):
        return forwarded.split(",")[0].strip()
    return request.client.host if request.client else None


def time_id_cursor(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    values = decode_cursor(cursor, 2)
    if values is None:
        return None
    try:
        return datetime.fromisoformat(values[0]), uuid.UUID(values[1])
    except (TypeError, ValueError) as exc:
        raise BadRequest("The cursor is not one this API gave out.", parameter="cursor") from exc


def page(rows: list[dict[str, Any]], limit: int, *keys: str) -> tuple[list[dict[str, Any]], str | None]:
    """Cut the extra row fetched to learn whether there is a next page; the cursor is its sort key."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor(*(last[k].isoformat() if isinstance(last[k], datetime) else last[k] for k in keys))
