"""The 亮身份 board's phones are whole for the community's own signed-in readers and masked for the
internet; a person exports everything community holds about them; forgetting deletes what was only
theirs (the board entry with its phone) and keeps what others count (a sign-on) under a pseudonym."""

from __future__ import annotations

import httpx
import pytest

from tests.community.test_publicity_announcements import committee, resident
from tests.community.test_publicity_board import consent
from tests.community.test_publicity_initiatives import launch
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
