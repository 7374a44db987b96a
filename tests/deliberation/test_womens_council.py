"""The women's council: an adopted decision is forwarded to the two committees as a suggestion."""

from __future__ import annotations

import httpx

from tests.deliberation.helpers import make_council, sql
from tests.support.infra import Tokens

WOMEN = ("li-na", "wang-fang", "chen-jing", "yang-min", "huang-li")
FORWARDED = "linli.suggestion.forwarded.v1"


async def test_an_adopted_womens_council_decision_is_forwarded_as_a_suggestion(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    council = await make_council(client, tokens, kind="women", voters=WOMEN, observer=None)
    session = await council.next_session()
    await council.open_with(session["id"], ["li-na", "wang-fang", "chen-jing"])
    item = await council.item(session["id"], "增设母婴室 / A nursing room in the service centre")
    motion = await council.motion(item["id"])
    for person in ("li-na", "wang-fang", "chen-jing"):
        await council.vote(motion["id"], person, "for")
    decision = (await council.close(motion["id"], action_plan="建议两委在党群服务中心增设母婴室")).json()
    assert decision["outcome"] == "adopted"
    assert decision["suggestion_id"] is not None
    events = await sql(database_url).outbox(FORWARDED)
    assert len(events) == 1
    data = events[0]["data"]
    assert data["decision_id"] == decision["id"]
    assert data["suggestion_id"] == decision["suggestion_id"]
    assert data["council_id"] == council.id
    assert "母婴室" in data["description"]
    assert data["forwarded_by"] == "li-na"
    adopted = await sql(database_url).outbox("linli.decision.adopted.v1")
    assert adopted[0]["data"]["council_kind"] == "women"


async def test_a_rejected_womens_council_decision_is_not_forwarded(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    council = await make_council(client, tokens, kind="women", voters=WOMEN, observer=None)
    session = await council.next_session()
    await council.open_with(session["id"], ["li-na", "wang-fang", "chen-jing"])
    motion = await council.motion((await council.item(session["id"]))["id"])
    await council.vote(motion["id"], "li-na", "against")
    assert (await council.close(motion["id"])).json()["outcome"] == "rejected"
    assert await sql(database_url).outbox(FORWARDED) == []


async def test_consultation_council_decisions_are_not_suggestions(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    council = await make_council(client, tokens)
    session = await council.next_session()
    await council.open_with(session["id"], ["zhang-wei", "li-na", "wang-fang", "chen-jing"])
    motion = await council.motion((await council.item(session["id"]))["id"])
    for person in ("zhang-wei", "li-na", "wang-fang"):
        await council.vote(motion["id"], person, "for")
    assert (await council.close(motion["id"])).json()["outcome"] == "adopted"
    assert await sql(database_url).outbox(FORWARDED) == []
