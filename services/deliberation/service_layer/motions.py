"""Motions, votes and decisions: the council deciding collectively.

Lock order: the agenda item, then its session (proposing); the motion row alone, FOR SHARE
(voting, so a close waits for the votes in flight); the motion FOR UPDATE, then its item
(closing). No command takes them the other way round."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from contracts.enums import CouncilKind, CouncilParty
from contracts.events.deliberation import DecisionAdopted, DecisionRejected, SuggestionForwarded
from services.deliberation.adapters.rows import Row
from services.deliberation.domain.calendar import local_day
from services.deliberation.domain.errors import RefusedError, StateConflict
from services.deliberation.domain.sessions import SessionView, check_voter, require_in_session
from services.deliberation.domain.voting import Tally, check_quorum
from services.deliberation.service_layer.access import item_for, motion_for, require_officer, require_own_community
from services.deliberation.service_layer.unit_of_work import DeliberationUnitOfWork
from services.kernel.identity import Principal


def session_view(session: Row) -> SessionView:
    return SessionView(
        status=session["status"],
        mode=session["mode"],
        starts_at=session["starts_at"],
        ends_at=session["ends_at"],
        day=local_day(session["starts_at"], session["timezone"]),
    )


async def propose_motion(
    uow: DeliberationUnitOfWork, item_id: uuid.UUID, principal: Principal, title: str, text: str
) -> Row:
    """A voting member (or an officer or admin) puts a motion on an item of an open session."""
    async with uow:
        item = await item_for(uow, item_id, principal, lock=True)
        if item["session_id"] is None:
            raise StateConflict(
                "The item is waiting for a session; it cannot be voted on yet. 议题尚未排入会议。",
                reason="item_waiting",
            )
        session = await uow.repo.session(item["session_id"], lock=True)
        council = await uow.repo.council(item["council_id"])
        assert session is not None
        assert council is not None
        require_own_community(council["community"], principal)
        member = await uow.repo.membership(council["id"], principal.sub)
        if member is None or not member.voting:
            await require_officer(uow, council, principal)
        require_in_session(session_view(session), "a motion")
        if item["status"] != "open":
            raise StateConflict("The item has been decided. 议题已表决。", reason="item_decided")
        if await uow.repo.item_has_open_motion(item["id"]):
            raise StateConflict("A motion on this item is already open. 该议题已有表决进行中。", reason="motion_open")
        return await uow.repo.insert_motion(
            {
                "id": uuid.uuid4(),
                "agenda_item_id": item["id"],
                "session_id": session["id"],
                "council_id": council["id"],
                "community": council["community"],
                "title": title,
                "text": text,
                "proposed_by": principal.sub,
            }
        )


async def cast_vote(uow: DeliberationUnitOfWork, motion_id: uuid.UUID, principal: Principal, choice: str) -> None:
    """Cast or change a vote. The motion row is share-locked so a concurrent close waits for it."""
    async with uow:
        motion = await motion_for(uow, motion_id, principal, lock="FOR SHARE")
        session = await uow.repo.session(motion["session_id"])
        assert session is not None
        member = await uow.repo.membership(motion["council_id"], principal.sub)
        if principal.community != motion["community"]:
            member = None
        present = await uow.repo.is_present(session["id"], principal.sub)
        check_voter(
            session=session_view(session),
            member=member,
            present=present,
            now=uow.now(),
            motion_open=motion["status"] == "open",
        )
        if not present:  # an online vote is the voter's attendance
            await uow.repo.record_attendance(session["id"], principal.sub, principal.sub)
        await uow.repo.put_vote(motion["id"], principal.sub, choice)


@dataclass(frozen=True)
class Outcome:
    action_plan: str | None = None
    responsible_party: CouncilParty | None = None
    responsible_person_id: str | None = None
    review_date: date | None = None
    note: str | None = None


async def close_motion(
    uow: DeliberationUnitOfWork, motion_id: uuid.UUID, principal: Principal, outcome: Outcome
) -> Row:
    """Close the vote: quorum first, then the council's majority rule; record and announce the decision."""
    async with uow:
        motion = await motion_for(uow, motion_id, principal, lock="FOR UPDATE")
        council = await uow.repo.council(motion["council_id"])
        session = await uow.repo.session(motion["session_id"])
        assert council is not None
        assert session is not None
        await require_officer(uow, council, principal)
        if motion["status"] != "open":
            raise StateConflict(
                f"The motion is already {motion['status']}.", reason="motion_closed", motion_status=motion["status"]
            )
        view = session_view(session)
        require_in_session(view, "closing a motion")
        voting = await uow.repo.voting_member_ids(council["id"], view.day)
        present = await uow.repo.present_count(session["id"], voting)
        check_quorum(present=present, voting_members=len(voting), fraction=council["quorum_fraction"])
        tally = Tally.of(await uow.repo.choices(motion["id"]))
        adopted = tally.adopted(council["majority_rule"])
        if adopted and not (outcome.action_plan or motion["text"]):
            raise RefusedError(
                "An adopted decision needs an action plan. 通过的决议需要行动方案。", reason="no_action_plan"
            )
        item = await uow.repo.item(motion["agenda_item_id"], lock=True)
        assert item is not None
        now = uow.now()
        status = "adopted" if adopted else "rejected"
        suggestion_id = uuid.uuid4() if adopted and council["kind"] == CouncilKind.WOMEN else None
        decision = await uow.repo.insert_decision(
            {
                "id": uuid.uuid4(),
                "motion_id": motion["id"],
                "agenda_item_id": item["id"],
                "session_id": session["id"],
                "council_id": council["id"],
                "community": council["community"],
                "issue_id": item["issue_id"],
                "outcome": status,
                "title": motion["title"],
                "votes_for": tally.votes_for,
                "votes_against": tally.votes_against,
                "votes_abstain": tally.votes_abstain,
                "action_plan": (outcome.action_plan or motion["text"]) if adopted else outcome.action_plan,
                "responsible_party": outcome.responsible_party,
                "responsible_person_id": outcome.responsible_person_id,
                "review_date": outcome.review_date,
                "note": outcome.note,
                "suggestion_id": suggestion_id,
                "decided_at": now,
            }
        )
        await uow.repo.close_motion(motion["id"], status, now)
        await uow.repo.mark_item_decided(item["id"])
        await _announce(uow, council, decision, item, view.day, principal.sub)
        await uow.audit(
            "motion.closed",
            motion_id,
            principal,
            {
                "outcome": status,
                "decision_id": decision["id"],
                "issue_id": item["issue_id"],
                "votes": [tally.votes_for, tally.votes_against, tally.votes_abstain],
            },
        )
        return decision


async def _announce(
    uow: DeliberationUnitOfWork, council: Row, decision: Row, item: Row, day: date, closed_by: str
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
        "member_ids": await uow.repo.member_ids(council["id"], day),
        "note": decision["note"],
    }
    community = council["community"]
    if decision["outcome"] == "rejected":
        await uow.emit(DecisionRejected(**common), community=community, subject=decision["id"])
        return
    adopted = DecisionAdopted(
        **common,
        action_plan=decision["action_plan"],
        responsible_party=decision["responsible_party"],
        responsible_person_id=decision["responsible_person_id"],
        review_date=decision["review_date"],
    )
    await uow.emit(adopted, community=community, subject=decision["id"])
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
        await uow.emit(suggestion, community=community, subject=decision["suggestion_id"])
