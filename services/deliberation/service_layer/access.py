"""Who may do what in a council: admins, the council's officers, its members."""

from __future__ import annotations

import uuid

import asyncpg

from contracts.enums import Role
from services.deliberation.adapters import councils as council_db
from services.deliberation.adapters import sessions as session_db
from services.deliberation.domain.errors import NotFoundError, RefusedError
from services.kernel.auth import Principal
from services.kernel.db import Connection

OFFICERS = frozenset({"chair", "vice_chair", "secretary"})


async def council_for(conn: Connection, council_id: uuid.UUID, principal: Principal) -> asyncpg.Record:
    council = await council_db.get_council(conn, council_id)
    if council is None or not principal.can_read(council["community"]):
        raise NotFoundError("No such council. 没有这个议事会。", council_id=str(council_id))
    return council


async def session_for(
    conn: Connection, session_id: uuid.UUID, principal: Principal, *, lock: bool = False
) -> asyncpg.Record:
    session = await session_db.get_session(conn, session_id, lock=lock)
    if session is None or not principal.can_read(session["community"]):
        raise NotFoundError("No such session. 没有这个会议。", session_id=str(session_id))
    return session


def require_own_community(community: str, principal: Principal) -> None:
    if community != principal.community:
        raise RefusedError("Only people of this community may change its councils.", reason="other_community")


async def require_officer(conn: Connection, council: asyncpg.Record, principal: Principal) -> None:
    """The council's chair, vice chair or secretary, or an admin of the community."""
    require_own_community(council["community"], principal)
    if principal.has(Role.ADMIN):
        return
    row = await conn.fetchrow(
        "SELECT position FROM members WHERE council_id = $1 AND person_id = $2", council["id"], principal.sub
    )
    if row is None or row["position"] not in OFFICERS:
        raise RefusedError(
            "Only the council's chair, vice chair or secretary (or an admin) may do this. 仅议事会负责人可以操作。",
            reason="not_an_officer",
        )


async def require_member(conn: Connection, council: asyncpg.Record, principal: Principal) -> None:
    """Any member or observer of the council, or an admin or committee member of the community."""
    require_own_community(council["community"], principal)
    if principal.has(Role.ADMIN, Role.COMMITTEE):
        return
    if await council_db.membership(conn, council["id"], principal.sub) is None:
        raise RefusedError("Only members of the council may do this. 仅议事会成员可以操作。", reason="not_a_member")
