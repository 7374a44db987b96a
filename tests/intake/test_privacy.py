"""Residents see others' issues without identity or contact; anonymous issues hide the reporter from
everyone but the committees; held (suspected spam) issues are seen only by committees and the reporter."""

from __future__ import annotations

import httpx

from tests.intake.support import COMMITTEE, NEIGHBOUR, RESIDENT, act, as_, sql, submit
from tests.support.infra import Tokens

COUNCIL_MEMBER = ("huang-li", "council_member", 3)


async def test_other_residents_see_the_issue_without_reporter_identity_or_contact(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    issue = await submit(client, tokens, RESIDENT)
    await client.post(f"/issues/{issue['id']}/comments", json={"body": "我补充照片"}, headers=as_(tokens, RESIDENT))

    seen = (await client.get(f"/issues/{issue['id']}", headers=as_(tokens, NEIGHBOUR))).json()
    listed = (await client.get("/issues", headers=as_(tokens, NEIGHBOUR))).json()["items"][0]
    history = (await client.get(f"/issues/{issue['id']}/history", headers=as_(tokens, NEIGHBOUR))).json()["items"]
    comments = (await client.get(f"/issues/{issue['id']}/comments", headers=as_(tokens, NEIGHBOUR))).json()["items"]

    for view in (seen, listed):
        assert view["reporter_id"] is None
        assert view["reporter_name"] is None
        assert view["contact"] is None
        assert view["title"] == issue["title"]
        assert not view["is_mine"]
    assert history[0]["actor_id"] is None
    assert comments[0]["author_id"] is None
    assert comments[0]["by_reporter"]
    own = (await client.get(f"/issues/{issue['id']}", headers=as_(tokens, RESIDENT))).json()
    assert own["reporter_id"] == RESIDENT[0]
    assert own["contact"] == {"phone": "13800000000"}
    assert own["is_mine"]
    committee = (await client.get(f"/issues/{issue['id']}", headers=as_(tokens, COMMITTEE))).json()
    assert committee["reporter_id"] == RESIDENT[0]
    assert committee["contact"] == {"phone": "13800000000"}


async def test_anonymous_issue_hides_the_reporter_from_all_but_the_committees(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    named = await submit(client, tokens, RESIDENT)
    anonymous = await submit(client, tokens, RESIDENT, anonymous=True)

    council_named = (await client.get(f"/issues/{named['id']}", headers=as_(tokens, COUNCIL_MEMBER))).json()
    council_anonymous = (await client.get(f"/issues/{anonymous['id']}", headers=as_(tokens, COUNCIL_MEMBER))).json()
    committee = (await client.get(f"/issues/{anonymous['id']}", headers=as_(tokens, COMMITTEE))).json()

    assert council_named["reporter_id"] == RESIDENT[0]
    assert council_named["contact"] == {"phone": "138****0000"}
    assert council_anonymous["contact"] is None
    assert council_anonymous["reporter_id"] is None
    assert council_anonymous["anonymous"]
    assert committee["reporter_id"] == RESIDENT[0]


async def test_issues_of_another_community_are_not_found(client: httpx.AsyncClient, tokens: Tokens) -> None:
    issue = await submit(client, tokens, RESIDENT)
    stranger = tokens.headers("someone", "committee", community="baohe")

    assert (await client.get(f"/issues/{issue['id']}", headers=stranger)).status_code == 404
    assert (await client.get("/issues", headers=stranger)).json()["items"] == []
    refused = await client.post(f"/issues/{issue['id']}/review", json={"decision": "accept"}, headers=stranger)
    assert refused.status_code == 404


async def test_link_stuffed_text_is_held_for_review_not_published(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    spam = "优惠 http://a.example.xyz http://b.example.xyz www.c-shop.top 快来"
    held = await submit(client, tokens, RESIDENT, description=spam)

    assert held["held_for_review"]
    assert (await client.get(f"/issues/{held['id']}", headers=as_(tokens, NEIGHBOUR))).status_code == 404
    assert (await client.get("/issues", headers=as_(tokens, NEIGHBOUR))).json()["items"] == []
    queue = (await client.get("/review-queue", headers=as_(tokens, COMMITTEE))).json()["items"]
    assert [i["id"] for i in queue] == [held["id"]]
    assert queue[0]["held_for_review"]

    outbox = await sql(database_url).fetch("SELECT event_type FROM outbox")
    assert outbox == []
    released = await act(client, tokens, held["id"], "release")
    assert not released["held_for_review"]
    outbox = await sql(database_url).fetch("SELECT event_type FROM outbox")
    assert [r["event_type"] for r in outbox] == ["linli.issue.submitted.v1"]
