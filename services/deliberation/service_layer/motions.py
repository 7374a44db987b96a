"""Motions, votes and decisions: the council deciding collectively."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg

from contracts.enums import CouncilKind, CouncilParty
from contracts.events.deliberation import DecisionAdopted, DecisionRejected, SuggestionForwarded
from services.deliberation.adapters import councils as council_db
from services.deliberation.adapters import sessions as session_db
from services.deliberation.domain.errors import NotFoundError, RefusedError, StateConflict
from services.deliberation.domain.sessions import SessionView, check_voter, require_in_session
from services.deliberation.domain.voting import Tally, check_quorum
from services.deliberation.service_layer.access import require_officer, require_own_community
from services.kernel.auth import Principal
from services.kernel.db import Connection
from services.kernel.outbox import Outbox


def session_view(session: asyncpg.Record) -> SessionView:
    return SessionView(
        status=session["status"],
        mode=session["mode"],
        starts_at=session["starts_at"],
        ends_at=session["ends_at"],
        day=session_db.local_day(session),
    )


async def motion_for(conn: Connection, motion_id: uuid.UUID, principal: Principal, *, lock: str = "") -> asyncpg.Record:
    motion = await conn.fetchrow(f"SELECT * FROM motions WHERE id = $1 {lock}", motion_id)
    if motion is None or not principal.can_read(motion["community"]):
        raise NotFoundError("No such motion. 没有这个动议。", motion_id=str(motion_id))
    return motion


async def propose_motion(
    conn: Connection, item: asyncpg.Record, principal: Principal, title: str, text: str
) -> asyncpg.Record:
    """A voting member (or an officer or admin) puts a motion on an item of an open session."""
    if item["session_id"] is None:
        raise StateConflict("The item is waiting for a session; it cannot be voted on yet. 议题尚未排入会议。")
    session = await session_db.get_session(conn, item["session_id"], lock=True)
    council = await council_db.get_council(conn, item["council_id"])
    assert session is not None
    assert council is not None
    require_own_community(council["community"], principal)
    member = await council_db.membership(conn, council["id"], principal.sub)
    if member is None or not member.voting:
        await require_officer(conn, council, principal)
    require_in_session(session_view(session), "a motion")
    if item["status"] != "open":
        raise StateConflict("The item has been decided. 议题已表决。")
    if await conn.fetchval("SELECT true FROM motions WHERE agenda_item_id = $1 AND status = 'open'", item["id"]):
        raise StateConflict("A motion on this item is already open. 该议题已有表决进行中。")
    row = await conn.fetchrow(
        """
        INSERT INTO motions (id, agenda_item_id, session_id, council_id, community, title, text, proposed_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *
        """,
        uuid.uuid4(),
        item["id"],
        session["id"],
        council["id"],
        council["community"],
        title,
        text,
        principal.sub,
    )
    assert row is not None
    return row


async def cast_vote(conn: Connection, motion_id: uuid.UUID, principal: Principal, choice: str) -> None:
    """Cast or change a vote. The motion row is share-locked so a concurrent close waits for it."""
    motion = await motion_for(conn, motion_id, principal, lock="FOR SHARE")
    session = await session_db.get_session(conn, motion["session_id"])
    assert session is not None
    member = await council_db.membership(conn, motion["council_id"], principal.sub)
    if principal.community != motion["community"]:
        member = None
    present = await session_db.is_present(conn, session["id"], principal.sub)
    check_voter(
        session=session_view(session),
        member=member,
        present=present,
        now=datetime.now(UTC),
        motion_open=motion["status"] == "open",
    )
    if not present:  # an online vote is the voter's attendance
        await session_db.record_attendance(conn, session["id"], principal.sub, principal.sub)
    await conn.execute(
        """
        INSERT INTO votes (motion_id, person_id, choice) VALUES ($1, $2, $3)
        ON CONFLICT (motion_id, person_id) DO UPDATE SET choice = EXCLUDED.choice, updated_at = now()
        """,
        motion["id"],
        principal.sub,
        choice,
    )


@dataclass(frozen=True)
class Outcome:
    action_plan: str | None = None
    responsible_party: CouncilParty | None = None
    responsible_person_id: str | None = None
    review_date: date | None = None
    note: str | None = None


async def close_motion(
    conn: Connection, outbox: Outbox, motion_id: uuid.UUID, principal: Principal, outcome: Outcome
) -> asyncpg.Record:
    """Close the vote: quorum first, then the council's majority rule; record and announce the decision."""
    motion = await motion_for(conn, motion_id, principal, lock="FOR UPDATE")
    council = await council_db.get_council(conn, motion["council_id"])
    session = await session_db.get_session(conn, motion["session_id"])
    assert council is not None
    assert session is not None
    await require_officer(conn, council, principal)
    if motion["status"] != "open":
        raise StateConflict(f"The motion is already {motion['status']}.", motion_status=motion["status"])
    require_in_session(session_view(session), "closing a motion")
    day = session_db.local_day(session)
    voting = await council_db.voting_member_ids(conn, council["id"], day)
    present = await session_db.present_voting_count(conn, session["id"], voting)
    check_quorum(present=present, voting_members=len(voting), fraction=council["quorum_fraction"])
    choices = [r["choice"] for r in await conn.fetch("SELECT choice FROM votes WHERE motion_id = $1", motion["id"])]
    tally = Tally.of(choices)
    adopted = tally.adopted(council["majority_rule"])
    if adopted and not (outcome.action_plan or motion["text"]):
        raise RefusedError(
            "An adopted decision needs an action plan. 通过的决议需要行动方案。", reason="no_action_plan"
        )
    item = await conn.fetchrow("SELECT * FROM agenda_items WHERE id = $1 FOR UPDATE", motion["agenda_item_id"])
    assert item is not None
    now = datetime.now(UTC)
    status = "adopted" if adopted else "rejected"
    decision_id = uuid.uuid4()
    suggestion_id = uuid.uuid4() if adopted and council["kind"] == CouncilKind.WOMEN else None
    action_plan = (outcome.action_plan or motion["text"]) if adopted else outcome.action_plan
    decision = await conn.fetchrow(
        """
        INSERT INTO decisions (id, motion_id, agenda_item_id, session_id, council_id, community, issue_id, outcome,
            title, votes_for, votes_against, votes_abstain, action_plan, responsible_party, responsible_person_id,
            review_date, note, suggestion_id, decided_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
        RETURNING *
        """,
        decision_id,
        motion["id"],
        item["id"],
        session["id"],
        council["id"],
        council["community"],
        item["issue_id"],
        status,
        motion["title"],
        tally.votes_for,
        tally.votes_against,
        tally.votes_abstain,
        action_plan,
        outcome.responsible_party,
        outcome.responsible_person_id,
        outcome.review_date,
        outcome.note,
        suggestion_id,
        now,
    )
    assert decision is not None
    await conn.execute("UPDATE motions SET status = $2, closed_at = $3 WHERE id = $1", motion["id"], status, now)
    await conn.execute("UPDATE agenda_items SET status = 'decided' WHERE id = $1", item["id"])
    await _announce(conn, outbox, council, decision, item, day, principal.sub)
    return decision


async def _announce(
    conn: Connection,
    outbox: Outbox,
    council: asyncpg.Record,
    decision: asyncpg.Record,
    item: asyncpg.Record,
    day: date,
    closed_by: str,
) -> None:
    common = {
        "decision_id": decision["id"],
        "council_id": council["id"],
        "council_kind": CouncilKind(council["kind"]),
        "session_id": decision["session_id"],
        "motion_id": decision["motion_id"],
        "agenda_item_id": decision["agenda_item_id"],
        "issue_id": decision["issue_id"],
        "title": decision["title"][:200],
        "votes_for": decision["votes_for"],
        "votes_against": decision["votes_against"],
        "votes_abstain": decision["votes_abstain"],
        "decided_at": decision["decided_at"],
        "member_ids": await council_db.member_ids(conn, council["id"], day),
        "note": decision["note"],
    }
    community = council["community"]
    if decision["outcome"] == "rejected":
        await outbox.emit(conn, DecisionRejected(**common), community=community, subject=decision["id"])
        return
    adopted = DecisionAdopted(
        **common,
        action_plan=decision["action_plan"],
        responsible_party=decision["responsible_party"],
        responsible_person_id=decision["responsible_person_id"],
        review_date=decision["review_date"],
    )
    await outbox.emit(conn, adopted, community=community, subject=decision["id"])
    if decision["suggestion_id"] is not None:
        description = "\n\n".join(p for p in (item["description"], decision["action_plan"]) if p)
        suggestion = SuggestionForwarded(
            suggestion_id=decision["suggestion_id"],
            council_id=council["id"],
            decision_id=decision["id"],
            title=decision["title"][:200],
            description=description[:5000] or decision["title"],
            forwarded_by=closed_by,
            forwarded_at=decision["decided_at"],
        )
        await outbox.emit(conn, suggestion, community=community, subject=decision["suggestion_id"])
