"""Agenda items: referred issues and members' items, and deferral to the next session."""

from __future__ import annotations

import uuid

from contracts.envelope import CloudEvent
from contracts.events.issue import IssueReferred
from services.deliberation.adapters.rows import Row
from services.deliberation.domain.errors import StateConflict
from services.deliberation.service_layer.access import item_for, require_member, require_officer, session_for
from services.deliberation.service_layer.unit_of_work import DeliberationUnitOfWork
from services.kernel.identity import Principal


async def on_issue_referred(uow: DeliberationUnitOfWork, event: CloudEvent[IssueReferred]) -> None:
    """A referred issue becomes an item on the next scheduled session of the consultation council.

    With no council or no scheduled session yet, the item waits (session_id NULL) and is
    placed when one is scheduled. The unique issue id makes a second referral of the same
    issue, under any event id, a no-op."""
    data = event.data
    async with uow:
        council = await uow.repo.council_of_kind(event.community, "consultation")
        upcoming = None
        if council is not None:
            upcoming = await uow.repo.next_scheduled_session(council["id"], uow.now())
        await uow.repo.insert_item(
            {
                "id": uuid.uuid4(),
                "community": event.community,
                "council_id": council["id"] if council else None,
                "session_id": upcoming,
                "title": data.title,
                "description": data.description or data.note or "",
                "source": "referral",
                "issue_id": data.issue_id,
                "proposed_by": data.actor_id,
            }
        )


async def add_item(
    uow: DeliberationUnitOfWork, session_id: uuid.UUID, principal: Principal, title: str, description: str
) -> Row:
    """A member puts an item on a scheduled or open session (the session row locked)."""
    async with uow:
        session = await session_for(uow, session_id, principal, lock=True)
        council = await uow.repo.council(session["council_id"])
        assert council is not None
        await require_member(uow, council, principal)
        if session["status"] not in ("scheduled", "open"):
            raise StateConflict(
                f"The session is {session['status']}; its agenda is closed. 会议已结束或取消。",
                reason="agenda_closed",
                session_status=session["status"],
            )
        row = await uow.repo.insert_item(
            {
                "id": uuid.uuid4(),
                "community": session["community"],
                "council_id": council["id"],
                "session_id": session["id"],
                "title": title,
                "description": description,
                "source": "member",
                "issue_id": None,
                "proposed_by": principal.sub,
            }
        )
        assert row is not None
        return row


async def defer_item(uow: DeliberationUnitOfWork, item_id: uuid.UUID, principal: Principal) -> Row:
    """An officer moves an undecided item to the council's next scheduled session (or to waiting)."""
    async with uow:
        item = await item_for(uow, item_id, principal, lock=True)
        if item["session_id"] is None or item["council_id"] is None:
            raise StateConflict(
                "The item is already waiting for the next session. 议题已在等待下次会议。", reason="item_waiting"
            )
        council = await uow.repo.council(item["council_id"])
        session = await uow.repo.session(item["session_id"])
        assert council is not None
        assert session is not None
        await require_officer(uow, council, principal)
        if item["status"] != "open":
            raise StateConflict("The item has been decided; it cannot be deferred. 议题已表决。", reason="item_decided")
        if session["status"] not in ("scheduled", "open"):
            raise StateConflict(
                f"The item's session is {session['status']}.", reason="session_closed", session_status=session["status"]
            )
        if await uow.repo.item_has_open_motion(item["id"]):
            raise StateConflict(
                "A motion on this item is open; close it first. 议题表决尚未结束。", reason="motion_open"
            )
        upcoming = await uow.repo.next_scheduled_session(
            council["id"], max(uow.now(), session["starts_at"]), exclude=session["id"]
        )
        await uow.repo.move_item(item["id"], upcoming)
        await uow.audit(
            "agenda_item.deferred", item_id, principal, {"from_session": session["id"], "to_session": upcoming}
        )
        return await item_for(uow, item_id, principal)
