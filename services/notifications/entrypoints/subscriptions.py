"""Outbound webhook subscriptions of other systems: create, list, rotate the secret, delivery log, redeliver."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from contracts.envelope import COMMUNITY_PATTERN
from services.kernel.auth import Principal, require_roles
from services.kernel.pagination import Page, decode_keyset, keyset_page
from services.notifications.adapters import queries
from services.notifications.domain import patterns
from services.notifications.domain.errors import DeliveryNotFound, SubscriptionNotFound
from services.notifications.entrypoints.deps import get_uow
from services.notifications.service_layer import commands
from services.notifications.service_layer.unit_of_work import NotificationsUnitOfWork

router = APIRouter(prefix="/subscriptions", tags=["webhook subscriptions"])
managers = require_roles("admin", "system", "district")


class SubscriptionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://[^\s]+$")
    event_types: list[str] = Field(
        min_length=1,
        max_length=50,
        description='"*", "issue.*" or "points.awarded"',
        json_schema_extra={"items": {"type": "string", "enum": list(patterns.PATTERNS)}},
    )
    community: str | None = Field(default=None, pattern=COMMUNITY_PATTERN)
    description: str | None = Field(default=None, max_length=500)

    @field_validator("event_types")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if len(pattern) > 100:
                raise ValueError("an event type pattern is at most 100 characters")
            patterns.validate(pattern)
        return sorted(set(value))


class SubscriptionView(BaseModel):
    id: uuid.UUID
    community: str
    url: str
    event_types: list[str]
    description: str | None
    active: bool
    created_by: str
    created_at: datetime
    previous_secret_expires: datetime | None


class SubscriptionWithSecret(SubscriptionView):
    secret: str = Field(description="whsec_...: shown only now; verify deliveries with it.")


class RotateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grace_seconds: int | None = Field(
        default=None, ge=0, le=30 * 86400, description="How long the old secret stays valid."
    )


class Attempt(BaseModel):
    attempt: int
    at: datetime
    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: int | None


class Delivery(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


class DeliveryDetail(Delivery):
    tries: list[Attempt]


async def _readable(uow: NotificationsUnitOfWork, principal: Principal, subscription_id: uuid.UUID) -> dict[str, Any]:
    """The subscription, if the caller's token reaches its community and it was not stopped (deleted).

    Another community's is not there, and neither is a stopped one: its rows and delivery log stay in the
    database (and the stop in the audit log), but the API answers 404 for it as for any deleted resource."""
    async with uow.read() as conn:
        row = await queries.subscription(conn, subscription_id)
    if row is None or not row["active"] or not principal.can_read(row["community"]):
        raise SubscriptionNotFound(subscription_id)
    return row


async def _delivery(uow: NotificationsUnitOfWork, subscription_id: uuid.UUID, delivery_id: uuid.UUID) -> DeliveryDetail:
    async with uow.read() as conn:
        row = await queries.delivery(conn, subscription_id, delivery_id)
    if row is None:
        raise DeliveryNotFound(subscription_id, delivery_id)
    return DeliveryDetail(**row)


@router.post("", status_code=201, summary="Subscribe a URL to events (signed per Standard Webhooks)")
async def create_subscription(
    body: SubscriptionBody,
    response: Response,
    principal: Principal = Depends(managers),
    uow: NotificationsUnitOfWork = Depends(get_uow),
) -> SubscriptionWithSecret:
    row, secret = await commands.subscribe(
        uow,
        principal,
        url=body.url,
        event_types=body.event_types,
        community=body.community,
        description=body.description,
    )
    response.headers["Location"] = f"/subscriptions/{row['id']}"
    return SubscriptionWithSecret(**row, secret=secret)


@router.get("", summary="Webhook subscriptions of my community (not the stopped ones)")
async def list_subscriptions(
    principal: Principal = Depends(managers), uow: NotificationsUnitOfWork = Depends(get_uow)
) -> list[SubscriptionView]:
    async with uow.read() as conn:
        rows = await queries.subscriptions(conn, principal.community)
    return [SubscriptionView(**r) for r in rows]


@router.get("/{subscription_id}", summary="One subscription")
async def get_subscription(
    subscription_id: uuid.UUID,
    principal: Principal = Depends(managers),
    uow: NotificationsUnitOfWork = Depends(get_uow),
) -> SubscriptionView:
    return SubscriptionView(**await _readable(uow, principal, subscription_id))


@router.delete(
    "/{subscription_id}",
    status_code=204,
    summary="Stop a subscription: the API answers 404 for it from now on (its log stays for the audit)",
)
async def delete_subscription(
    subscription_id: uuid.UUID,
    principal: Principal = Depends(managers),
    uow: NotificationsUnitOfWork = Depends(get_uow),
) -> Response:
    await commands.unsubscribe(uow, principal, subscription_id)
    return Response(status_code=204)


@router.post("/{subscription_id}/rotate-secret", summary="New secret; the old one stays valid for a grace period")
async def rotate_secret(
    subscription_id: uuid.UUID,
    body: RotateBody,
    principal: Principal = Depends(managers),
    uow: NotificationsUnitOfWork = Depends(get_uow),
) -> SubscriptionWithSecret:
    row, secret = await commands.rotate_secret(uow, principal, subscription_id, body.grace_seconds)
    return SubscriptionWithSecret(**row, secret=secret)


@router.get("/{subscription_id}/deliveries", summary="The delivery log, newest first")
async def list_deliveries(
    subscription_id: uuid.UUID,
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(managers),
    uow: NotificationsUnitOfWork = Depends(get_uow),
) -> Page[Delivery]:
    await _readable(uow, principal, subscription_id)
    after = decode_keyset(cursor, datetime, uuid.UUID)
    async with uow.read() as conn:
        rows = await queries.deliveries(conn, subscription_id, after, limit)
    items, next_cursor = keyset_page(rows, limit, "created_at", "id")
    return Page[Delivery](items=[Delivery(**r) for r in items], next_cursor=next_cursor)


@router.get("/{subscription_id}/deliveries/{delivery_id}", summary="One delivery with every try")
async def get_delivery(
    subscription_id: uuid.UUID,
    delivery_id: uuid.UUID,
    principal: Principal = Depends(managers),
    uow: NotificationsUnitOfWork = Depends(get_uow),
) -> DeliveryDetail:
    await _readable(uow, principal, subscription_id)
    return await _delivery(uow, subscription_id, delivery_id)


@router.post(
    "/{subscription_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    summary="Send a delivery again (a fresh 24 h retry window); same webhook-id, so receivers can de-duplicate",
)
async def redeliver(
    subscription_id: uuid.UUID,
    delivery_id: uuid.UUID,
    principal: Principal = Depends(managers),
    uow: NotificationsUnitOfWork = Depends(get_uow),
) -> DeliveryDetail:
    await commands.redeliver(uow, principal, subscription_id, delivery_id)
    return await _delivery(uow, subscription_id, delivery_id)
