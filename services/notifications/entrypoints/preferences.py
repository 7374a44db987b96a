"""Per-person preferences: channels on/off, language, e-mail address, quiet hours."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field, field_validator

from contracts.enums import Role
from services.kernel.auth import Principal, current_principal, require_roles
from services.kernel.openapi import LocalTime
from services.notifications.adapters import queries
from services.notifications.domain.errors import PersonNotFound
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.quiet_hours import DEFAULT_END, DEFAULT_START
from services.notifications.entrypoints.deps import get_uow
from services.notifications.service_layer import commands
from services.notifications.service_layer.unit_of_work import NotificationsUnitOfWork

router = APIRouter(prefix="/preferences", tags=["preferences"])


class Channels(BaseModel):
    model_config = ConfigDict(extra="forbid")
    inbox: bool = True
    email: bool = True


class QuietHoursBody(BaseModel):
    """`timezone` omitted: the community's (the kernel's LINLI_TIME_ZONE)."""

    model_config = ConfigDict(extra="forbid")
    start: LocalTime = DEFAULT_START
    end: LocalTime = DEFAULT_END
    timezone: str | None = Field(default=None, max_length=64)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
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

    def wanted(self) -> commands.WantedPreferences:
        quiet = self.quiet_hours
        return commands.WantedPreferences(
            language=self.language,
            email=self.email,
            inbox_enabled=self.channels.inbox,
            email_enabled=self.channels.email,
            quiet=(quiet.start, quiet.end) if quiet else None,
            quiet_zone=quiet.timezone if quiet else None,
        )


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


async def _read(uow: NotificationsUnitOfWork, person_id: str, community: str | None = None) -> PreferencesView:
    """A person's preferences, or the defaults (quiet hours in the community's zone); a person whose
    preferences belong to another community than `community` (an admin's) is not there (404, never 403)."""
    async with uow.read() as conn:
        if community is not None and await queries.community_of(conn, person_id) not in (None, community):
            raise PersonNotFound(person_id)
        return _view(await queries.preferences(conn, person_id, uow.settings.time_zone))


@router.get("/me", summary="My notification preferences (defaults if I never set any)")
async def my_preferences(
    principal: Principal = Depends(current_principal), uow: NotificationsUnitOfWork = Depends(get_uow)
) -> PreferencesView:
    return await _read(uow, principal.sub)


@router.put("/me", summary="Replace my notification preferences")
async def put_my_preferences(
    body: PreferencesBody,
    principal: Principal = Depends(current_principal),
    uow: NotificationsUnitOfWork = Depends(get_uow),
) -> PreferencesView:
    saved = await commands.save_preferences(
        uow, principal.sub, principal.community, body.wanted(), display_name=principal.name
    )
    return _view(saved)


@router.get("/{person_id}", summary="A person's preferences (admin)")
async def person_preferences(
    person_id: str = Path(max_length=100),
    principal: Principal = Depends(require_roles(Role.ADMIN)),
    uow: NotificationsUnitOfWork = Depends(get_uow),
) -> PreferencesView:
    return await _read(uow, person_id, principal.community)


@router.put("/{person_id}", summary="Replace a person's preferences (admin)")
async def put_person_preferences(
    body: PreferencesBody,
    person_id: str = Path(max_length=100),
    principal: Principal = Depends(require_roles(Role.ADMIN)),
    uow: NotificationsUnitOfWork = Depends(get_uow),
) -> PreferencesView:
    return _view(await commands.save_preferences(uow, person_id, principal.community, body.wanted(), by=principal))
