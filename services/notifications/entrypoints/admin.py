"""Admin: channel configuration (WeCom robot per building group, SMTP view) and the message templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.kernel.auth import Principal, require_roles
from services.notifications.adapters import queries
from services.notifications.domain.default_templates import DEFAULTS
from services.notifications.domain.errors import TemplateNotFound
from services.notifications.domain.templates import allowed_fields
from services.notifications.entrypoints.deps import NotificationsContext, get_notifications, get_uow
from services.notifications.service_layer import commands
from services.notifications.service_layer.unit_of_work import NotificationsUnitOfWork

router = APIRouter(tags=["admin: channels and templates"])
admin = require_roles("admin")


class RobotBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(max_length=500, description="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY")

    @field_validator("url")
    @classmethod
    def _robot_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.path.endswith("/cgi-bin/webhook/send"):
            raise ValueError("a WeCom robot URL ends in /cgi-bin/webhook/send?key=KEY")
        if not parse_qs(parts.query).get("key"):
            raise ValueError("the robot URL lacks its key parameter")
        return value


class Robot(BaseModel):
    building_group: int
    url: str
    updated_at: datetime


class EmailChannel(BaseModel):
    enabled: bool
    host: str
    port: int
    sender: str
    tls: bool
    starttls: bool
    authenticated: bool


@router.get("/channels/wecom", summary="The WeCom group robot of each building group")
async def list_robots(
    principal: Principal = Depends(admin), uow: NotificationsUnitOfWork = Depends(get_uow)
) -> list[Robot]:
    async with uow.read() as conn:
        return [Robot(**r) for r in await queries.robots(conn, principal.community)]


@router.put("/channels/wecom/{building_group}", summary="Set a building group's robot URL")
async def put_robot(
    body: RobotBody,
    building_group: int = Path(ge=1, le=6),
    principal: Principal = Depends(admin),
    uow: NotificationsUnitOfWork = Depends(get_uow),
) -> Robot:
    return Robot(**await commands.put_robot(uow, principal, building_group, body.url))


@router.delete("/channels/wecom/{building_group}", status_code=204, summary="Remove a building group's robot")
async def delete_robot(
    building_group: int = Path(ge=1, le=6),
    principal: Principal = Depends(admin),
    uow: NotificationsUnitOfWork = Depends(get_uow),
) -> Response:
    await commands.delete_robot(uow, principal, building_group)
    return Response(status_code=204)


@router.get("/channels/email", summary="The SMTP configuration (from settings; the password is never shown)")
async def email_channel(
    _: Principal = Depends(admin), ctx: NotificationsContext = Depends(get_notifications)
) -> EmailChannel:
    config = ctx.settings
    return EmailChannel(
        enabled=bool(config.notifications_smtp_host),
        host=config.notifications_smtp_host,
        port=config.notifications_smtp_port,
        sender=config.notifications_smtp_from,
        tls=config.notifications_smtp_tls,
        starttls=config.notifications_smtp_starttls,
        authenticated=config.notifications_smtp_username is not None,
    )


Language = Literal["zh-CN", "en"]


class TemplateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=4000)


class Template(TemplateBody):
    key: str
    language: Language
    placeholders: list[str]
    own: bool = Field(description="The community's own version; false: the stack's text, which every community shares")
    updated_by: str | None
    updated_at: datetime


_TEMPLATE_FIELDS = ("key", "language", "subject", "body", "own", "updated_by", "updated_at")


def _template(row: dict[str, Any]) -> Template:
    return Template(**{f: row[f] for f in _TEMPLATE_FIELDS}, placeholders=sorted(allowed_fields(row["key"])))


@router.get("/templates", summary="Every message template in use in the admin's community")
async def list_templates(
    principal: Principal = Depends(admin), uow: NotificationsUnitOfWork = Depends(get_uow)
) -> list[Template]:
    async with uow.read() as conn:
        return [_template(r) for r in await queries.templates(conn, principal.community)]


@router.get("/templates/{key}/{language}", summary="One template in use in the admin's community")
async def get_template(
    language: Language,
    key: str = Path(max_length=100),
    principal: Principal = Depends(admin),
    uow: NotificationsUnitOfWork = Depends(get_uow),
) -> Template:
    async with uow.read() as conn:
        row = await queries.template(conn, principal.community, key, language)
    if row is None:
        raise TemplateNotFound(key, sorted(DEFAULTS), language)
    return _template(row)


@router.put(
    "/templates/{key}/{language}",
    summary="Edit a template for the admin's community; its placeholders are checked before it is saved",
)
async def put_template(
    body: TemplateBody,
    language: Language,
    key: str = Path(max_length=100),
    principal: Principal = Depends(admin),
    uow: NotificationsUnitOfWork = Depends(get_uow),
) -> Template:
    return _template(await commands.save_template(uow, key, language, body.subject, body.body, principal))


@router.delete(
    "/templates/{key}/{language}",
    status_code=204,
    summary="Drop the community's own version of a template: the stack's text is used again",
)
async def reset_template(
    language: Language,
    key: str = Path(max_length=100),
    principal: Principal = Depends(admin),
    uow: NotificationsUnitOfWork = Depends(get_uow),
) -> None:
    await commands.reset_template(uow, key, language, principal)
