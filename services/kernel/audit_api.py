"""GET /audit: one router for every service's audit log (mounted by the kernel's create_app)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query, Request

from contracts.enums import Role
from services.kernel.audit import AuditEntry, entries
from services.kernel.auth import require_roles
from services.kernel.identity import Principal
from services.kernel.pagination import Page, decode_keyset, keyset_page


def audit_router() -> APIRouter:
    """GET /audit: the caller's community's audit log, for admins (403 for anyone else)."""
    router = APIRouter(tags=["audit"])

    @router.get(
        "/audit",
        response_model=Page[AuditEntry],
        summary="The audit log of privileged actions in my community, newest first (admin)",
    )
    async def read_audit_log(
        request: Request,
        action: str | None = Query(default=None, max_length=100, description="Only this action"),
        actor: str | None = Query(default=None, max_length=200, description="Only this actor's sub"),
        since: datetime | None = Query(default=None, description="Only entries at or after this time"),
        cursor: str | None = Query(default=None, max_length=200),
        limit: int = Query(default=50, ge=1, le=200),
        principal: Principal = Depends(require_roles(Role.ADMIN)),
    ) -> Page[AuditEntry]:
        keyset = decode_keyset(cursor, int)
        async with request.app.state.ctx.uow().read() as conn:
            rows = await entries(
                conn,
                principal.community,
                action=action,
                actor=actor,
                since=since,
                before=keyset[0] if keyset else None,
                limit=limit,
            )
        items, next_cursor = keyset_page(rows, limit, "seq")
        return Page[AuditEntry](items=[AuditEntry(**r) for r in items], next_cursor=next_cursor)

    return router
