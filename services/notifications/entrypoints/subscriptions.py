"""Outbound webhook subscriptions of other systems: create, list, rotate the secret, delivery log, redeliver."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from contracts.envelope import COMMUNITY_PATTERN
from services.kernel.app import ServiceContext, get_ctx
from services.kernel.auth import Principal, require_roles
from services.kernel.clock import Clock
from services.kernel.pagination import Page, decode_cursor, encode_cursor
from services.kernel.problems import BadRequest, Conflict, Forbidden, NotFound
from services.notifications.domain import patterns, signing
from services.notifications.entrypoints.deps import clock, settings
from services.notifications.settings import NotificationSettings

router = APIRouter(prefix="/subscriptions", tags=["webhook subscriptions"])
managers = require_roles("admin", "system", "district")


class SubscriptionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://[^\s]+$")
    event_types: list[str] = Field(min_length=1, max_length=50, description='"*", "issue.*" or "points.awarded"')
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


_SUB_COLUMNS = "id, community, url, event_types, description, active, created_by, created_at, previous_secret_expires"
_DELIVERY_COLUMNS = "id, event_id, event_type, status, attempts, next_attempt_at, last_error, created_at, delivered_at"


async def _subscription(ctx: ServiceContext, principal: Principal, subscription_id: uuid.UUID) -> dict[str, Any]:
    row = await ctx.pool.fetchrow(f"SELECT {_SUB_COLUMNS} FROM subscriptions WHERE id = $1", subscription_id)
    if row is None or not principal.can_read(row["community"]):
        raise NotFound(f"No subscription {subscription_id}.")
    return dict(row.items())


@router.post("", status_code=201, summary="Subscribe a URL to events (signed per Standard Webhooks)")
async def create_subscription(
    body: SubscriptionBody,
    response: Response,
    principal: Principal = Depends(managers),
    ctx: ServiceContext = Depends(get_ctx),
    now: Clock = Depends(clock),
) -> SubscriptionWithSecret:
    community = body.community or principal.community
    if not principal.can_read(community):
        raise Forbidden(f"Your token does not reach the community {community!r}.")
    secret = signing.new_secret()
    row = await ctx.pool.fetchrow(
        f"""INSERT INTO subscriptions (id, community, url, event_types, description, secret, created_by, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {_SUB_COLUMNS}""",
        uuid.uuid4(),
        community,
        body.url,
        body.event_types,
        body.description,
        secret,
        principal.sub,
        now.now(),
    )
    assert row is not None
    response.headers["Location"] = f"/subscriptions/{row['id']}"
    return SubscriptionWithSecret(**dict(row.items()), secret=secret)


@router.get("", summary="Webhook subscriptions of my community")
async def list_subscriptions(
    principal: Principal = Depends(managers), ctx: ServiceContext = Depends(get_ctx)
) -> list[SubscriptionView]:
    rows = await ctx.pool.fetch(
        f"SELECT {_SUB_COLUMNS} FROM subscriptions WHERE community = $1 ORDER BY created_at, id", principal.community
    )
    return [SubscriptionView(**dict(r.items())) for r in rows]


@router.get("/{subscription_id}", summary="One subscription")
async def get_subscription(
    subscription_id: uuid.UUID, principal: Principal = Depends(managers), ctx: ServiceContext = Depends(get_ctx)
) -> SubscriptionView:
    return SubscriptionView(**await _subscription(ctx, principal, subscription_id))


@router.delete("/{subscription_id}", status_code=204, summary="Stop a subscription (its log stays)")
async def delete_subscription(
    subscription_id: uuid.UUID, principal: Principal = Depends(managers), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    await _subscription(ctx, principal, subscription_id)
    await ctx.pool.execute("UPDATE subscriptions SET active = false WHERE id = $1", subscription_id)
    return Response(status_code=204)


@router.post("/{subscription_id}/rotate-secret", summary="New secret; the old one stays valid for a grace period")
async def rotate_secret(
    subscription_id: uuid.UUID,
    body: RotateBody,
    principal: Principal = Depends(managers),
    ctx: ServiceContext = Depends(get_ctx),
    now: Clock = Depends(clock),
    config: NotificationSettings = Depends(settings),
) -> SubscriptionWithSecret:
    await _subscription(ctx, principal, subscription_id)
    grace = body.grace_seconds if body.grace_seconds is not None else config.notifications_secret_grace
    secret = signing.new_secret()
    row = await ctx.pool.fetchrow(
        f"""UPDATE subscriptions SET previous_secret = secret, secret = $2, previous_secret_expires = $3
            WHERE id = $1 RETURNING {_SUB_COLUMNS}""",
        subscription_id,
        secret,
        now.now() + timedelta(seconds=grace),
    )
    assert row is not None
    return SubscriptionWithSecret(**dict(row.items()), secret=secret)


@router.get("/{subscription_id}/deliveries", summary="The delivery log, newest first")
async def list_deliveries(
    subscription_id: uuid.UUID,
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(managers),
    ctx: ServiceContext = Depends(get_ctx),
) -> Page[Delivery]:
    await _subscription(ctx, principal, subscription_id)
    after = decode_cursor(cursor, 2)
    args: list[Any] = [str(subscription_id), limit + 1]
    where = ""
    if after is not None:
        try:
            args += [datetime.fromisoformat(str(after[0])), uuid.UUID(str(after[1]))]
        except ValueError as exc:
            raise BadRequest("The cursor is not one this API gave out.", parameter="cursor") from exc
        where = "AND (created_at, id) < ($3, $4)"
    rows = await ctx.pool.fetch(
        f"""SELECT {_DELIVERY_COLUMNS} FROM notifications WHERE recipient = $1 AND channel = 'webhook' {where}
            ORDER BY created_at DESC, id DESC LIMIT $2""",
        *args,
    )
    items = [Delivery(**dict(r.items())) for r in rows[:limit]]
    next_cursor = encode_cursor(items[-1].created_at.isoformat(), str(items[-1].id)) if len(rows) > limit else None
    return Page[Delivery](items=items, next_cursor=next_cursor)


async def _delivery(ctx: ServiceContext, subscription_id: uuid.UUID, delivery_id: uuid.UUID) -> DeliveryDetail:
    row = await ctx.pool.fetchrow(
        f"SELECT {_DELIVERY_COLUMNS} FROM notifications WHERE id = $1 AND recipient = $2 AND channel = 'webhook'",
        delivery_id,
        str(subscription_id),
    )
    if row is None:
        raise NotFound(f"No delivery {delivery_id} of subscription {subscription_id}.")
    tries = await ctx.pool.fetch(
        """SELECT attempt, at, ok, status_code, error, duration_ms FROM delivery_attempts
           WHERE notification_id = $1 ORDER BY id""",
        delivery_id,
    )
    return DeliveryDetail(**dict(row.items()), tries=[Attempt(**dict(t.items())) for t in tries])


@router.get("/{subscription_id}/deliveries/{delivery_id}", summary="One delivery with every try")
async def get_delivery(
    subscription_id: uuid.UUID,
    delivery_id: uuid.UUID,
    principal: Principal = Depends(managers),
    ctx: ServiceContext = Depends(get_ctx),
) -> DeliveryDetail:
    await _subscription(ctx, principal, subscription_id)
    return await _delivery(ctx, subscription_id, delivery_id)


@router.post(
    "/{subscription_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    summary="Send a delivery again (a fresh 24 h retry window); same webhook-id, so receivers can de-duplicate",
)
async def redeliver(
    subscription_id: uuid.UUID,
    delivery_id: uuid.UUID,
    principal: Principal = Depends(managers),
    ctx: ServiceContext = Depends(get_ctx),
    now: Clock = Depends(clock),
) -> DeliveryDetail:
    await _subscription(ctx, principal, subscription_id)
    current = await _delivery(ctx, subscription_id, delivery_id)
    at = now.now()
    updated = await ctx.pool.execute(
        """UPDATE notifications SET status = 'pending', next_attempt_at = $2, retry_from = $2
           WHERE id = $1 AND status <> 'pending'""",
        delivery_id,
        at,
    )
    if updated.endswith(" 0"):
        raise Conflict("This delivery is still being tried.", current=current.status)
    return await _delivery(ctx, subscription_id, delivery_id)
