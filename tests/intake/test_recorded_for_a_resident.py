"""A committee member records a matter raised by phone or on a visit, on a resident's behalf."""

from __future__ import annotations

import httpx

from tests.intake.support import COMMITTEE, RESIDENT, as_, issue_body, sql
from tests.support.infra import Tokens


async def test_a_matter_taken_by_phone_is_the_residents_and_its_first_step_names_who_recorded_it(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    body = issue_body(channel="phone", building_group=3, on_behalf_of={"person_id": "wang-fang", "name": "王芳"})

    answer = await client.post("/issues", json=body, headers=as_(tokens, COMMITTEE))

    assert answer.status_code == 201, answer.text
    issue = answer.json()
    assert (issue["reporter_id"], issue["reporter_name"], issue["channel"]) == ("wang-fang", "王芳", "phone")
    mine = await client.get("/issues", params={"reporter": "me"}, headers=as_(tokens, RESIDENT))
    assert [i["id"] for i in mine.json()["items"]] == [issue["id"]]
    step = await sql(database_url).fetchrow(
        "SELECT actor_id, note FROM issue_history WHERE issue_id = $1::uuid", issue["id"]
    )
    assert step is not None
    assert (step["actor_id"], step["note"]) == ("zhang-wei", "recorded by zhang-wei (phone)")


async def test_a_resident_without_an_account_is_named_and_the_committee_member_keeps_it(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    body = issue_body(channel="visit", on_behalf_of={"name": "周奶奶"})

    issue = (await client.post("/issues", json=body, headers=as_(tokens, COMMITTEE))).json()

    assert (issue["reporter_id"], issue["reporter_name"], issue["building_group"]) == ("zhang-wei", "周奶奶", None)


async def test_a_matter_is_recorded_for_someone_else_only_by_phone_or_visit_and_only_by_committees(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    by_app = issue_body(on_behalf_of={"person_id": "sun-hao", "name": "孙浩"})
    by_resident = issue_body(channel="phone", on_behalf_of={"person_id": "sun-hao", "name": "孙浩"})

    app_answer = await client.post("/issues", json=by_app, headers=as_(tokens, COMMITTEE))
    resident_answer = await client.post("/issues", json=by_resident, headers=as_(tokens, RESIDENT))

    assert (app_answer.status_code, resident_answer.status_code) == (400, 400)
    assert app_answer.json()["field"] == "on_behalf_of"
