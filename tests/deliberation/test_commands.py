"""The service layer's rules, on an in-memory unit of work (no Postgres, no NATS): fast and exact.

The real-infrastructure tests beside these prove the same commands against the database,
its locks and unique keys; these state the rules one by one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from contracts.enums import CouncilKind, CouncilParty
from contracts.envelope import CloudEvent
from contracts.events.deliberation import (
    DecisionAdopted,
    DecisionRejected,
    SessionCancelled,
    SessionScheduled,
    SuggestionForwarded,
)
from contracts.events.issue import IssueReferred
from services.deliberation.domain.errors import (
    BadValues,
    IllegalSessionTransition,
    QuorumNotMet,
    RefusedError,
    StateConflict,
)
from services.deliberation.service_layer import agenda, councils, motions, sessions
from services.deliberation.settings import DeliberationSettings
from services.kernel.identity import Principal
from tests.deliberation.fakes import FakeDeliberationUnitOfWork, Tables, council_row

# The first Friday of March 2027; its 19:00 session in Shanghai runs 11:00-13:00 UTC.
STARTS = datetime(2027, 3, 5, 11, 0, tzinfo=UTC)
DURING = STARTS + timedelta(minutes=30)
PEOPLE = {
    "zhang-wei": "chair",
    "li-na": "vice_chair",
    "wang-fang": "secretary",
    "chen-jing": "member",
    "yang-min": "member",
    "huang-li": "member",
    "zhou-qiang": "member",
    "liu-yang": "observer",
}
SETTINGS = DeliberationSettings(time_zone="Asia/Shanghai", deliberation_months_ahead=2)


def person(sub: str, *roles: str, community: str = "meihu") -> Principal:
    return Principal(sub=sub, name=sub, community=community, roles=frozenset(roles or ("resident",)))


CHAIR = person("zhang-wei", "council_member")
ADMIN = person("admin", "admin")


@dataclass
class World:
    """One council with its members, an open session, an item referred from an issue and a motion on it."""

    tables: Tables
    council_id: uuid.UUID
    session_id: uuid.UUID
    next_session_id: uuid.UUID
    item_id: uuid.UUID
    issue_id: uuid.UUID
    motion_id: uuid.UUID

    def uow(self, at: datetime = DURING) -> FakeDeliberationUnitOfWork:
        return FakeDeliberationUnitOfWork(SETTINGS, at=at, tables=self.tables)


def world(*, kind: str = "consultation", mode: str = "in_person", present: tuple[str, ...] = ()) -> World:
    tables = Tables()
    council = council_row(kind=kind)
    tables.councils[council["id"]] = council
    for sub, position in PEOPLE.items():
        tables.members[(council["id"], sub)] = {
            "id": uuid.uuid4(),
            "council_id": council["id"],
            "community": "meihu",
            "person_id": sub,
            "name": sub,
            "party": "resident",
            "position": position,
            "voting": position != "observer",
            "term_from": date(2026, 1, 1),
            "term_until": None,
        }
    ids = {}
    for name, starts, status in (("now", STARTS, "open"), ("next", STARTS + timedelta(days=28), "scheduled")):
        session_id = uuid.uuid4()
        ids[name] = session_id
        tables.sessions[session_id] = {
            "id": session_id,
            "council_id": council["id"],
            "community": "meihu",
            "title": "例会",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=2),
            "mode": mode,
            "location": "议事厅",
            "status": status,
            "regular_date": starts.date(),
        }
    for sub in present:
        tables.attendance[(ids["now"], sub)] = "zhang-wei"
    item_id, issue_id, motion_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    tables.items[item_id] = {
        "id": item_id,
        "community": "meihu",
        "council_id": council["id"],
        "session_id": ids["now"],
        "title": "楼道堆物",
        "description": "3栋楼道堆满杂物",
        "source": "referral",
        "issue_id": issue_id,
        "proposed_by": "li-na",
        "status": "open",
        "times_deferred": 0,
    }
    tables.motions[motion_id] = {
        "id": motion_id,
        "agenda_item_id": item_id,
        "session_id": ids["now"],
        "council_id": council["id"],
        "community": "meihu",
        "title": "清理楼道",
        "text": "物业一周内清理",
        "proposed_by": "zhang-wei",
        "status": "open",
        "closed_at": None,
    }
    return World(tables, council["id"], ids["now"], ids["next"], item_id, issue_id, motion_id)


def votes(w: World, **choices: str) -> None:
    for sub, choice in choices.items():
        w.tables.votes[(w.motion_id, sub.replace("_", "-"))] = choice


FOUR_PRESENT = ("zhang-wei", "li-na", "wang-fang", "chen-jing")


async def test_closing_without_quorum_is_refused_and_nothing_is_decided() -> None:
    w = world(present=("zhang-wei", "li-na", "wang-fang"))  # 3 of 7 voting members: not more than half
    uow = w.uow()
    with pytest.raises(QuorumNotMet) as refused:
        await motions.close_motion(uow, w.motion_id, CHAIR, motions.Outcome())
    assert refused.value.extensions == {"reason": "no_quorum", "present": 3, "needed": 4, "voting_members": 7}
    assert uow.published == []
    assert w.tables.decisions == {}
    assert w.tables.motions[w.motion_id]["status"] == "open"


async def test_a_majority_for_adopts_and_announces_the_decision_on_the_referred_issue() -> None:
    w = world(present=FOUR_PRESENT)
    votes(w, zhang_wei="for", li_na="for", wang_fang="against", chen_jing="abstain")
    uow = w.uow()
    decision = await motions.close_motion(
        uow, w.motion_id, CHAIR, motions.Outcome(responsible_party=CouncilParty.PROPERTY_MANAGEMENT)
    )
    assert (decision["outcome"], decision["action_plan"]) == ("adopted", "物业一周内清理")  # the motion's text
    [adopted] = uow.events
    assert isinstance(adopted, DecisionAdopted)
    assert (adopted.issue_id, adopted.votes_for, adopted.votes_against, adopted.votes_abstain) == (w.issue_id, 2, 1, 1)
    assert w.tables.items[w.item_id]["status"] == "decided"
    assert w.tables.motions[w.motion_id]["status"] == "adopted"


async def test_a_tie_is_rejected_under_the_simple_majority() -> None:
    w = world(present=FOUR_PRESENT)
    votes(w, zhang_wei="for", li_na="against")
    uow = w.uow()
    decision = await motions.close_motion(uow, w.motion_id, CHAIR, motions.Outcome(note="再议"))
    assert decision["outcome"] == "rejected"
    assert [type(e) for e in uow.events] == [DecisionRejected]


async def test_an_adopted_decision_of_the_womens_council_is_forwarded_as_a_suggestion() -> None:
    w = world(kind=CouncilKind.WOMEN.value, present=FOUR_PRESENT)
    votes(w, zhang_wei="for", li_na="for")
    uow = w.uow()
    await motions.close_motion(uow, w.motion_id, CHAIR, motions.Outcome(action_plan="设立妇女议事角"))
    adopted, forwarded = uow.events
    assert isinstance(adopted, DecisionAdopted)
    assert isinstance(forwarded, SuggestionForwarded)
    assert forwarded.decision_id == adopted.decision_id
    assert forwarded.forwarded_by == "zhang-wei"
    assert "设立妇女议事角" in forwarded.description


async def test_only_officers_close_a_motion() -> None:
    w = world(present=FOUR_PRESENT)
    with pytest.raises(RefusedError) as refused:
        await motions.close_motion(w.uow(), w.motion_id, person("huang-li", "council_member"), motions.Outcome())
    assert refused.value.reason == "not_an_officer"


async def test_an_online_vote_outside_the_sessions_window_is_refused() -> None:
    w = world(mode="online")
    late = STARTS + timedelta(hours=3)
    with pytest.raises(StateConflict) as refused:
        await motions.cast_vote(w.uow(at=late), w.motion_id, person("huang-li", "council_member"), "for")
    assert refused.value.reason == "outside_window"
    assert refused.value.slug == "conflict"  # the problem type stays `conflict`, the reason says why


async def test_an_online_vote_within_the_window_records_the_voter_present() -> None:
    w = world(mode="online")
    await motions.cast_vote(w.uow(), w.motion_id, person("huang-li", "council_member"), "against")
    assert w.tables.votes[(w.motion_id, "huang-li")] == "against"
    assert (w.session_id, "huang-li") in w.tables.attendance


async def test_an_in_person_vote_needs_the_voter_recorded_present() -> None:
    w = world()
    with pytest.raises(RefusedError) as refused:
        await motions.cast_vote(w.uow(), w.motion_id, person("huang-li", "council_member"), "for")
    assert refused.value.reason == "not_present"
    assert w.tables.votes == {}


async def test_cancelling_withdraws_open_motions_and_moves_items_to_the_next_session() -> None:
    w = world()
    uow = w.uow()
    cancelled = await sessions.cancel_session(uow, w.session_id, CHAIR, "台风")
    assert cancelled["status"] == "cancelled"
    assert w.tables.motions[w.motion_id]["status"] == "withdrawn"
    assert w.tables.items[w.item_id]["session_id"] == w.next_session_id
    [event] = uow.events
    assert isinstance(event, SessionCancelled)
    assert (event.reason, event.member_ids) == ("台风", sorted(PEOPLE))


async def test_a_session_with_an_open_motion_cannot_conclude() -> None:
    w = world()
    with pytest.raises(StateConflict) as refused:
        await sessions.conclude_session(w.uow(), w.session_id, CHAIR, "纪要")
    assert (refused.value.reason, refused.value.extensions["open_motions"]) == ("motions_open", 1)


async def test_an_open_session_cannot_be_opened_again() -> None:
    w = world()
    with pytest.raises(IllegalSessionTransition) as refused:
        await sessions.open_session(w.uow(), w.session_id, CHAIR)
    assert (refused.value.current, refused.value.allowed) == ("open", ["concluded", "cancelled"])


async def test_a_member_checks_in_themself_but_not_others() -> None:
    w = world()
    member = person("huang-li", "council_member")
    await sessions.record_attendance(w.uow(), w.session_id, member, "huang-li", present=True)
    with pytest.raises(RefusedError):
        await sessions.record_attendance(w.uow(), w.session_id, member, "li-na", present=True)
    assert [p for s, p in w.tables.attendance if s == w.session_id] == ["huang-li"]


def new_council(*members: tuple[str, str], **rules: Any) -> councils.NewCouncil:
    seats = [
        (sub, councils.MemberTerms(name=sub, party=CouncilParty.RESIDENT, term_from=date(2026, 1, 1)))
        for sub, _ in members
    ]
    return councils.NewCouncil(kind=CouncilKind.CONSULTATION, members=seats, **rules)


async def test_a_new_council_meets_in_the_community_zone_and_its_sessions_name_its_members() -> None:
    uow = FakeDeliberationUnitOfWork(SETTINGS, at=datetime(2027, 1, 10, tzinfo=UTC))
    council = await councils.create_council(uow, ADMIN, new_council(("li-na", "chair"), ("huang-li", "member")))
    assert (council["timezone"], council["meeting_time"].hour) == ("Asia/Shanghai", 19)
    scheduled = [e for e in uow.events if isinstance(e, SessionScheduled)]
    assert [e.starts_at.date() for e in scheduled] == [date(2027, 2, 5), date(2027, 3, 5)]
    assert all(e.member_ids == ["huang-li", "li-na"] for e in scheduled)


async def test_a_council_naming_a_person_twice_is_refused_and_nothing_is_kept() -> None:
    uow = FakeDeliberationUnitOfWork(SETTINGS, at=datetime(2027, 1, 10, tzinfo=UTC))
    with pytest.raises(BadValues):
        await councils.create_council(uow, ADMIN, new_council(("li-na", "chair"), ("li-na", "member")))
    assert uow.tables.councils == {}
    assert uow.published == []


async def test_a_referral_without_a_council_waits_and_lands_on_the_first_session_scheduled() -> None:
    uow = FakeDeliberationUnitOfWork(SETTINGS, at=datetime(2027, 1, 10, tzinfo=UTC))
    data = IssueReferred(
        issue_id=uuid.uuid4(),
        category="corridor_clutter",
        title="3栋楼道堆物",
        status="referred",
        previous_status="accepted",
        actor_id="li-na",
    )
    await agenda.on_issue_referred(uow, CloudEvent.wrap(data, community="meihu", service="intake", subject="x"))
    [item] = uow.tables.items.values()
    assert (item["council_id"], item["session_id"]) == (None, None)
    council = await councils.create_council(uow, ADMIN, new_council(("li-na", "chair")))
    first = min(uow.tables.sessions.values(), key=lambda s: s["starts_at"])
    assert (item["council_id"], item["session_id"]) == (council["id"], first["id"])
