"""A person exports everything intake holds about them; forgetting them keeps their matters, steps
and comments under a pseudonym with name and contact cleared, deletes their follows, and leaves
their export empty."""

from __future__ import annotations

import httpx

from tests.intake.support import COMMITTEE, NEIGHBOUR, RESIDENT, act, as_, submit
from tests.support.infra import Tokens
from tests.support.privacy import exported, forgotten, kinds_with_rows, mentions

ADMIN = ("admin", "admin", 1)


async def raised_and_commented(client: httpx.AsyncClient, tokens: Tokens) -> dict[str, object]:
    issue = await submit(client, tokens, RESIDENT, contact={"phone": "13800000000"})
    await client.post(f"/issues/{issue['id']}/comments", json={"body": "我补充一下"}, headers=as_(tokens, RESIDENT))
    await act(client, tokens, str(issue["id"]), "review", {"decision": "accept"})
    return issue


async def test_a_person_exports_their_matters_steps_and_comments_and_an_admin_can_for_them(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    issue = await raised_and_commented(client, tokens)

    mine = await exported(client, as_(tokens, RESIDENT))
    by_admin = await exported(client, as_(tokens, ADMIN), RESIDENT[0])

    assert mine["service"] == "intake"
    assert mine["person_id"] == RESIDENT[0]
    assert [i["id"] for i in mine["data"]["issues_reported"]] == [issue["id"]]
    assert mine["data"]["issues_reported"][0]["contact"] == {"phone": "13800000000"}
    assert [c["body"] for c in mine["data"]["comments"]] == ["我补充一下"]
    assert mine["data"]["history_steps"]
    assert by_admin["data"] == mine["data"]


async def test_only_an_admin_exports_or_forgets_someone_else(client: httpx.AsyncClient, tokens: Tokens) -> None:
    await raised_and_commented(client, tokens)

    for who in (NEIGHBOUR, COMMITTEE):
        assert (await client.get(f"/people/{RESIDENT[0]}/export", headers=as_(tokens, who))).status_code == 403
        assert (await client.post(f"/people/{RESIDENT[0]}/forget", headers=as_(tokens, who))).status_code == 403
    assert (await client.get("/people/me/export")).status_code == 401


async def test_forgetting_keeps_the_matter_and_its_history_under_a_pseudonym_and_empties_the_export(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    issue = await raised_and_commented(client, tokens)
    steps_before = (await client.get(f"/issues/{issue['id']}/history", headers=as_(tokens, COMMITTEE))).json()["items"]

    done = await forgotten(client, as_(tokens, ADMIN), RESIDENT[0])
    again = await forgotten(client, as_(tokens, ADMIN), RESIDENT[0])

    alias = done["pseudonym"]
    assert alias.startswith("forgotten-")
    assert done["anonymised"]["issues_reported"] == 1
    assert done["anonymised"]["comments"] == 1
    assert again["pseudonym"] == alias
    assert again["anonymised"] == {}
    assert again["deleted"] == {}
    assert kinds_with_rows(await exported(client, as_(tokens, ADMIN), RESIDENT[0])) == set()
    assert kinds_with_rows(await exported(client, as_(tokens, RESIDENT))) == set()
    seen = (await client.get(f"/issues/{issue['id']}", headers=as_(tokens, COMMITTEE))).json()
    steps = (await client.get(f"/issues/{issue['id']}/history", headers=as_(tokens, COMMITTEE))).json()["items"]
    comments = (await client.get(f"/issues/{issue['id']}/comments", headers=as_(tokens, COMMITTEE))).json()["items"]
    assert seen["title"] == issue["title"]
    assert seen["reporter_id"] == alias
    assert seen["reporter_name"] is None
    assert seen["contact"] == {}
    assert len(steps) == len(steps_before)
    assert comments[0]["author_id"] == alias
    assert comments[0]["author_name"] is None
    assert mentions([seen, steps, comments], RESIDENT[0], "13800000000") == []
    pseudonymous = await exported(client, as_(tokens, ADMIN), alias)
    assert [i["id"] for i in pseudonymous["data"]["issues_reported"]] == [issue["id"]]


async def test_forgetting_a_contributor_keeps_the_resolution_under_their_pseudonym(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    issue = await raised_and_commented(client, tokens)
    await act(client, tokens, str(issue["id"]), "start")
    await act(client, tokens, str(issue["id"]), "resolve", {"summary": "清理完毕", "contributors": ["liu-yang"]})
    assert [c["id"] for c in (await exported(client, as_(tokens, ADMIN), "liu-yang"))["data"]["contributions"]] == [
        issue["id"]
    ]

    done = await forgotten(client, as_(tokens, ADMIN), "liu-yang")

    seen = (await client.get(f"/issues/{issue['id']}", headers=as_(tokens, COMMITTEE))).json()
    assert seen["contributors"] == [done["pseudonym"]]
    assert kinds_with_rows(await exported(client, as_(tokens, ADMIN), "liu-yang")) == set()
