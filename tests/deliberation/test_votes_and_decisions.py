"""Motions, votes and decisions through the HTTP API: who may vote, quorum on close, the events emitted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.deliberation.helpers import Council, make_council, sql
from tests.support.infra import Tokens

ADOPTED = "linli.decision.adopted.v1"
REJECTED = "linli.decision.rejected.v1"


async def motion_in_open_session(council: Council, present: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    session = await council.next_session()
    await council.open_with(session["id"], present)
    item = await council.item(session["id"])
    return session, await council.motion(item["id"])


async def test_members_vote_and_closing_adopts_and_emits_decision_adopted(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    council = await make_council(client, tokens)
    session, motion = await motion_in_open_session(council, ["zhang-wei", "li-na", "wang-fang", "chen-jing"])
    for person, choice in [("zhang-wei", "for"), ("li-na", "for"), ("wang-fang", "against"), ("chen-jing", "abstain")]:
        assert (await council.vote(motion["id"], person, choice)).status_code == 204
    closed = await council.close(
        motion["id"],
        action_plan="物业一周内清理楼道",
        responsible_party="property_management",
        review_date="2027-01-15",
    )
    assert closed.status_code == 200, closed.text
    decision = closed.json()
    assert decision["outcome"] == "adopted"
    assert (decision["votes_for"], decision["votes_against"], decision["votes_abstain"]) == (2, 1, 1)
    events = await sql(database_url).outbox(ADOPTED)
    assert len(events) == 1
    data = events[0]["data"]
    assert data["decision_id"] == decision["id"]
    assert data["session_id"] == session["id"]
    assert data["action_plan"] == "物业一周内清理楼道"
    assert data["responsible_party"] == "property_management"
    assert data["review_date"] == "2027-01-15"
    assert data["issue_id"] is None
    assert events[0]["subject"] == decision["id"]


async def test_results_are_hidden_until_the_motion_closes(client: httpx.AsyncClient, tokens: Tokens) -> None:
    council = await make_council(client, tokens)
    _, motion = await motion_in_open_session(council, ["zhang-wei", "li-na", "wang-fang", "chen-jing"])
    await council.vote(motion["id"], "li-na", "for")
    seen = (await client.get(f"/motions/{motion['id']}", headers=council.as_("li-na"))).json()
    assert seen["results"] is None
    assert seen["votes_cast"] == 1
    assert seen["my_vote"] == "for"
    await council.vote(motion["id"], "zhang-wei", "for")
    await council.vote(motion["id"], "wang-fang", "for")
    await council.close(motion["id"])
    after = (await client.get(f"/motions/{motion['id']}", headers=council.as_("huang-li"))).json()
    assert after["results"] == {"votes_for": 3, "votes_against": 0, "votes_abstain": 0}


async def test_a_vote_can_change_until_the_motion_closes(client: httpx.AsyncClient, tokens: Tokens) -> None:
    council = await make_council(client, tokens)
    _, motion = await motion_in_open_session(council, ["zhang-wei", "li-na", "wang-fang", "chen-jing"])
    await council.vote(motion["id"], "zhang-wei", "for")
    await council.vote(motion["id"], "li-na", "for")
    await council.vote(motion["id"], "li-na", "against")
    decision = (await council.close(motion["id"])).json()
    assert (decision["votes_for"], decision["votes_against"], decision["outcome"]) == (1, 1, "rejected")
    late = await council.vote(motion["id"], "li-na", "for")
    assert late.status_code == 409
    assert late.json()["type"].endswith("/conflict")  # the kind of refusal, as before...
    assert late.json()["reason"] == "motion_closed"  # ...and which rule refused it
    assert (await client.get(f"/decisions/{decision['id']}", headers=council.chair)).json()["votes_against"] == 1


async def test_a_tie_is_rejected_and_emits_decision_rejected(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    council = await make_council(client, tokens)
    _, motion = await motion_in_open_session(council, ["zhang-wei", "li-na", "wang-fang", "chen-jing"])
    for person, choice in [("zhang-wei", "for"), ("li-na", "for"), ("wang-fang", "against"), ("chen-jing", "against")]:
        await council.vote(motion["id"], person, choice)
    assert (await council.close(motion["id"])).json()["outcome"] == "rejected"
    assert len(await sql(database_url).outbox(REJECTED)) == 1
    assert await sql(database_url).outbox(ADOPTED) == []


async def test_closing_without_quorum_is_409_saying_present_and_needed_and_changes_nothing(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    council = await make_council(client, tokens)  # seven voting members: four needed
    _, motion = await motion_in_open_session(council, ["zhang-wei", "li-na", "wang-fang", "liu-yang"])
    await client.delete(f"/sessions/{motion['session_id']}/attendance/wang-fang", headers=council.chair)
    await council.vote(motion["id"], "zhang-wei", "for")
    refused = await council.close(motion["id"])
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["type"].endswith("/no-quorum")
    assert (problem["present"], problem["needed"], problem["voting_members"]) == (
        2,
        4,
        7,
    )  # the observer does not count
    assert "2" in problem["detail"]
    assert "4" in problem["detail"]
    assert (await client.get(f"/motions/{motion['id']}", headers=council.chair)).json()["status"] == "open"
    assert await sql(database_url).fetchval("SELECT count(*) FROM decisions") == 0
    assert await sql(database_url).outbox(ADOPTED) == await sql(database_url).outbox(REJECTED) == []


async def test_votes_refused_with_the_reason_and_nothing_recorded(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    council = await make_council(client, tokens)
    _, motion = await motion_in_open_session(council, ["zhang-wei", "li-na", "wang-fang", "chen-jing", "liu-yang"])
    non_member = await council.vote(motion["id"], "sun-hao", "for")
    observer = await council.vote(motion["id"], "liu-yang", "for")
    absent = await council.vote(motion["id"], "huang-li", "for")
    other_community = await client.put(
        f"/motions/{motion['id']}/vote",
        json={"choice": "for"},
        headers=tokens.headers("zhang-wei", "council_member", community="yuhua"),
    )
    assert (non_member.status_code, non_member.json()["reason"]) == (403, "not_a_member")
    assert (observer.status_code, observer.json()["reason"]) == (403, "observer")
    assert (absent.status_code, absent.json()["reason"]) == (403, "not_present")
    assert other_community.status_code == 404
    assert await sql(database_url).fetchval("SELECT count(*) FROM votes") == 0
    bad_choice = await council.vote(motion["id"], "zhang-wei", "maybe")
    assert bad_choice.status_code == 422


async def test_no_votes_outside_an_open_session(client: httpx.AsyncClient, tokens: Tokens, database_url: str) -> None:
    council = await make_council(client, tokens)
    session, motion = await motion_in_open_session(council, ["zhang-wei", "li-na", "wang-fang", "chen-jing"])
    for person in ("zhang-wei", "li-na", "wang-fang"):
        await council.vote(motion["id"], person, "for")
    await council.close(motion["id"])
    concluded = await client.post(
        f"/sessions/{session['id']}/conclude", json={"minutes": "纪要"}, headers=council.chair
    )
    assert concluded.status_code == 200
    later = await council.vote(motion["id"], "chen-jing", "for")
    assert later.status_code == 409
    # a motion in a session not opened yet is refused too
    upcoming = (await council.sessions(status="scheduled"))[0]
    item = await council.item(upcoming["id"])
    early = await client.post(f"/agenda-items/{item['id']}/motions", json={"title": "x"}, headers=council.chair)
    assert early.status_code == 409


async def test_consensus_council_rejects_with_one_against(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    council = await make_council(client, tokens, majority_rule="consensus")
    _, motion = await motion_in_open_session(council, ["zhang-wei", "li-na", "wang-fang", "chen-jing", "yang-min"])
    for person in ("zhang-wei", "li-na", "wang-fang", "chen-jing"):
        await council.vote(motion["id"], person, "for")
    await council.vote(motion["id"], "yang-min", "against")
    assert (await council.close(motion["id"])).json()["outcome"] == "rejected"


async def test_two_thirds_council_adopts_at_exactly_two_thirds(client: httpx.AsyncClient, tokens: Tokens) -> None:
    council = await make_council(client, tokens, majority_rule="two_thirds")
    _, motion = await motion_in_open_session(council, ["zhang-wei", "li-na", "wang-fang", "chen-jing", "yang-min"])
    for person, choice in [("zhang-wei", "for"), ("li-na", "for"), ("wang-fang", "against"), ("chen-jing", "abstain")]:
        await council.vote(motion["id"], person, choice)
    assert (await council.close(motion["id"])).json()["outcome"] == "adopted"


async def test_online_session_any_voting_member_votes_within_the_window(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    council = await make_council(client, tokens)
    session = await council.ad_hoc(mode="online", starts_in=timedelta(minutes=-5))
    await council.open_with(session["id"], [])
    item = await council.item(session["id"])
    motion = await council.motion(item["id"])
    for person in ("li-na", "wang-fang", "chen-jing", "yang-min"):
        assert (await council.vote(motion["id"], person, "for")).status_code == 204
    # the online voters count as present for the quorum
    decision = await council.close(motion["id"], action_plan="微信群里通知")
    assert decision.status_code == 200, decision.text
    assert decision.json()["outcome"] == "adopted"


async def test_online_vote_after_the_window_is_refused(client: httpx.AsyncClient, tokens: Tokens) -> None:
    council = await make_council(client, tokens)
    session = await council.ad_hoc(mode="online", starts_in=timedelta(hours=-5))  # ended three hours ago
    await council.open_with(session["id"], [])
    motion = await council.motion((await council.item(session["id"]))["id"])
    refused = await council.vote(motion["id"], "li-na", "for")
    assert (refused.status_code, refused.json()["reason"]) == (409, "outside_window")


async def test_conclusion_reports_attendance_decisions_and_emits_session_concluded(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    council = await make_council(client, tokens)
    session, motion = await motion_in_open_session(council, ["zhang-wei", "li-na", "wang-fang", "chen-jing"])
    open_motion = await client.post(f"/sessions/{session['id']}/conclude", json={}, headers=council.chair)
    assert open_motion.status_code == 409
    for person in ("zhang-wei", "li-na", "wang-fang"):
        await council.vote(motion["id"], person, "for")
    await council.close(motion["id"])
    leftover = await council.item(session["id"], "下次再议 / Next time")
    concluded = await client.post(
        f"/sessions/{session['id']}/conclude", json={"minutes": "会议纪要 / minutes"}, headers=council.chair
    )
    assert concluded.status_code == 200, concluded.text
    body = concluded.json()
    assert body["minutes"] == "会议纪要 / minutes"
    assert body["report"]["attendees_count"] == 4
    assert body["report"]["decisions_count"] == 1
    assert body["report"]["items_deferred"] == 1
    events = await sql(database_url).outbox("linli.session.concluded.v1")
    assert len(events) == 1
    assert sorted(events[0]["data"]["attendees"]) == ["chen-jing", "li-na", "wang-fang", "zhang-wei"]
    assert events[0]["data"]["decisions_count"] == 1
    moved = (await client.get(f"/agenda-items/{leftover['id']}", headers=council.chair)).json()
    assert moved["session_id"] not in (None, session["id"])
    assert moved["times_deferred"] == 1


async def test_an_item_is_deferred_to_the_next_session(client: httpx.AsyncClient, tokens: Tokens) -> None:
    council = await make_council(client, tokens)
    first, second = (await council.sessions(status="scheduled"))[:2]
    item = await council.item(first["id"])
    by_member = await client.post(f"/agenda-items/{item['id']}/defer", headers=council.as_("huang-li"))
    assert by_member.status_code == 403
    deferred = await client.post(f"/agenda-items/{item['id']}/defer", headers=council.chair)
    assert deferred.status_code == 200
    assert deferred.json()["session_id"] == second["id"]
    second_agenda = (await client.get(f"/sessions/{second['id']}/agenda-items", headers=council.chair)).json()
    assert [i["id"] for i in second_agenda] == [item["id"]]


async def test_non_members_cannot_add_agenda_items(client: httpx.AsyncClient, tokens: Tokens) -> None:
    council = await make_council(client, tokens)
    session = await council.next_session()
    refused = await client.post(
        f"/sessions/{session['id']}/agenda-items", json={"title": "x"}, headers=council.as_("sun-hao")
    )
    assert refused.status_code == 403
    too_long = await client.post(
        f"/sessions/{session['id']}/agenda-items", json={"title": "x" * 201}, headers=council.chair
    )
    assert too_long.status_code == 422
    assert (await client.get(f"/sessions/{session['id']}/agenda-items", headers=council.chair)).json() == []


async def test_a_council_can_raise_its_quorum(client: httpx.AsyncClient, tokens: Tokens, database_url: str) -> None:
    council = await make_council(client, tokens)  # seven voting members: four is more than half
    patched = await client.patch(
        f"/councils/{council.id}", json={"quorum_fraction": "0.667"}, headers=council.as_("admin")
    )
    assert patched.status_code == 200, patched.text
    _, motion = await motion_in_open_session(council, ["zhang-wei", "li-na", "wang-fang", "chen-jing"])
    for person in ("zhang-wei", "li-na", "wang-fang", "chen-jing"):
        await council.vote(motion["id"], person, "for")
    refused = await council.close(motion["id"])
    assert refused.status_code == 409
    assert (refused.json()["present"], refused.json()["needed"]) == (4, 5)
    await client.put(f"/sessions/{motion['session_id']}/attendance/yang-min", headers=council.chair)
    assert (await council.close(motion["id"])).json()["outcome"] == "adopted"


async def test_a_member_whose_term_ended_cannot_vote(client: httpx.AsyncClient, tokens: Tokens) -> None:
    council = await make_council(client, tokens)
    ended = {
        "name": "li-na",
        "party": "resident",
        "position": "member",
        "term_from": "2020-01-01",
        "term_until": "2021-12-31",
    }
    await client.put(f"/councils/{council.id}/members/li-na", json=ended, headers=council.as_("admin"))
    _, motion = await motion_in_open_session(council, ["zhang-wei", "wang-fang", "chen-jing"])
    refused = await council.vote(motion["id"], "li-na", "for")
    assert (refused.status_code, refused.json()["reason"]) == (403, "not_a_member")
