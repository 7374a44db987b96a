"""Manual corrections need an admin and a reason, never overdraw, and leave an audit trail."""

from __future__ import annotations

import httpx

from services.rewards.service_layer import participation as participations
from tests.rewards.helpers import connect, joined, participation
from tests.support.infra import Tokens
from tests.support.sql import Sql


async def test_adjustments_need_an_admin_and_a_reason_and_are_audited(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens, database_url: str
) -> None:
    body = {"points": 50, "reason": "补录 3 月巡逻 (March patrol, recorded late)"}
    committee = await client.post(
        "/accounts/wu-xia/adjustments", json=body, headers=tokens.headers("li-na", "committee")
    )
    assert committee.status_code == 403
    no_reason = await client.post("/accounts/wu-xia/adjustments", json={"points": 50}, headers=admin)
    assert no_reason.status_code == 422

    added = await client.post("/accounts/wu-xia/adjustments", json=body, headers=admin)
    assert added.status_code == 201
    assert added.json()["balance_after"] == 50
    overdraw = await client.post(
        "/accounts/wu-xia/adjustments", json={"points": -60, "reason": "too much"}, headers=admin
    )
    assert overdraw.status_code == 409

    trail = (await client.get("/ledger/corrections", headers=admin)).json()["items"]
    assert [(t["kind"], t["actor_id"], t["reason"]) for t in trail] == [("adjustment", "admin", body["reason"])]
    assert sorted(p["amount"] for p in trail[0]["postings"]) == [-50, 50]
    adjusted = await Sql(database_url, "rewards").outbox()
    assert [(e["data"]["points"], e["data"]["adjusted_by"]) for e in adjusted] == [(50, "admin")]


async def test_an_award_is_corrected_by_a_reversing_transaction(
    client: httpx.AsyncClient, admin: dict[str, str], database_url: str
) -> None:
    async with connect(database_url) as conn, conn.transaction():
        await participations.on_participation_completed(joined(conn), participation("zhou-qiang", hours=2.0))
    award = (await client.get("/accounts/zhou-qiang/awards", headers=admin)).json()["items"][0]

    reversal = await client.post(
        f"/ledger/transactions/{award['transaction_id']}/reversal",
        json={"reason": "班次记录错误 wrong shift"},
        headers=admin,
    )

    assert reversal.status_code == 201, reversal.text
    assert reversal.json()["balance_after"] == 0
    original = (await client.get(f"/ledger/transactions/{award['transaction_id']}", headers=admin)).json()
    assert original["reversed_by"] == reversal.json()["transaction_id"]
    again = await client.post(
        f"/ledger/transactions/{award['transaction_id']}/reversal", json={"reason": "twice"}, headers=admin
    )
    assert again.status_code == 409
    system = {a["kind"]: a["balance"] for a in (await client.get("/ledger/accounts", headers=admin)).json()}
    assert system["issuance"] == 0
    assert (await client.get("/ledger/verify", headers=admin)).status_code == 200


async def test_an_admin_cannot_adjust_their_own_balance(
    client: httpx.AsyncClient, admin: dict[str, str], database_url: str
) -> None:
    own = await client.post(
        "/accounts/admin/adjustments", json={"points": 500, "reason": "自己加分 my own bonus"}, headers=admin
    )

    assert own.status_code == 403
    assert own.json()["reason"] == "own-balance"
    async with connect(database_url) as conn:
        assert await conn.fetchval("SELECT count(*) FROM transactions") == 0
