"""The in-app inbox: list (unread first), unread count, mark read, and a live SSE stream."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from sse_starlette import EventSourceResponse

from services.kernel.app import ServiceContext, get_ctx
from services.kernel.auth import Principal, TokenVerifier, current_principal
from services.kernel.clock import Clock
from services.kernel.pagination import Page, decode_cursor, encode_cursor
from services.kernel.problems import BadRequest, NotFound, Unauthorized
from services.notifications.adapters.hub import InboxHub
from services.notifications.entrypoints.deps import clock

router = APIRouter(prefix="/inbox", tags=["inbox"])

_COLUMNS = "id, event_id, event_type, subject, body, urgent, created_at, read_at"


class InboxItem(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    subject: str
    body: str
    urgent: bool
    created_at: datetime
    read_at: datetime | None
    unread: bool


class UnreadCount(BaseModel):
    unread: int


def _item(row: Any) -> InboxItem:
    return InboxItem(**dict(row.items()), unread=row["read_at"] is None)


@router.get("", summary="My inbox, unread first, newest first (keyset pagination)")
async def list_inbox(
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=20, ge=1, le=100),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> Page[InboxItem]:
    after = decode_cursor(cursor, 3)
    args: list[Any] = [principal.sub, principal.community, limit + 1]
    where = ""
    if after is not None:
        try:
            args += [bool(after[0]), datetime.fromisoformat(str(after[1])), uuid.UUID(str(after[2]))]
        except ValueError as exc:
            raise BadRequest("The cursor is not one this API gave out.", parameter="cursor") from exc
        where = "AND ((read_at IS NULL), created_at, id) < ($4, $5, $6)"
    rows = await ctx.pool.fetch(
        f"""SELECT {_COLUMNS} FROM notifications
            WHERE recipient = $1 AND community = $2 AND channel = 'inbox' {where}
            ORDER BY (read_at IS NULL) DESC, created_at DESC, id DESC LIMIT $3""",
        *args,
    )
    items = [_item(r) for r in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor(last.unread, last.created_at.isoformat(), str(last.id))
    return Page[InboxItem](items=items, next_cursor=next_cursor)


@router.get("/unread-count", summary="How many inbox items I have not read")
async def unread_count(
    principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> UnreadCount:
    count = await ctx.pool.fetchval(
        """SELECT count(*) FROM notifications
           WHERE recipient = $1 AND community = $2 AND channel = 'inbox' AND read_at IS NULL""",
        principal.sub,
        principal.community,
    )
    return UnreadCount(unread=count)


@router.post("/{item_id}/read", summary="Mark one inbox item read")
async def mark_read(
    item_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
    now: Clock = Depends(clock),
) -> InboxItem:
    row = await ctx.pool.fetchrow(
        f"""UPDATE notifications SET read_at = coalesce(read_at, $4)
            WHERE id = $1 AND recipient = $2 AND community = $3 AND channel = 'inbox'
            RETURNING {_COLUMNS}""",
        item_id,
        principal.sub,
        principal.community,
        now.now(),
    )
    if row is None:
        raise NotFound(f"No inbox item {item_id} of yours.")
    return _item(row)


@router.post("/read-all", summary="Mark every inbox item read")
async def mark_all_read(
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
    now: Clock = Depends(clock),
) -> UnreadCount:
    await ctx.pool.execute(
        """UPDATE notifications SET read_at = $3
           WHERE recipient = $1 AND community = $2 AND channel = 'inbox' AND read_at IS NULL""",
        principal.sub,
        principal.community,
        now.now(),
    )
    return UnreadCount(unread=0)


async def stream_principal(
    request: Request, access_token: str | None = Query(default=None, max_length=8000)
) -> Principal:
    """Bearer header, or ?access_token= because a browser's EventSource cannot set headers."""
    if access_token:
        verifier: TokenVerifier = request.app.state.verifier
        return verifier.verify(access_token)
    if request.headers.get("authorization"):
        return await current_principal(request)
    raise Unauthorized("A bearer token (header or access_token parameter) is required.")


@router.get(
    "/stream",
    summary="Server-Sent Events: 'ready' with the unread count, then one 'notification' per new inbox item",
    response_class=EventSourceResponse,
)
async def stream(
    principal: Principal = Depends(stream_principal), ctx: ServiceContext = Depends(get_ctx)
) -> EventSourceResponse:
    hub: InboxHub = ctx.extras["hub"]
    pool = ctx.pool

    async def events() -> AsyncIterator[dict[str, str]]:
        queue = hub.subscribe(principal.sub)
        try:
            unread = await pool.fetchval(
                "SELECT count(*) FROM notifications WHERE recipient = $1 AND channel = 'inbox' AND read_at IS NULL",
                principal.sub,
            )
            yield {"event": "ready", "data": orjson.dumps({"unread": unread}).decode()}
            while True:
                notification_id = await queue.get()
                row = await pool.fetchrow(
                    f"""SELECT {_COLUMNS} FROM notifications
                        WHERE id = $1 AND recipient = $2 AND community = $3 AND channel = 'inbox'""",
                    uuid.UUID(notification_id),
                    principal.sub,
                    principal.community,
                )
                if row is not None:
                    yield {"event": "notification", "id": notification_id, "data": _item(row).model_dump_json()}
        finally:
            hub.unsubscribe(principal.sub, queue)

    return EventSourceResponse(events(), ping=15)
