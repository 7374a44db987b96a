"""Admin: channel configuration (WeCom robot per building group, SMTP view) and the message templates."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.kernel.app import ServiceContext, get_ctx
from services.kernel.auth import Principal, require_roles
from services.kernel.problems import NotFound, UnprocessableContent
from services.notifications.adapters.repository import TemplateCache
from services.notifications.domain.default_templates import DEFAULTS
from services.notifications.domain.templates import InvalidTemplate, allowed_fields, validate
from services.notifications.entrypoints.deps import settings
from services.notifications.settings import NotificationSettings

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
async def list_robots(principal: Principal = Depends(admin), ctx: ServiceContext = Depends(get_ctx)) -> list[Robot]:
    rows = await ctx.pool.fetch(
        "SELECT building_group, url, updated_at FROM wecom_robots WHERE community = $1 ORDER BY building_group",
        principal.community,
    )
    return [Robot(**dict(r.items())) for r in rows]


@router.put("/channels/wecom/{building_group}", summary="Set a building group's robot URL")
async def put_robot(
    body: RobotBody,
    building_group: int = Path(ge=1, le=6),
    principal: Principal = Depends(admin),
    ctx: ServiceContext = Depends(get_ctx),
) -> Robot:
    row = await ctx.pool.fetchrow(
        """INSERT INTO wecom_robots (community, building_group, url) VALUES ($1, $2, $3)
           ON CONFLICT (community, building_group) DO UPDATE SET url = EXCLUDED.url,
               updated_at = CASE WHEN wecom_robots.url = EXCLUDED.url THEN wecom_robots.updated_at ELSE now() END
           RETURNING building_group, url, updated_at""",
        principal.community,
        building_group,
        body.url,
    )
    assert row is not None
    return Robot(**dict(row.items()))


@router.delete("/channels/wecom/{building_group}", status_code=204, summary="Remove a building group's robot")
async def delete_robot(
    building_group: int = Path(ge=1, le=6),
    principal: Principal = Depends(admin),
    ctx: ServiceContext = Depends(get_ctx),
) -> Response:
    await ctx.pool.execute(
        "DELETE FROM wecom_robots WHERE community = $1 AND building_group = $2", principal.community, building_group
    )
    return Response(status_code=204)


@router.get("/channels/email", summary="The SMTP configuration (from settings; the password is never shown)")
async def email_channel(
    _: Principal = Depends(admin), config: NotificationSettings = Depends(settings)
) -> EmailChannel:
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
    updated_by: str | None
    updated_at: datetime


def _template(row: object) -> Template:
    values = dict(row.items())  # type: ignore[attr-defined]
    return Template(**values, placeholders=sorted(allowed_fields(values["key"])))


@router.get("/templates", summary="Every message template")
async def list_templates(_: Principal = Depends(admin), ctx: ServiceContext = Depends(get_ctx)) -> list[Template]:
    rows = await ctx.pool.fetch("SELECT * FROM templates ORDER BY key, language")
    return [_template(r) for r in rows]


@router.get("/templates/{key}/{language}", summary="One template")
async def get_template(
    language: Language,
    key: str = Path(max_length=100),
    _: Principal = Depends(admin),
    ctx: ServiceContext = Depends(get_ctx),
) -> Template:
    row = await ctx.pool.fetchrow("SELECT * FROM templates WHERE key = $1 AND language = $2", key, language)
    if row is None:
        raise NotFound(f"No template {key} in {language}.", known_keys=sorted(DEFAULTS))
    return _template(row)


@router.put("/templates/{key}/{language}", summary="Edit a template; its placeholders are checked before it is saved")
async def put_template(
    body: TemplateBody,
    language: Language,
    key: str = Path(max_length=100),
    principal: Principal = Depends(admin),
    ctx: ServiceContext = Depends(get_ctx),
) -> Template:
    if key not in DEFAULTS:
        raise NotFound(f"No template {key}.", known_keys=sorted(DEFAULTS))
    try:
        validate(key, body.subject, body.body)
    except InvalidTemplate as exc:
        raise UnprocessableContent(str(exc), allowed_placeholders=sorted(allowed_fields(key))) from exc
    row = await ctx.pool.fetchrow(
        """INSERT INTO templates (key, language, subject, body, updated_by) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (key, language) DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body,
               updated_by = EXCLUDED.updated_by, updated_at = now()
           RETURNING *""",
        key,
        language,
        body.subject,
        body.body,
        principal.sub,
    )
    templates: TemplateCache = ctx.extras["templates"]
    templates.forget()
    return _template(row)
