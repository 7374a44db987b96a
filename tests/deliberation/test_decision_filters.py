"""A council's decisions filtered for the desks: those of one session, those forwarded to the committees."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.deliberation.helpers import Council, make_council
from tests.support.infra import Tokens

WOMEN = ("li-na", "wang-fang", "chen-jing", "yang-min", "huang-li")


async def _decide(council: Council, session_id: str, *, choice: str) -> dict[str, object]:
    motion = await council.motion((await council.item(session_id))["id"])
    for person in council.members[:3]:
        await council.vote(motion["id"], person, choice)
    decided: dict[str, object] = (await council.close(motion["id"], action_plan="两周内完成")).json()
    return decided


async def test_the_decisions_of_one_session_leave_out_those_of_other_sessions(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    council = await make_council(client, tokens)
    first, second = await council.ad_hoc(), await council.ad_hoc(starts_in=timedelta(days=2))
    for session in (first, second):
        await council.open_with(session["id"], list(council.members[:4]))
    mine = await _decide(council, first["id"], choice="for")
    await _decide(council, second["id"], choice="for")

    answer = await client.get(
        f"/councils/{council.id}/decisions", params={"session": first["id"]}, headers=council.as_("chen-jing")
    )

    assert answer.status_code == 200, answer.text
    assert [d["id"] for d in answer.json()["items"]] == [mine["id"]]


async def test_forwarded_lists_only_the_womens_suggestions_to_the_committees(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    council = await make_council(client, tokens, kind="women", voters=WOMEN, observer=None)
    session = await council.ad_hoc()
    await council.open_with(session["id"], list(WOMEN[:3]))
    adopted = await _decide(council, session["id"], choice="for")
    await _decide(council, session["id"], choice="against")

    answer = await client.get(
        f"/councils/{council.id}/decisions", params={"forwarded": "true"}, headers=council.as_("huang-li")
    )

    assert [d["id"] for d in answer.json()["items"]] == [adopted["id"]]
    assert answer.json()["items"][0]["suggestion_id"] is not None
