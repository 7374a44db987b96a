"""A person exports everything the love bank holds about them; forgetting them moves their account,
redemptions, certificates, honours and leaderboard rows to their pseudonym with names and identity
numbers cleared, while the books (transactions, postings, awards) stay exactly as written."""

from __future__ import annotations

import uuid

import asyncpg
import httpx
import pytest

from services.rewards.service_layer import participation as participations
from tests.rewards.helpers import connect, joined, participation
from tests.support.infra import Tokens
from tests.support.privacy import exported, forgotten, kinds_with_rows, mentions

PERSON = "wang-fang"


async def history(client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens, database_url: str) -> None:
    async with connect(database_url) as conn, conn.transaction():
        await participations.on_participation_completed(
            joined(conn), participation(PERSON, hours=3.0, building_group=3)
        )
        await conn.execute(
            """INSERT INTO honours (id, community, person_id, kind, year, building_group, person_name)
               VALUES ($1, 'meihu', $2, 'filial_piety', 2026, 3, '王芳')""",
            uuid.uuid4(),
            PERSON,
        )
    prize = await client.post(
        "/prizes", json={"code": "rice", "name_zh": "大米", "name_en": "Rice", "cost": 10, "stock": 5}, headers=admin
    )
    assert prize.status_code == 201, prize.text
    redeemed = await client.post("/redemptions", json={"prize_id": prize.json()["id"]}, headers=tokens.headers(PERSON))
    assert redeemed.status_code == 201, redeemed.text
    certificate = await client.post(
        "/certificates",
        json={"person_id": PERSON, "person_name": "王芳", "id_number": "340104199001011234"},
        headers=admin,
    )
    assert certificate.status_code == 201, certificate.text


async def test_a_person_exports_account_statement_awards_redemptions_certificates_and_honours(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens, database_url: str
) -> None:
    await history(client, admin, tokens, database_url)

    mine = await exported(client, tokens.headers(PERSON))

    assert mine["service"] == "rewards"
    assert {"account", "statement", "awards", "redemptions", "certificates", "honours", "leaderboard"} <= (
        kinds_with_rows(mine)
    )
    assert mine["data"]["account"][0]["balance"] == 26  # 36 for three hours of patrol, 10 reserved for the rice
    assert mine["data"]["certificates"][0]["person_name"] == "王芳"
    assert (await exported(client, admin, PERSON))["data"] == mine["data"]


async def test_forgetting_keeps_the_books_as_written_and_clears_every_name(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens, database_url: str
) -> None:
    await history(client, admin, tokens, database_url)
    before = (await client.get(f"/accounts/{PERSON}", headers=admin)).json()

    done = await forgotten(client, admin, PERSON)
    again = await forgotten(client, admin, PERSON)

    alias = done["pseudonym"]
    assert {"account", "redemptions", "certificates", "honours", "leaderboard"} <= set(done["anonymised"])
    assert again["anonymised"] == {}
    left = await exported(client, admin, PERSON)
    assert kinds_with_rows(left) == {"awards"}  # the ledger's own rows: the subject id, points, hours; no name
    assert mentions(left, "王芳", "3401") == []
    emptied = (await client.get(f"/accounts/{PERSON}", headers=admin)).json()
    assert (emptied["balance"], emptied["reserved"], emptied["volunteer_no"]) == (0, 0, None)
    kept = (await client.get(f"/accounts/{alias}", headers=admin)).json()
    assert (kept["balance"], kept["reserved"]) == (before["balance"], before["reserved"])
    assert (await client.get("/ledger/verify", headers=admin)).status_code == 200
    as_alias = await exported(client, admin, alias)
    assert mentions(as_alias, "王芳", "340104199001011234") == []
    assert as_alias["data"]["honours"][0]["person_name"] is None


async def test_an_honour_refuses_every_change_but_forgetting_its_person(database_url: str) -> None:
    async with connect(database_url) as conn:
        honour = uuid.uuid4()
        await conn.execute(
            """INSERT INTO honours (id, community, person_id, kind, year, person_name)
               VALUES ($1, 'meihu', 'huang-li', 'neighbour_star', 2026, '黄丽')""",
            honour,
        )
        for change in (
            "UPDATE honours SET citation = 'x' WHERE id = $1",
            "UPDATE honours SET person_id = 'sun-hao', person_name = NULL WHERE id = $1",
            "UPDATE honours SET person_id = 'forgotten-1', person_name = NULL, year = 2025 WHERE id = $1",
            "DELETE FROM honours WHERE id = $1",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(change, honour)
        await conn.execute("UPDATE honours SET person_id = 'forgotten-1', person_name = NULL WHERE id = $1", honour)
        assert await conn.fetchval("SELECT person_id FROM honours WHERE id = $1", honour) == "forgotten-1"
