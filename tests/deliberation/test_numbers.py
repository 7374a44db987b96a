"""The councils' cases settled in a month or a year: the figure the community reports each year."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from tests.deliberation.helpers import make_council, sql
from tests.support.infra import Tokens


async def test_cases_settled_are_the_decisions_adopted_in_the_period_of_the_communitys_time_zone(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    council = await make_council(client, tokens)
    present = ["zhang-wei", "li-na", "wang-fang", "chen-jing"]
    session = await council.next_session()
    await council.open_with(session["id"], present)
    for title, choices in (("清理楼道", ["for", "for", "for", "for"]), ("平局", ["for", "for", "against", "against"])):
        motion = await council.motion((await council.item(session["id"], title=title))["id"])
        for person, choice in zip(present, choices, strict=True):
            await council.vote(motion["id"], person, choice)
        assert (await council.close(motion["id"])).status_code == 200
    # The adopted one was decided at 2026-12-31 17:00 UTC: 1 January 2027 in Hefei.
    await sql(database_url).execute("UPDATE decisions SET decided_at = $1", datetime(2026, 12, 31, 17, 0, tzinfo=UTC))
    reader = tokens.headers("zhang-wei", "committee")

    year_2027 = (await client.get("/numbers", params={"year": 2027}, headers=reader)).json()
    year_2026 = (await client.get("/numbers", params={"year": 2026}, headers=reader)).json()
    january = (await client.get("/numbers", params={"year": 2027, "month": 1}, headers=reader)).json()
    resident = await client.get("/numbers", params={"year": 2027}, headers=tokens.headers("sun-hao", "resident"))

    assert (year_2027["cases_settled"], year_2026["cases_settled"], january["cases_settled"]) == (1, 0, 1)
    assert [(c["kind"], c["cases_settled"]) for c in year_2027["by_council"]] == [("consultation", 1)]
    assert resident.status_code == 403
