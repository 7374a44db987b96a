"""Public selections (评选) through the HTTP API on real PostgreSQL and NATS: nominate, check, vote, conclude."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from services.kernel.clock import SettableClock
from tests.community.conftest import AppFactory
from tests.support.events import published_in, stream_of
from tests.support.infra import Tokens, eventually, jetstream
from tests.support.sql import Sql

T0 = datetime(2020, 9, 1, 2, 0, tzinfo=UTC)  # 10:00 in Hefei
NOMINATIONS_CLOSE = T0 + timedelta(days=7)
VOTING_CLOSES = T0 + timedelta(days=14)


def selection_body(**overrides: Any) -> dict[str, Any]:
    return {
        "category": "neighbour_star",
        "year": 2020,
        "title": {"zh-CN": "2020年度邻里之星评选", "en": "Neighbour stars 2020"},
        "seats": 2,
        "who_may_nominate": ["resident"],
        "who_may_vote": ["resident"],
        "nominations_close_at": NOMINATIONS_CLOSE.isoformat(),
        "voting_closes_at": VOTING_CLOSES.isoformat(),
    } | overrides


async def community_events(nats_url: str, event: str, subject: str) -> list[dict[str, Any]]:
    """The CloudEvents `linli.meihu.<event>` about `subject` in community's stream (none while it is empty)."""
    async with jetstream(nats_url) as js:
        info = await js.stream_info(stream_of("community"))
        if not info.state.messages:
            return []
        events = await published_in(js, stream_of("community"), f"linli.meihu.{event}")
    return [e for e in events if e["subject"] == subject]


CANDIDATES = [("wang-fang", "王芳", 3), ("chen-jing", "陈静", 5), ("huang-li", "黄丽", 3)]


class Board:
    """A selection driven through the API by the committee (zhang-wei) and residents."""

    def __init__(self, client: httpx.AsyncClient, tokens: Tokens) -> None:
        self.client = client
        self.tokens = tokens
        self.committee = tokens.headers("zhang-wei", "committee", "resident", building_group=1)
        self.id = ""
        self.nominations: dict[str, str] = {}

    def resident(self, sub: str) -> dict[str, str]:
        return self.tokens.headers(sub, "resident")

    async def create(self, **overrides: Any) -> dict[str, Any]:
        response = await self.client.post("/selections", json=selection_body(**overrides), headers=self.committee)
        assert response.status_code == 201, response.text
        self.id = response.json()["id"]
        return dict(response.json())

    async def nominate(self, person: str, name: str, group: int | None, by: str = "sun-hao") -> httpx.Response:
        response = await self.client.post(
            f"/selections/{self.id}/nominations",
            json={"candidate_id": person, "candidate_name": name, "building_group": group, "reason": f"{name}热心助人"},
            headers=self.resident(by),
        )
        if response.status_code == 201:
            self.nominations[person] = response.json()["nomination_id"]
        return response

    async def step(self, step: str) -> httpx.Response:
        return await self.client.post(f"/selections/{self.id}/{step}", headers=self.committee)

    async def voting(self, candidates: list[tuple[str, str, int]] = CANDIDATES) -> None:
        await self.create()
        for person, name, group in candidates:
            assert (await self.nominate(person, name, group)).status_code == 201
        for nomination in self.nominations.values():
            checked = await self.client.post(
                f"/nominations/{nomination}/check", json={"decision": "approve"}, headers=self.committee
            )
            assert checked.status_code == 200, checked.text
        assert (await self.step("close-nominations")).status_code == 200
        opened = await self.step("open-voting")
        assert opened.status_code == 200, opened.text

    async def vote(self, voter: str, *candidates: str) -> httpx.Response:
        return await self.client.post(
            f"/selections/{self.id}/ballot", json={"candidates": list(candidates)}, headers=self.resident(voter)
        )


async def test_a_resident_casts_one_ballot_and_a_second_is_refused_not_replacing_the_first(
    community_app: AppFactory, tokens: Tokens, sql: Sql
) -> None:
    async with community_app(clock=SettableClock(T0)) as client:
        board = Board(client, tokens)
        await board.voting()

        first = await board.vote("sun-hao", "wang-fang", "chen-jing")
        second = await board.vote("sun-hao", "huang-li")

    assert first.status_code == 201, first.text
    assert second.status_code == 409
    assert second.json()["reason"] == "already-voted"
    marks = await sql.fetch(
        "SELECT n.candidate_id FROM selection_marks m JOIN selection_nominations n ON n.id = m.nomination_id "
        "WHERE m.voter_id = 'sun-hao' ORDER BY 1"
    )
    assert [r["candidate_id"] for r in marks] == ["chen-jing", "wang-fang"]


async def test_concurrent_ballots_of_one_person_count_once(community_app: AppFactory, tokens: Tokens, sql: Sql) -> None:
    async with community_app(clock=SettableClock(T0)) as client:
        board = Board(client, tokens)
        await board.voting()

        answers = await asyncio.gather(*(board.vote("sun-hao", "wang-fang") for _ in range(5)))

    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409, 409]
    assert await sql.fetchval("SELECT count(*) FROM selection_marks") == 1


async def test_a_ballot_marks_at_most_seats_distinct_approved_candidates(
    community_app: AppFactory, tokens: Tokens, sql: Sql
) -> None:
    async with community_app(clock=SettableClock(T0)) as client:
        board = Board(client, tokens)
        await board.voting(CANDIDATES[:2])
        assert (await board.nominate("zhao-lei", "赵磊", 2)).status_code == 409  # nominations are over

        too_many = await board.vote("sun-hao", "wang-fang", "chen-jing", "huang-li")
        twice = await board.vote("sun-hao", "wang-fang", "wang-fang")
        unknown = await board.vote("sun-hao", "zhao-lei")

    assert [too_many.status_code, twice.status_code, unknown.status_code] == [400, 400, 400]
    assert unknown.json()["unknown"] == ["zhao-lei"]
    assert await sql.fetchval("SELECT count(*) FROM selection_ballots") == 0


async def test_only_the_roles_the_selection_names_may_nominate_and_vote(
    community_app: AppFactory, tokens: Tokens
) -> None:
    async with community_app(clock=SettableClock(T0)) as client:
        board = Board(client, tokens)
        await board.create(who_may_nominate=["publicity_agent"], who_may_vote=["resident"])
        by_resident = await board.nominate("wang-fang", "王芳", 3, by="sun-hao")
        by_agent = await client.post(
            f"/selections/{board.id}/nominations",
            json={"candidate_id": "wang-fang", "candidate_name": "王芳", "building_group": 3, "reason": "楼栋党小组长"},
            headers=tokens.headers("wang-fang", "publicity_agent", building_group=3),
        )
        again = await client.post(
            f"/selections/{board.id}/nominations",
            json={"candidate_id": "wang-fang", "candidate_name": "王芳", "building_group": 3, "reason": "再提一次"},
            headers=tokens.headers("li-na", "publicity_agent", building_group=2),
        )
        await client.post(
            f"/nominations/{by_agent.json()['nomination_id']}/check",
            json={"decision": "approve"},
            headers=board.committee,
        )
        await board.step("close-nominations")
        await board.step("open-voting")
        volunteer_only = await client.post(
            f"/selections/{board.id}/ballot",
            json={"candidates": ["wang-fang"]},
            headers=tokens.headers("zhao-lei", "volunteer"),
        )

    assert by_resident.status_code == 403
    assert by_agent.status_code == 201, by_agent.text
    assert again.status_code == 409
    assert again.json()["reason"] == "already-nominated"
    assert volunteer_only.status_code == 403


async def test_the_steps_go_nominating_checking_voting_concluded_and_an_illegal_step_is_409(
    community_app: AppFactory, tokens: Tokens
) -> None:
    clock = SettableClock(T0)
    async with community_app(clock=clock) as client:
        board = Board(client, tokens)
        await board.create()
        await board.nominate("wang-fang", "王芳", 3)
        vote_too_early = await board.step("open-voting")
        close_too_early = await board.step("close")
        await board.step("close-nominations")
        unchecked = await board.step("open-voting")
        rejected_without_reason = await client.post(
            f"/nominations/{board.nominations['wang-fang']}/check",
            json={"decision": "reject"},
            headers=board.committee,
        )
        await client.post(
            f"/nominations/{board.nominations['wang-fang']}/check",
            json={"decision": "reject", "reason": "不在本社区居住"},
            headers=board.committee,
        )
        no_candidates = await board.step("open-voting")
        await client.post(
            f"/nominations/{board.nominations['wang-fang']}/check",
            json={"decision": "approve"},
            headers=board.committee,
        )
        opened = await board.step("open-voting")
        await board.vote("sun-hao", "wang-fang")
        close_before_time = await board.step("close")
        clock.set(VOTING_CLOSES)
        late_ballot = await board.vote("zhao-lei", "wang-fang")
        closed = await board.step("close")
        closed_again = await board.step("close")

    assert vote_too_early.status_code == 409
    assert vote_too_early.json()["current_state"] == "nominating"
    assert close_too_early.status_code == 409
    assert close_too_early.json()["allowed_next"] == ["checking"]
    assert unchecked.status_code == 409
    assert unchecked.json()["reason"] == "nominations-unchecked"
    assert rejected_without_reason.status_code == 400
    assert no_candidates.status_code == 409
    assert no_candidates.json()["reason"] == "no-candidates"
    assert opened.json()["state"] == "voting"
    assert close_before_time.status_code == 409
    assert close_before_time.json()["reason"] == "voting-still-open"
    assert late_ballot.status_code == 409
    assert late_ballot.json()["reason"] == "voting-closed"
    assert closed.status_code == 200
    assert closed.json()["state"] == "concluded"
    assert closed_again.status_code == 409
    assert closed_again.json()["reason"] == "illegal-transition"


async def test_tallies_are_hidden_from_everyone_until_the_vote_closes(
    community_app: AppFactory, tokens: Tokens
) -> None:
    async with community_app(clock=SettableClock(T0)) as client:
        board = Board(client, tokens)
        await board.voting()
        await board.vote("sun-hao", "wang-fang")
        as_committee = (await client.get(f"/selections/{board.id}", headers=board.committee)).json()
        as_voter = (await client.get(f"/selections/{board.id}", headers=board.resident("sun-hao"))).json()
        listed = (await client.get("/selections", headers=board.committee)).json()["items"]
        results = await client.get(f"/selections/{board.id}/results")

    for view in (as_committee, as_voter, *listed):
        assert view["votes_cast"] is None
        assert all(c["votes"] is None and c["winner"] is None for c in view["candidates"])
    assert as_voter["voted"] is True
    assert as_committee["voted"] is False
    assert results.status_code == 409
    assert results.json()["reason"] == "not-concluded"


async def test_the_top_seats_win_a_tie_at_the_last_seat_goes_to_the_earliest_nomination_and_results_are_public(
    community_app: AppFactory, tokens: Tokens, nats_url: str
) -> None:
    clock = SettableClock(T0)
    async with community_app(clock=clock) as client:
        board = Board(client, tokens)
        await board.create()
        for person, name, group in CANDIDATES:  # nominated in this order, a minute apart
            await board.nominate(person, name, group)
            clock.advance(timedelta(minutes=1))
        for nomination in board.nominations.values():
            await client.post(f"/nominations/{nomination}/check", json={"decision": "approve"}, headers=board.committee)
        await board.step("close-nominations")
        await board.step("open-voting")
        # huang-li 3 votes; wang-fang and chen-jing 1 each: wang-fang was nominated first.
        await board.vote("sun-hao", "huang-li", "chen-jing")
        await board.vote("zhao-lei", "huang-li", "wang-fang")
        await board.vote("liu-yang", "huang-li")
        clock.set(VOTING_CLOSES)
        closed = await board.step("close")
        results = await client.get(f"/selections/{board.id}/results")  # no token: the public board

        events = await eventually(
            lambda: community_events(nats_url, "selection.concluded", board.id), message="selection.concluded on NATS"
        )

    assert closed.status_code == 200, closed.text
    assert results.status_code == 200, results.text
    body = results.json()
    assert [(w["name"], w["votes"]) for w in body["winners"]] == [("黄丽", 3), ("王芳", 1)]
    assert [(c["rank"], c["name"], c["winner"]) for c in body["candidates"]] == [
        (1, "黄丽", True),
        (2, "王芳", True),
        (3, "陈静", False),
    ]
    assert body["votes_cast"] == 3
    assert body["category_label"]["zh-CN"] == "邻里之星"
    assert "person_id" not in body["winners"][0]
    assert len(events) == 1
    data = events[0]["data"]
    assert [(w["person_id"], w["votes"], w["building_group"]) for w in data["winners"]] == [
        ("huang-li", 3, 3),
        ("wang-fang", 1, 3),
    ]
    assert data["votes_cast"] == 3
    assert data["seats"] == 2
    assert data["year"] == 2020
    assert "voter" not in str(data)
    assert "sun-hao" not in str(data)


async def test_the_committees_view_is_for_the_selections_own_committees_not_another_communitys_reading_as_the_district(
    community_app: AppFactory, tokens: Tokens
) -> None:
    async with community_app(clock=SettableClock(T0)) as client:
        board = Board(client, tokens)
        await board.create()
        await board.nominate("wang-fang", "王芳", 3)
        await board.nominate("chen-jing", "陈静", 5)
        await client.post(
            f"/nominations/{board.nominations['wang-fang']}/check",
            json={"decision": "approve"},
            headers=board.committee,
        )
        district = tokens.headers("xu-ming", "committee", "district", community="xinhua")
        own = (await client.get(f"/selections/{board.id}", headers=board.committee)).json()
        read = (await client.get(f"/selections/{board.id}", headers=district)).json()
        listed = (await client.get("/selections", params={"community": "meihu"}, headers=district)).json()["items"]

    assert sorted((c["person_id"], c["nominated_by"]) for c in own["candidates"]) == [
        ("chen-jing", "sun-hao"),
        ("wang-fang", "sun-hao"),
    ]
    for view in (read, *listed):
        assert [(c["person_id"], c["status"], c["nominated_by"]) for c in view["candidates"]] == [
            ("wang-fang", "approved", None)
        ]


async def test_bad_selections_are_refused_with_a_problem_and_nothing_stored(
    community_app: AppFactory, tokens: Tokens, sql: Sql
) -> None:
    async with community_app(clock=SettableClock(T0)) as client:
        committee = tokens.headers("zhang-wei", "committee")
        backwards = await client.post(
            "/selections",
            json=selection_body(voting_closes_at=(NOMINATIONS_CLOSE - timedelta(days=1)).isoformat()),
            headers=committee,
        )
        past = await client.post(
            "/selections",
            json=selection_body(nominations_close_at=(T0 - timedelta(days=1)).isoformat()),
            headers=committee,
        )
        no_seats = await client.post("/selections", json=selection_body(seats=0), headers=committee)
        unknown_category = await client.post("/selections", json=selection_body(category="best_dog"), headers=committee)
        by_resident = await client.post("/selections", json=selection_body(), headers=tokens.headers("sun-hao"))
        other_community = tokens.headers("zhang-wei", "committee", community="xinhua")
        created = await client.post("/selections", json=selection_body(), headers=committee)
        hidden = await client.get(f"/selections/{created.json()['id']}", headers=other_community)

    assert [backwards.status_code, past.status_code] == [400, 400]
    assert [no_seats.status_code, unknown_category.status_code] == [422, 422]
    assert by_resident.status_code == 403
    assert hidden.status_code == 404
    assert await sql.fetchval("SELECT count(*) FROM selections") == 1
