"""The in-app inbox: list (unread first), unread count, mark read, and a live SSE stream."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import orjson
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from sse_starlette import EventSourceResponse

from services.kernel.auth import Principal, TokenVerifier, current_principal
from services.kernel.pagination import Page, decode_keyset, keyset_page
from services.kernel.problems import Unauthorized
from services.notifications.adapters import queries
from services.notifications.entrypoints.deps import NotificationsContext, get_notifications, get_uow
from services.notifications.service_layer import commands
from services.notifications.service_layer.unit_of_work import NotificationsUnitOfWork

router = APIRouter(prefix="/inbox", tags=["inbox"])


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


@router.get("", summary="My inbox, unread first, newest first (keyset pagination)")
async def list_inbox(
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=20, ge=1, le=100),
    principal: Principal = Depends(current_principal),
    uow: NotificationsUnitOfWork = Depends(get_uow),
) -> Page[InboxItem]:
    after = decode_keyset(cursor, bool, datetime, uuid.UUID)
    async with uow.read() as conn:
        rows = await queries.inbox(
            conn,
            principal.sub,
            principal.community,
            after,
            limit,
            building_group=principal.building_group,
            now=uow.now(),
        )
    items, next_cursor = keyset_page(rows, limit, "unread", "created_at", "id")
    return Page[InboxItem](items=[InboxItem(**r) for r in items], next_cursor=next_cursor)


@router.get("/unread-count", summary="How many inbox items I have not read")
async def unread_count(
    principal: Principal = Depends(current_principal), uow: NotificationsUnitOfWork = Depends(get_uow)
) -> UnreadCount:
    async with uow.read() as conn:
        unread = await queries.unread_count(
            conn, principal.sub, principal.community, building_group=principal.building_group, now=uow.now()
        )
        return UnreadCount(unread=unread)


@router.post("/{item_id}/read", summary="Mark one inbox item read")
async def mark_read(
    item_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: NotificationsUnitOfWork = Depends(get_uow),
) -> InboxItem:
    return InboxItem(**await commands.mark_read(uow, principal, item_id))


@router.post("/read-all", summary="Mark every inbox item read")
async def mark_all_read(
    principal: Principal = Depends(current_principal), uow: NotificationsUnitOfWork = Depends(get_uow)
) -> UnreadCount:
    await commands.mark_all_read(uow, principal)
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
    principal: Principal = Depends(stream_principal), ctx: NotificationsContext = Depends(get_notifications)
) -> EventSourceResponse:
    hub = ctx.components.hub

    async def events() -> AsyncIterator[dict[str, str]]:
        queue = hub.subscribe(principal.sub)
        try:
            await hub.listen_for_streams(ctx.pool)  # before 'ready': what commits after it is announced
            async with ctx.uow().read() as conn:
                unread = await queries.unread_count(
                    conn, principal.sub, principal.community, building_group=principal.building_group
                )
            yield {"event": "ready", "data": orjson.dumps({"unread": unread}).decode()}
            while True:
                notification_id = await queue.get()
                async with ctx.uow().read() as conn:
                    row = await queries.inbox_item(conn, uuid.UUID(notification_id), principal.sub, principal.community)
                if row is not None:
                    yield {"event": "notification", "id": notification_id, "data": InboxItem(**row).model_dump_json()}
        finally:
            hub.unsubscribe(principal.sub, queue)

    return EventSourceResponse(events(), ping=15)
