"""The 亮身份 board's phones are whole for the community's own signed-in readers and masked for the
internet; a person exports everything community holds about them; forgetting deletes what was only
theirs (the board entry with its phone) and keeps what others count (a sign-on) under a pseudonym."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.community.test_publicity_announcements import committee, resident
from tests.community.test_publicity_board import consent
from tests.community.test_publicity_initiatives import launch
from tests.community.test_selections import selection_body
from tests.community.test_wishes import FAMILY, enter_wish
from tests.support.infra import Tokens
from tests.support.privacy import exported, forgotten, kinds_with_rows, mentions

PERSON = "wang-fang"


@pytest.mark.parametrize(
    ("reader", "phone"),
    [
        ("none", "138****0003"),
        ("neighbour", "138-0000-0003"),
        ("committee", "138-0000-0003"),
        ("other_community", "138****0003"),
    ],
)
async def test_the_boards_phones_are_whole_for_its_community_and_masked_for_everyone_else(
    client: httpx.AsyncClient, tokens: Tokens, reader: str, phone: str
) -> None:
    await client.put("/board/me", json=consent("王芳", 3), headers=resident(tokens, PERSON, 3))
    headers = {
        "none": {},
        "neighbour": resident(tokens, "sun-hao", 6),
        "committee": committee(tokens),
        "other_community": tokens.headers("someone", "resident", community="baohe"),
    }[reader]

    board = (await client.get("/board", params={"community": "meihu"}, headers=headers)).json()

    assert [p["phone"] for p in board["people"]] == [phone]


async def test_a_person_exports_their_community_data_and_forgetting_keeps_only_counts(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    me = resident(tokens, PERSON, 3)
    admin = tokens.headers("admin", "admin", "committee")
    await client.put("/board/me", json=consent("王芳", 3), headers=me)
    initiative = await launch(client, tokens)
    assert (await client.post(f"/initiatives/{initiative['id']}/signatures", headers=me)).status_code in (200, 201)

    mine = await exported(client, me)

    assert mine["service"] == "community"
    assert {"board_entry", "initiative_signatures"} <= kinds_with_rows(mine)
    assert mine["data"]["board_entry"][0]["phone"] == "138-0000-0003"

    done = await forgotten(client, admin, PERSON)

    assert done["deleted"] == {"board_entry": 1}
    assert done["anonymised"]["initiative_signatures"] == 1
    assert kinds_with_rows(await exported(client, admin, PERSON)) == set()
    assert (await client.get("/board")).json()["people"] == []
    signed = (await client.get(f"/initiatives/{initiative['id']}", headers=admin)).json()
    assert signed["signatures"] == 1
    assert mentions(await exported(client, admin, done["pseudonym"]), PERSON, "138") == []
    assert (await forgotten(client, admin, PERSON))["deleted"] == {}


async def test_an_export_carries_nothing_the_committees_alone_see_about_someone_else(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    me = resident(tokens, PERSON, 3)
    nominator = resident(tokens, "zhao-lei", 2)
    wish = await enter_wish(client, tokens, description="三年级，喜欢恐龙")
    assert (await client.post(f"/wishes/{wish['id']}/claim", headers=me)).status_code == 200
    now = datetime.now(UTC)
    dates = {
        "year": now.year,
        "nominations_close_at": (now + timedelta(days=7)).isoformat(),
        "voting_closes_at": (now + timedelta(days=14)).isoformat(),
    }
    selection = (await client.post("/selections", json=selection_body(**dates), headers=committee(tokens))).json()
    nomination = await client.post(
        f"/selections/{selection['id']}/nominations",
        json={"candidate_id": PERSON, "candidate_name": "王芳", "reason": "热心助人"},
        headers=nominator,
    )
    rejected = await client.post(
        f"/nominations/{nomination.json()['nomination_id']}/check",
        json={"decision": "reject", "reason": "本年度已获表彰"},
        headers=committee(tokens),
    )
    assert rejected.status_code == 200, rejected.text

    mine = await exported(client, me)
    theirs = await exported(client, nominator)

    assert [w["id"] for w in mine["data"]["wishes_claimed"]] == [wish["id"]]
    assert [n["status"] for n in mine["data"]["nominations"]] == ["rejected"]
    assert mentions(mine, FAMILY, "zhao-lei", "zhang-wei", "本年度已获表彰") == []
    assert [n["candidate_id"] for n in theirs["data"]["nominations_made"]] == [PERSON]
    assert mentions(theirs, "zhang-wei", "本年度已获表彰") == []
