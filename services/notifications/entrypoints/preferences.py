"""Per-person preferences: channels on/off, language, e-mail address, quiet hours."""

from __future__ import annotations

from datetime import time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field, field_validator

from contracts.enums import Role
from services.kernel.app import ServiceContext, get_ctx
from services.kernel.auth import Principal, current_principal, require_roles
from services.notifications.adapters import repository as repo
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.quiet_hours import DEFAULT_END, DEFAULT_START, DEFAULT_TIMEZONE

router = APIRouter(prefix="/preferences", tags=["preferences"])


class Channels(BaseModel):
    model_config = ConfigDict(extra="forbid")
    inbox: bool = True
    email: bool = True


class QuietHoursBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: time = DEFAULT_START
    end: time = DEFAULT_END
    timezone: str = Field(default=DEFAULT_TIMEZONE, max_length=64)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class PreferencesBody(BaseModel):
    """Quiet hours null: none. Urgent messages (cancellations, the 2-hour session reminder) ignore them."""

    model_config = ConfigDict(extra="forbid")
    language: Literal["zh-CN", "en"] = "zh-CN"
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    channels: Channels = Channels()
    quiet_hours: QuietHoursBody | None = QuietHoursBody()


class PreferencesView(PreferencesBody):
    person_id: str


def _view(prefs: Preferences) -> PreferencesView:
    quiet = None
    if prefs.quiet is not None:
        quiet = QuietHoursBody(start=prefs.quiet.start, end=prefs.quiet.end, timezone=prefs.quiet.timezone)
    return PreferencesView(
        person_id=prefs.person_id,
        language=prefs.language,
        email=prefs.email,
        channels=Channels(inbox=prefs.inbox_enabled, email=prefs.email_enabled),
        quiet_hours=quiet,
    )


async def _save(
    ctx: ServiceContext, person_id: str, community: str, body: PreferencesBody, display_name: str | None = None
) -> PreferencesView:
    quiet = body.quiet_hours
    async with ctx.pool.acquire() as conn:
        await conn.execute(
            """
            INSERT INTO preferences (person_id, community, language, email, inbox_enabled, email_enabled,
                                     quiet_start, quiet_end, timezone, display_name, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
            ON CONFLICT (person_id) DO UPDATE SET
                display_name = coalesce(EXCLUDED.display_name, preferences.display_name),
                language = EXCLUDED.language, email = EXCLUDED.email, inbox_enabled = EXCLUDED.inbox_enabled,
                email_enabled = EXCLUDED.email_enabled, quiet_start = EXCLUDED.quiet_start,
                quiet_end = EXCLUDED.quiet_end, timezone = EXCLUDED.timezone, updated_at = now()
            """,
            person_id,
            community,
            body.language,
            body.email,
            body.channels.inbox,
            body.channels.email,
            quiet.start if quiet else None,
            quiet.end if quiet else None,
            quiet.timezone if quiet else DEFAULT_TIMEZONE,
            display_name,
        )
        return _view(await repo.preferences(conn, person_id))


@router.get("/me", summary="My notification preferences (defaults if I never set any)")
async def my_preferences(
    principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> PreferencesView:
    async with ctx.pool.acquire() as conn:
        return _view(await repo.preferences(conn, principal.sub))


@router.put("/me", summary="Replace my notification preferences")
async def put_my_preferences(
    body: PreferencesBody, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> PreferencesView:
    return await _save(ctx, principal.sub, principal.community, body, principal.name)


@router.get("/{person_id}", summary="A person's preferences (admin)")
async def person_preferences(
    person_id: str = Path(max_length=100),
    _: Principal = Depends(require_roles(Role.ADMIN)),
    ctx: ServiceContext = Depends(get_ctx),
) -> PreferencesView:
    async with ctx.pool.acquire() as conn:
        return _view(await repo.preferences(conn, person_id))


@router.put("/{person_id}", summary="Replace a person's preferences (admin)")
async def put_person_preferences(
    body: PreferencesBody,
    person_id: str = Path(max_length=100),
    principal: Principal = Depends(require_roles(Role.ADMIN)),
    ctx: ServiceContext = Depends(get_ctx),
) -> PreferencesView:
    return await _save(ctx, person_id, principal.community, body)
