"""Micro-wishes (微心愿) through the HTTP API on real NATS and PostgreSQL: from intake's matter to the
private candidate, the public board without the family, one claimer at a time, fulfilment and the
family's confirmation, and the events on NATS."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from contracts.events.issue import IssueSubmitted
from tests.notifications.support import publish, wrap
from tests.support.events import published
from tests.support.infra import Tokens, eventually
from tests.support.sql import Sql

FAMILY = "sun-hao"
PHOTO = "https://img.meihu.example.org/wishes/1.jpg"


def committee(tokens: Tokens) -> dict[str, str]:
    return tokens.headers("zhang-wei", "committee", "resident", name="张伟", building_group=1)


def volunteer(tokens: Tokens) -> dict[str, str]:
    return tokens.headers("wang-fang", "resident", "volunteer", name="王芳", building_group=3)


def family(tokens: Tokens) -> dict[str, str]:
    return tokens.headers(FAMILY, "resident", name="孙浩", building_group=6)


async def enter_wish(client: httpx.AsyncClient, tokens: Tokens, **fields: Any) -> dict[str, Any]:
    body = {"channel": "festival", "family_id": FAMILY, "title": "想要一套儿童绘本", "building_group": 6, **fields}
    response = await client.post("/wishes", json=body, headers=committee(tokens))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def community_events(nats_url: str, entity: str, count: int) -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]]:
        events = [e for e in await published(nats_url, "LINLI_COMMUNITY") if e["type"].startswith(f"linli.{entity}.")]
        return events if len(events) >= count else []

    found: list[dict[str, Any]] = await eventually(probe, message=f"{count} {entity} events on NATS")
    return found


async def test_a_micro_wish_raised_in_intake_becomes_a_candidate_only_the_committees_see(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str, sql: Sql
) -> None:
    issue_id = uuid.uuid4()
    submitted = IssueSubmitted(
        issue_id=issue_id, category="micro_wish", title="孩子想要一个书包", reporter_id=FAMILY, building_group=6,
        status="submitted", channel="app", submitted_at=datetime.now(UTC),
    )  # fmt: skip
    event = wrap(submitted, "intake", str(issue_id))
    await publish(nats_url, event)
    await publish(nats_url, event, msg_id="redelivered")  # the same event past JetStream's window

    async def candidates() -> list[dict[str, Any]]:
        page = await client.get("/wishes", params={"status": "candidate"}, headers=committee(tokens))
        items: list[dict[str, Any]] = page.json()["items"]
        return items

    [candidate] = await eventually(candidates, message="a wish candidate")
    assert candidate["committee"]["family_id"] == FAMILY
    assert candidate["committee"]["issue_id"] == str(issue_id)
    assert candidate["channel"] == "intake"
    assert await sql.fetchval("SELECT count(*) FROM wishes") == 1

    resident_board = await client.get("/wishes", headers=volunteer(tokens))
    assert resident_board.json()["items"] == []
    asked = await client.get("/wishes", params={"status": "candidate"}, headers=volunteer(tokens))
    assert asked.status_code == 403
    assert (await client.get(f"/wishes/{candidate['id']}", headers=volunteer(tokens))).status_code == 404


async def test_a_candidate_is_not_there_for_anyone_but_the_committees_whatever_they_ask_of_it(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str, sql: Sql
) -> None:
    issue_id = uuid.uuid4()
    submitted = IssueSubmitted(
        issue_id=issue_id, category="micro_wish", title="孩子想要一个书包", reporter_id=FAMILY, building_group=6,
        status="submitted", channel="app", submitted_at=datetime.now(UTC),
    )  # fmt: skip
    await publish(nats_url, wrap(submitted, "intake", str(issue_id)))

    async def candidates() -> list[dict[str, Any]]:
        page = await client.get("/wishes", params={"status": "candidate"}, headers=committee(tokens))
        items: list[dict[str, Any]] = page.json()["items"]
        return items

    [candidate] = await eventually(candidates, message="a wish candidate")
    path = f"/wishes/{candidate['id']}"
    claimed = await client.post(f"{path}/claim", headers=volunteer(tokens))
    fulfilled = await client.post(
        f"{path}/fulfil", json={"note": "已送达", "photo_url": PHOTO}, headers=volunteer(tokens)
    )
    confirmed = await client.post(f"{path}/confirm", headers=family(tokens))

    assert [claimed.status_code, fulfilled.status_code, confirmed.status_code] == [404, 404, 404]
    assert "candidate" not in claimed.text
    assert await sql.fetchval("SELECT status FROM wishes") == "candidate"


async def test_the_board_never_shows_the_family_to_a_resident_or_an_anonymous_caller(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str
) -> None:
    wish = await enter_wish(client, tokens, description="三年级，喜欢恐龙")
    assert wish["committee"]["family_id"] == FAMILY

    as_resident = await client.get("/wishes", headers=tokens.headers("zhao-lei", "resident", "volunteer"))
    anonymous = await client.get("/wishes", params={"community": "meihu"})
    one_anonymous = await client.get(f"/wishes/{wish['id']}", params={"community": "meihu"})

    for answer in (as_resident, anonymous, one_anonymous):
        assert answer.status_code == 200, answer.text
        assert FAMILY not in answer.text
        assert "family_id" not in answer.text
    [shown] = anonymous.json()["items"]
    assert shown["title"] == "想要一套儿童绘本"
    assert shown["building_group"] == 6
    assert shown["committee"] is None
    [approved] = await community_events(nats_url, "wish", 1)
    assert approved["type"] == "linli.wish.approved.v1"
    assert approved["data"]["channel"] == "festival"
    assert FAMILY not in json.dumps(approved)
    assert (await client.get("/wishes")).status_code == 400  # anonymous: which community's board?


async def test_a_committee_approves_a_candidate_with_the_public_wording_it_edits(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str
) -> None:
    issue_id = uuid.uuid4()
    submitted = IssueSubmitted(
        issue_id=issue_id, category="micro_wish", title="孙浩家孩子想要书包（6栋2单元301）", reporter_id=FAMILY,
        building_group=6, status="submitted", channel="app", submitted_at=datetime.now(UTC),
    )  # fmt: skip
    await publish(nats_url, wrap(submitted, "intake", str(issue_id)))

    async def candidate() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = (
            await client.get("/wishes", params={"status": "candidate"}, headers=committee(tokens))
        ).json()["items"]
        return items

    [found] = await eventually(candidate)
    by_resident = await client.post(f"/wishes/{found['id']}/approve", json={}, headers=volunteer(tokens))
    assert by_resident.status_code == 403
    approved = await client.post(
        f"/wishes/{found['id']}/approve",
        json={"title": "一年级孩子想要一个书包", "description": "蓝色，能装下课本"},
        headers=committee(tokens),
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    again = await client.post(f"/wishes/{found['id']}/approve", json={}, headers=committee(tokens))
    assert again.status_code == 409
    assert again.json()["current_state"] == "approved"

    board = (await client.get("/wishes", params={"community": "meihu"})).json()["items"]
    assert [w["title"] for w in board] == ["一年级孩子想要一个书包"]
    assert "301" not in json.dumps(board)
    assert FAMILY not in json.dumps(board)
    [event] = await community_events(nats_url, "wish", 1)
    assert event["data"]["title"] == "一年级孩子想要一个书包"
    assert event["data"]["issue_id"] == str(issue_id)
    assert event["data"]["channel"] == "intake"


async def test_a_wish_is_claimed_fulfilled_and_confirmed_by_the_family_with_its_events(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str
) -> None:
    wish = await enter_wish(client, tokens)
    path = f"/wishes/{wish['id']}"

    claimed = await client.post(f"{path}/claim", json={"claimer_kind": "party_member"}, headers=volunteer(tokens))
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["claimer_name"] == "王芳"
    fulfilled = await client.post(
        f"{path}/fulfil", json={"note": "绘本已送到", "photo_url": PHOTO}, headers=volunteer(tokens)
    )
    assert fulfilled.status_code == 200, fulfilled.text
    assert fulfilled.json()["photo_url"] == PHOTO
    public = (await client.get(path, params={"community": "meihu"})).json()
    assert public["status"] == "fulfilled"
    assert public["photo_url"] is None
    assert public["fulfil_note"] is None
    confirmed = await client.post(f"{path}/confirm", headers=family(tokens))
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"

    events = await community_events(nats_url, "wish", 4)
    assert [e["type"] for e in events] == [
        "linli.wish.approved.v1",
        "linli.wish.claimed.v1",
        "linli.wish.fulfilled.v1",
        "linli.wish.confirmed.v1",
    ]
    fulfilled_event, confirmed_event = events[2]["data"], events[3]["data"]
    assert fulfilled_event["family_id"] == FAMILY  # for the inbox only
    assert fulfilled_event["note"] == "绘本已送到"
    assert confirmed_event["claimer_kind"] == "party_member"
    assert confirmed_event["claimer_id"] == "wang-fang"
    for other in (events[0], events[1], events[3]):
        assert FAMILY not in json.dumps(other)


async def test_one_claimer_at_a_time_a_second_claim_is_a_conflict_and_changes_nothing(
    client: httpx.AsyncClient, tokens: Tokens, sql: Sql
) -> None:
    wish = await enter_wish(client, tokens)
    first = await client.post(f"/wishes/{wish['id']}/claim", headers=volunteer(tokens))
    assert first.status_code == 200

    second = await client.post(
        f"/wishes/{wish['id']}/claim", headers=tokens.headers("zhao-lei", "resident", "volunteer", name="赵磊")
    )

    assert second.status_code == 409
    assert second.json()["current_state"] == "claimed"
    assert await sql.fetchval("SELECT claimer_id FROM wishes") == "wang-fang"
    assert len(await sql.outbox("linli.wish.claimed.v1")) == 1


async def test_only_the_claimer_fulfils_and_only_the_family_confirms(
    client: httpx.AsyncClient, tokens: Tokens, sql: Sql
) -> None:
    wish = await enter_wish(client, tokens)
    path = f"/wishes/{wish['id']}"
    await client.post(f"{path}/claim", headers=volunteer(tokens))
    body = {"note": "已送达", "photo_url": PHOTO}

    by_someone_else = await client.post(f"{path}/fulfil", json=body, headers=tokens.headers("zhao-lei", "volunteer"))
    by_committee = await client.post(f"{path}/fulfil", json=body, headers=committee(tokens))
    assert (by_someone_else.status_code, by_committee.status_code) == (403, 403)
    confirm_too_early = await client.post(f"{path}/confirm", headers=family(tokens))
    assert confirm_too_early.status_code == 409
    assert (await client.post(f"{path}/fulfil", json=body, headers=volunteer(tokens))).status_code == 200

    by_claimer = await client.post(f"{path}/confirm", headers=volunteer(tokens))
    by_committee_confirm = await client.post(f"{path}/confirm", headers=committee(tokens))

    assert (by_claimer.status_code, by_committee_confirm.status_code) == (403, 403)
    assert await sql.fetchval("SELECT status FROM wishes") == "fulfilled"
    assert await sql.outbox("linli.wish.confirmed.v1") == []


async def test_the_family_cannot_claim_its_own_wish(client: httpx.AsyncClient, tokens: Tokens, sql: Sql) -> None:
    wish = await enter_wish(client, tokens)

    response = await client.post(f"/wishes/{wish['id']}/claim", headers=family(tokens))

    assert response.status_code == 409
    assert response.json()["reason"] == "family-cannot-claim"
    assert await sql.fetchval("SELECT status FROM wishes") == "approved"


async def test_a_committee_records_a_units_claim_and_fulfils_it_for_the_unit(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str
) -> None:
    wish = await enter_wish(client, tokens, channel="visit")
    path = f"/wishes/{wish['id']}"
    unit = {"claimer_kind": "unit", "unit_name": "美湖物业", "contact_name": "物业李经理"}

    by_resident = await client.post(f"{path}/claim", json=unit, headers=volunteer(tokens))
    assert by_resident.status_code == 403
    nameless = await client.post(f"{path}/claim", json={"claimer_kind": "unit"}, headers=committee(tokens))
    assert nameless.status_code == 400
    claimed = await client.post(f"{path}/claim", json=unit, headers=committee(tokens))
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["claimer_name"] == "美湖物业"
    assert claimed.json()["committee"]["unit_contact"] == "物业李经理"
    fulfilled = await client.post(
        f"{path}/fulfil", json={"note": "物业送来了轮椅", "photo_url": PHOTO}, headers=committee(tokens)
    )
    assert fulfilled.status_code == 200, fulfilled.text
    assert (await client.post(f"{path}/confirm", headers=family(tokens))).status_code == 200

    confirmed = (await community_events(nats_url, "wish", 4))[3]["data"]
    assert confirmed["claimer_kind"] == "unit"
    assert confirmed["claimer_id"] is None
    assert confirmed["claimer_name"] == "美湖物业"


async def test_bad_input_is_a_clear_problem_and_changes_nothing(
    client: httpx.AsyncClient, tokens: Tokens, sql: Sql
) -> None:
    wish = await enter_wish(client, tokens)
    path = f"/wishes/{wish['id']}"
    await client.post(f"{path}/claim", headers=volunteer(tokens))

    not_a_photo = await client.post(
        f"{path}/fulfil", json={"note": "好了", "photo_url": "javascript:alert(1)"}, headers=volunteer(tokens)
    )
    blank_note = await client.post(f"{path}/fulfil", json={"note": "  ", "photo_url": PHOTO}, headers=volunteer(tokens))
    intake_channel = await client.post(
        "/wishes", json={"channel": "intake", "family_id": FAMILY, "title": "x"}, headers=committee(tokens)
    )
    unknown = await client.post(f"/wishes/{uuid.uuid4()}/claim", headers=volunteer(tokens))

    assert not_a_photo.status_code == 422
    assert blank_note.status_code == 400
    assert blank_note.headers["content-type"].startswith("application/problem+json")
    assert intake_channel.status_code == 422
    assert unknown.status_code == 404
    assert await sql.fetchval("SELECT status FROM wishes") == "claimed"
    assert await sql.fetchval("SELECT count(*) FROM wishes") == 1


async def test_another_communitys_wish_does_not_exist_for_a_caller_outside_it(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    wish = await enter_wish(client, tokens)
    outsider = tokens.headers("someone", "committee", "volunteer", community="other")

    assert (await client.get(f"/wishes/{wish['id']}", headers=outsider)).status_code == 404
    assert (await client.post(f"/wishes/{wish['id']}/claim", headers=outsider)).status_code == 404
    assert (await client.get("/wishes", params={"community": "meihu"}, headers=outsider)).status_code == 404
    assert (await client.get("/wishes", headers=outsider)).json()["items"] == []
    assert (await client.get(f"/wishes/{wish['id']}", params={"community": "other"})).status_code == 404
