"""Who may do what in a council: admins, the council's officers, its members.

Another community's councils, sessions, items, motions and decisions are answered as if they did
not exist (404), unless the caller reads for the district; changing them is for the community's own."""

from __future__ import annotations

import uuid

from contracts.enums import Role
from services.deliberation.adapters.rows import Row
from services.deliberation.domain.errors import NotFoundError, RefusedError
from services.deliberation.service_layer.unit_of_work import DeliberationUnitOfWork
from services.kernel.identity import Principal

OFFICERS = frozenset({"chair", "vice_chair", "secretary"})


def _visible(row: Row | None, principal: Principal) -> bool:
    return row is not None and principal.can_read(row["community"])


def council_seen(council: Row | None, council_id: uuid.UUID, principal: Principal) -> Row:
    """The council if the caller may read it, else "no such council"."""
    if council is None or not _visible(council, principal):
        raise NotFoundError("No such council. 没有这个议事会。", council_id=str(council_id))
    return council


def session_seen(session: Row | None, session_id: uuid.UUID, principal: Principal) -> Row:
    if session is None or not _visible(session, principal):
        raise NotFoundError("No such session. 没有这个会议。", session_id=str(session_id))
    return session


def item_seen(item: Row | None, item_id: uuid.UUID, principal: Principal) -> Row:
    if item is None or not _visible(item, principal):
        raise NotFoundError("No such agenda item. 没有这个议题。", agenda_item_id=str(item_id))
    return item


def motion_seen(motion: Row | None, motion_id: uuid.UUID, principal: Principal) -> Row:
    if motion is None or not _visible(motion, principal):
        raise NotFoundError("No such motion. 没有这个动议。", motion_id=str(motion_id))
    return motion


def decision_seen(decision: Row | None, decision_id: uuid.UUID, principal: Principal) -> Row:
    if decision is None or not _visible(decision, principal):
        raise NotFoundError("No such decision.", decision_id=str(decision_id))
    return decision


async def council_for(uow: DeliberationUnitOfWork, council_id: uuid.UUID, principal: Principal) -> Row:
    return council_seen(await uow.repo.council(council_id), council_id, principal)


async def session_for(
    uow: DeliberationUnitOfWork, session_id: uuid.UUID, principal: Principal, *, lock: bool = False
) -> Row:
    return session_seen(await uow.repo.session(session_id, lock=lock), session_id, principal)


async def item_for(uow: DeliberationUnitOfWork, item_id: uuid.UUID, principal: Principal, *, lock: bool = False) -> Row:
    return item_seen(await uow.repo.item(item_id, lock=lock), item_id, principal)


async def motion_for(uow: DeliberationUnitOfWork, motion_id: uuid.UUID, principal: Principal, *, lock: str = "") -> Row:
    return motion_seen(await uow.repo.motion(motion_id, lock=lock), motion_id, principal)


def require_own_community(community: str, principal: Principal) -> None:
    if community != principal.community:
        raise RefusedError("Only people of this community may change its councils.", reason="other_community")


async def require_officer(uow: DeliberationUnitOfWork, council: Row, principal: Principal) -> None:
    """The council's chair, vice chair or secretary, or an admin of the community."""
    require_own_community(council["community"], principal)
    if principal.has(Role.ADMIN):
        return
    if await uow.repo.position(council["id"], principal.sub) not in OFFICERS:
        raise RefusedError(
            "Only the council's chair, vice chair or secretary (or an admin) may do this. 仅议事会负责人可以操作。",
            reason="not_an_officer",
        )


async def require_member(uow: DeliberationUnitOfWork, council: Row, principal: Principal) -> None:
    """Any member or observer of the council, or an admin or committee member of the community."""
    require_own_community(council["community"], principal)
    if principal.has(Role.ADMIN, Role.COMMITTEE):
        return
    if await uow.repo.membership(council["id"], principal.sub) is None:
        raise RefusedError("Only members of the council may do this. 仅议事会成员可以操作。", reason="not_a_member")
