"""A council member exports their memberships, attendance, votes and proposals; forgetting them keeps
the council's record whole (attendance, each vote's count, the decision) under their pseudonym,
ends their membership and clears their name."""

from __future__ import annotations

import httpx

from tests.deliberation.helpers import make_council
from tests.deliberation.test_votes_and_decisions import motion_in_open_session
from tests.support.infra import Tokens
from tests.support.privacy import exported, forgotten, kinds_with_rows, mentions

PERSON = "wang-fang"


async def test_a_member_exports_their_council_record_and_forgetting_keeps_the_counts(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    council = await make_council(client, tokens)
    admin = tokens.headers("admin", "admin", "committee")
    _, motion = await motion_in_open_session(council, ["zhang-wei", "li-na", PERSON, "chen-jing"])
    for person, choice in [("zhang-wei", "for"), ("li-na", "for"), (PERSON, "against"), ("chen-jing", "for")]:
        assert (await council.vote(motion["id"], person, choice)).status_code == 204
    assert (await council.close(motion["id"])).status_code == 200
    results = (await client.get(f"/motions/{motion['id']}", headers=admin)).json()["results"]

    mine = await exported(client, council.as_(PERSON))

    assert mine["service"] == "deliberation"
    assert {"memberships", "attendance", "votes"} <= kinds_with_rows(mine)
    assert [v["choice"] for v in mine["data"]["votes"]] == ["against"]

    done = await forgotten(client, admin, PERSON)

    assert {"memberships", "attendance", "votes"} <= set(done["anonymised"])
    assert done["deleted"] == {}
    assert kinds_with_rows(await exported(client, admin, PERSON)) == set()
    kept = await exported(client, admin, done["pseudonym"])
    assert kept["data"]["memberships"][0]["name"] == ""
    assert kept["data"]["memberships"][0]["term_until"] is not None
    assert [v["choice"] for v in kept["data"]["votes"]] == ["against"]
    assert (await client.get(f"/motions/{motion['id']}", headers=admin)).json()["results"] == results
    assert mentions((await client.get(f"/councils/{council.id}", headers=admin)).json(), PERSON) == []
    assert (await forgotten(client, admin, PERSON))["anonymised"] == {}
