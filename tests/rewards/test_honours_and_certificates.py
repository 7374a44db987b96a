"""Yearly honours granted by the committee, leaderboards, certificates and the ledger audit."""

from __future__ import annotations

from datetime import timedelta

import httpx

from services.rewards.service_layer import awards
from services.rewards.service_layer import participation as participations
from tests.rewards.helpers import SHANGHAI_NOON, connect, joined, participation, resolved
from tests.support.infra import Tokens


async def _history(database_url: str) -> None:
    async with connect(database_url) as conn, conn.transaction():
        await participations.on_participation_completed(
            joined(conn), participation("wang-fang", hours=3.0, building_group=3)
        )
        await participations.on_participation_completed(
            joined(conn),
            participation("huang-li", hours=1.0, building_group=3, started_at=SHANGHAI_NOON + timedelta(days=1)),
        )
        await participations.on_participation_completed(
            joined(conn), participation("chen-jing", hours=2.0, building_group=5)
        )
        await awards.on_issue_resolved(joined(conn), resolved(["huang-li"]))


async def test_candidates_are_ranked_by_points_then_hours_and_a_committee_member_grants(
    client: httpx.AsyncClient, admin: dict[str, str], database_url: str, tokens: Tokens
) -> None:
    await _history(database_url)
    ranked = (await client.get("/honours/candidates?kind=neighbour_star&year=2026", headers=admin)).json()
    assert [(c["person_id"], c["points"]) for c in ranked] == [("wang-fang", 36), ("huang-li", 32), ("chen-jing", 24)]
    leaders = (await client.get("/honours/candidates?kind=excellent_group_leader&year=2026", headers=admin)).json()
    assert [(c["building_group"], c["rank"], c["person_id"]) for c in leaders] == [
        (3, 1, "wang-fang"),
        (3, 2, "huang-li"),
        (5, 1, "chen-jing"),
    ]

    resident = await client.post(
        "/honours",
        json={"person_id": "wang-fang", "kind": "neighbour_star", "year": 2026},
        headers=tokens.headers("sun-hao", "resident"),
    )
    assert resident.status_code == 403
    granted = await client.post(
        "/honours",
        json={"person_id": "wang-fang", "kind": "neighbour_star", "year": 2026, "citation": "巡逻风雨无阻"},
        headers=tokens.headers("zhang-wei", "committee"),
    )
    assert granted.status_code == 201, granted.text
    assert granted.json()["title"]["zh-CN"] == "2026年度邻里之星"
    assert granted.json()["building_group"] == 3
    twice = await client.post(
        "/honours",
        json={"person_id": "wang-fang", "kind": "neighbour_star", "year": 2026},
        headers=tokens.headers("zhang-wei", "committee"),
    )
    assert twice.status_code == 409
    async with connect(database_url) as conn:
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'linli.honour.granted.v1'") == 1


async def test_leaderboard_by_building_group(
    client: httpx.AsyncClient, admin: dict[str, str], database_url: str
) -> None:
    await _history(database_url)
    board = (await client.get("/leaderboards?period=all&building_group=3", headers=admin)).json()
    assert [(s["rank"], s["person_id"]) for s in board] == [(1, "wang-fang"), (2, "huang-li")]
    by_hours = (await client.get("/leaderboards?period=all&metric=hours", headers=admin)).json()
    assert by_hours[0]["person_id"] == "wang-fang"


async def test_certificate_carries_the_record_rules_fields_as_a_chinese_pdf(
    client: httpx.AsyncClient, admin: dict[str, str], database_url: str, tokens: Tokens
) -> None:
    await _history(database_url)
    issued = await client.post(
        "/certificates",
        json={"person_id": "wang-fang", "person_name": "王芳", "id_number": "340104199001011234"},
        headers=admin,
    )
    assert issued.status_code == 201, issued.text
    record = issued.json()
    assert record["id_number"] == "3401**********1234"
    assert record["volunteer_no"]
    assert record["number"].startswith("MHZYFW-")
    assert record["hours"] == 3.0
    assert record["content"] == ["治安巡逻岗志愿服务 3.00 小时（1 次）"]

    pdf = await client.get(f"/certificates/{record['id']}/pdf", headers=tokens.headers("wang-fang"))
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert b"+NotoSerifSC-Regular" in pdf.content  # the embedded subset: test_certificate_pdf reads it as a reader does
    other = await client.get(f"/certificates/{record['id']}/pdf", headers=tokens.headers("sun-hao"))
    assert other.status_code == 403


async def test_verify_answers_500_with_a_report_when_the_books_do_not_add_up(
    client: httpx.AsyncClient, admin: dict[str, str], database_url: str
) -> None:
    await _history(database_url)
    assert (await client.get("/ledger/verify", headers=admin)).status_code == 200
    async with connect(database_url) as conn:
        # Only a superuser switching triggers off can do this: it stands for corruption from outside the service.
        await conn.execute("SET session_replication_role = replica")
        await conn.execute("UPDATE accounts SET balance = balance + 7 WHERE person_id = 'chen-jing'")

    response = await client.get("/ledger/verify", headers=admin)

    assert response.status_code == 500
    body = response.json()
    assert body["type"].endswith("/ledger-inconsistent")
    mismatch = body["report"]["cached_balance_mismatches"]
    assert [(m["person_id"], m["cached"], m["derived"]) for m in mismatch] == [("chen-jing", 31, 24)]


async def test_a_volunteer_lists_their_own_certificates_and_no_one_elses(
    client: httpx.AsyncClient, admin: dict[str, str], database_url: str, tokens: Tokens
) -> None:
    await _history(database_url)
    issued = await client.post(
        "/certificates",
        json={"person_id": "wang-fang", "person_name": "王芳", "id_number": "340104199001011234"},
        headers=admin,
    )
    assert issued.status_code == 201, issued.text

    mine = await client.get("/certificates", headers=tokens.headers("wang-fang"))
    assert mine.status_code == 200, mine.text
    assert [c["id"] for c in mine.json()] == [issued.json()["id"]]
    assert (await client.get("/certificates", headers=tokens.headers("sun-hao"))).json() == []
    nosy = await client.get("/certificates?person_id=wang-fang", headers=tokens.headers("sun-hao"))
    assert nosy.status_code == 403
    staff = await client.get("/certificates?person_id=wang-fang", headers=admin)
    assert [c["number"] for c in staff.json()] == [issued.json()["number"]]


async def test_an_account_says_at_how_many_hours_the_next_star_comes(
    client: httpx.AsyncClient, database_url: str, tokens: Tokens
) -> None:
    await _history(database_url)
    account = (await client.get("/accounts/me", headers=tokens.headers("wang-fang"))).json()
    assert (account["confirmed_hours"], account["star_level"], account["next_star_hours"]) == (3.0, 0, 100)
    assert account["current_star_hours"] == 0
