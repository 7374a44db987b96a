"""The love bank's privileged actions are in its audit log: manual adjustments first of all."""

from __future__ import annotations

import httpx

from tests.support.audit import audit_entries
from tests.support.infra import Tokens


async def test_a_manual_adjustment_is_audited_and_a_refused_one_is_not(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    added = await client.post(
        "/accounts/wu-xia/adjustments", json={"points": 50, "reason": "补录三月巡逻"}, headers=admin
    )
    assert added.status_code == 201, added.text
    overdraw = await client.post(
        "/accounts/wu-xia/adjustments", json={"points": -80, "reason": "多扣了积分"}, headers=admin
    )
    assert overdraw.status_code == 409

    [entry] = await audit_entries(client, admin, action="points.adjusted")

    assert (entry["subject"], entry["actor"]) == ("wu-xia", "admin")
    assert entry["details"] == {
        "points": 50,
        "reason": "补录三月巡逻",
        "transaction_id": added.json()["transaction_id"],
        "balance_after": 50,
    }
    assert (await client.get("/audit", headers=tokens.headers("li-na", "committee"))).status_code == 403
