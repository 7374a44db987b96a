"""How a session meets (集中, 走访, 上门, 微信): recorded by the council's officers while it is scheduled or open."""

from __future__ import annotations

import httpx

from tests.deliberation.helpers import make_council
from tests.support.infra import Tokens


async def test_the_chair_records_that_an_open_session_meets_door_to_door(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    council = await make_council(client, tokens)
    session = await council.ad_hoc()
    await council.open_with(session["id"], [])

    answer = await client.patch(
        f"/sessions/{session['id']}",
        json={"mode": "door_to_door", "location": "3栋 / Building 3"},
        headers=council.chair,
    )

    assert answer.status_code == 200, answer.text
    assert answer.json()["mode"] == "door_to_door"
    assert answer.json()["mode_labels"] == {"zh-CN": "上门议事", "en": "Door to door"}
    assert answer.json()["location"] == "3栋 / Building 3"
    again = await client.get(f"/sessions/{session['id']}", headers=council.as_("chen-jing"))
    assert again.json()["mode"] == "door_to_door"


async def test_recording_the_mode_alone_keeps_the_place(client: httpx.AsyncClient, tokens: Tokens) -> None:
    council = await make_council(client, tokens, location="议事厅")
    session = await council.ad_hoc()

    answer = await client.patch(f"/sessions/{session['id']}", json={"mode": "online"}, headers=council.chair)

    assert answer.status_code == 200, answer.text
    assert (answer.json()["mode"], answer.json()["location"]) == ("online", "议事厅")


async def test_a_member_who_is_not_an_officer_may_not_record_the_mode(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    council = await make_council(client, tokens)
    session = await council.ad_hoc()

    answer = await client.patch(f"/sessions/{session['id']}", json={"mode": "online"}, headers=council.as_("chen-jing"))

    assert answer.status_code == 403
    assert answer.json()["reason"] == "not_an_officer"


async def test_the_mode_of_a_concluded_session_no_longer_changes(client: httpx.AsyncClient, tokens: Tokens) -> None:
    council = await make_council(client, tokens)
    session = await council.ad_hoc()
    await council.open_with(session["id"], [])
    concluded = await client.post(f"/sessions/{session['id']}/conclude", json={}, headers=council.chair)
    assert concluded.status_code == 200, concluded.text

    answer = await client.patch(f"/sessions/{session['id']}", json={"mode": "visiting"}, headers=council.chair)

    assert answer.status_code == 409
    assert answer.json()["reason"] == "session_closed"


async def test_the_mode_does_not_change_while_a_motion_is_being_voted_on(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    council = await make_council(client, tokens)
    session = await council.ad_hoc()
    await council.open_with(session["id"], ["zhang-wei"])
    await council.motion((await council.item(session["id"]))["id"])

    answer = await client.patch(f"/sessions/{session['id']}", json={"mode": "online"}, headers=council.chair)

    assert answer.status_code == 409
    assert answer.json()["reason"] == "motions_open"
