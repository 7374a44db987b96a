"""Contributors earn points, so whoever resolves an issue is never among its contributors."""

from __future__ import annotations

import httpx

from tests.intake.support import COMMITTEE, act, as_, submit
from tests.support.infra import Tokens


async def test_a_committee_member_cannot_name_themself_a_contributor_of_the_issue_they_resolve(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    issue = await submit(client, tokens)
    await act(client, tokens, issue["id"], "review", {"decision": "accept"})
    await act(client, tokens, issue["id"], "start")
    resolver = COMMITTEE[0]

    refused = await client.post(
        f"/issues/{issue['id']}/resolve",
        json={"summary": "已清理", "contributors": ["liu-yang", resolver]},
        headers=as_(tokens, COMMITTEE),
    )
    after = await client.get(f"/issues/{issue['id']}", headers=as_(tokens, COMMITTEE))

    assert refused.status_code == 403
    assert refused.json()["reason"] == "own-contribution"
    assert after.json()["status"] == "in_progress"
