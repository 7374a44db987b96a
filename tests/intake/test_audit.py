"""Intake's privileged actions are in its audit log: who reviewed which issue, and how."""

from __future__ import annotations

import httpx

from tests.intake.support import COMMITTEE, act, as_, submit
from tests.support.audit import audit_entries
from tests.support.infra import Tokens


async def test_a_committee_review_is_audited_with_its_decision_and_a_refused_one_is_not(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    issue = await submit(client, tokens)
    await act(client, tokens, issue["id"], "review", {"decision": "accept", "note": "已受理"})
    await act(client, tokens, issue["id"], "review", {"decision": "refer"}, expect=409)  # accepted already

    entries = await audit_entries(client, tokens.headers("admin", "admin"))

    assert [(e["action"], e["subject"], e["actor"]) for e in entries] == [("issue.reviewed", issue["id"], "zhang-wei")]
    assert entries[0]["details"]["decision"] == "accept"
    assert "committee" in entries[0]["actor_roles"]
    assert (await client.get("/audit", headers=as_(tokens, COMMITTEE))).status_code == 403


async def test_an_open311_key_is_audited_by_its_id_never_by_the_key(client: httpx.AsyncClient, tokens: Tokens) -> None:
    admin = tokens.headers("admin", "admin")
    created = await client.post(
        "/open311-keys", json={"name": "12345 热线", "principal": "hotline-12345"}, headers=admin
    )
    assert created.status_code == 201, created.text

    [entry] = await audit_entries(client, admin, action="open311_key.issued")

    assert entry["subject"] == created.json()["id"]
    assert created.json()["key"] not in str(entry)
