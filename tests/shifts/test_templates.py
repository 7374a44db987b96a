"""Recurring templates through the API: generation ahead, idempotence, edits that spare signed-up shifts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.shifts.conftest import START, Shifts

PATROL = {
    "post": "patrol",
    "title": "治安巡逻 Patrol",
    "weekdays": [2, 5],
    "start_time": "19:00:00",
    "end_time": "21:00:00",
    "valid_from": "2026-12-01",
    "location": "美湖小区",
    "capacity": 6,
    "min_party_members": 1,
}


async def starts(shifts: Shifts, template_id: str) -> list[str]:
    rows = await shifts.db(
        "SELECT starts_at FROM shifts WHERE template_id = $1 ORDER BY starts_at", __import__("uuid").UUID(template_id)
    )
    return [r["starts_at"].astimezone(START.tzinfo).isoformat() for r in rows]


async def create_template(shifts: Shifts, **changes: Any) -> dict[str, Any]:
    response = await shifts.client.post("/templates", json={**PATROL, **changes}, headers=shifts.leader)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_template_generates_tuesday_and_friday_patrols_across_the_year_end(shifts: Shifts) -> None:
    await shifts.setup_post()

    template = await create_template(shifts)

    assert await starts(shifts, template["id"]) == [
        "2026-12-29T19:00:00+08:00",
        "2027-01-01T19:00:00+08:00",
        "2027-01-05T19:00:00+08:00",
        "2027-01-08T19:00:00+08:00",
        "2027-01-12T19:00:00+08:00",
        "2027-01-15T19:00:00+08:00",
        "2027-01-19T19:00:00+08:00",
        "2027-01-22T19:00:00+08:00",
        "2027-01-26T19:00:00+08:00",
    ]
    assert (await shifts.outbox_types()).count("linli.shift.scheduled.v1") == 9


async def test_generating_again_creates_nothing_twice(shifts: Shifts) -> None:
    await shifts.setup_post()
    template = await create_template(shifts)

    again = await shifts.client.post(f"/templates/{template['id']}/generate", headers=shifts.leader)
    shifts.clock.advance(timedelta(days=7))
    week_later = await shifts.client.post(f"/templates/{template['id']}/generate", headers=shifts.leader)

    assert again.json() == {"created": 0, "withdrawn": 0}
    assert week_later.json()["created"] == 2  # the two patrols of the newly reached week
    assert (await shifts.outbox_types()).count("linli.shift.scheduled.v1") == 11


async def test_editing_a_template_regenerates_only_shifts_nobody_signed_up_for(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("wang-fang")
    template = await create_template(shifts)
    listed = await shifts.client.get("/shifts", params={"post": "patrol", "limit": 2}, headers=shifts.leader)
    first = listed.json()["items"][0]
    assert (await shifts.sign_up(first["id"], "wang-fang")).status_code == 201

    edited = await shifts.client.put(
        f"/templates/{template['id']}",
        json={**PATROL, "start_time": "18:30:00", "end_time": "20:30:00", "location": "西门"},
        headers=shifts.leader,
    )

    assert edited.status_code == 200, edited.text
    found = await starts(shifts, template["id"])
    assert found[0] == "2026-12-29T19:00:00+08:00"  # signed up: kept as it was, and not doubled that day
    assert found[1:] == [
        f"{day}T18:30:00+08:00"
        for day in (
            "2027-01-01",
            "2027-01-05",
            "2027-01-08",
            "2027-01-12",
            "2027-01-15",
            "2027-01-19",
            "2027-01-22",
            "2027-01-26",
        )
    ]
    kept = (await shifts.client.get(f"/shifts/{first['id']}", headers=shifts.leader)).json()
    assert (kept["location"], kept["confirmed_count"]) == ("美湖小区", 1)
    assert (await shifts.outbox_types()).count("linli.shift.cancelled.v1") == 8


async def test_a_template_with_bad_times_is_refused_and_creates_nothing(shifts: Shifts) -> None:
    await shifts.setup_post()

    same = await shifts.client.post("/templates", json={**PATROL, "end_time": "19:00:00"}, headers=shifts.leader)
    extra = await shifts.client.post("/templates", json={**PATROL, "colour": "red"}, headers=shifts.leader)
    weekday = await shifts.client.post("/templates", json={**PATROL, "weekdays": [0]}, headers=shifts.leader)

    assert [same.status_code, extra.status_code, weekday.status_code] == [400, 422, 422]
    assert await shifts.db("SELECT * FROM templates") == []


async def test_only_a_leader_of_the_post_creates_templates(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.setup_post("culture", ("yang-min",))

    other_leader = await shifts.client.post(
        "/templates", json=PATROL, headers=shifts.tokens.headers("yang-min", "post_leader")
    )

    assert other_leader.status_code == 403
