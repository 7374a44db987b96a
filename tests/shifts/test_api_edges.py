"""Edges of the API: access, isolation, bad input, local times, check-in rules, racing sign-ups."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tests.shifts.conftest import START, Shifts

H = timedelta(hours=1)


async def test_one_volunteer_racing_for_two_overlapping_shifts_gets_one(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a")
    first = await shifts.shift(START + 24 * H, START + 26 * H)
    second = await shifts.shift(START + 25 * H, START + 27 * H)

    responses = await asyncio.gather(shifts.sign_up(first["id"], "a"), shifts.sign_up(second["id"], "a"))

    assert sorted(r.status_code for r in responses) == [201, 409]
    assert next(r for r in responses if r.status_code == 409).json()["reason"] == "overlaps"


async def test_signing_up_twice_is_refused_and_changes_nothing(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a")
    shift = await shifts.shift(START + 24 * H, START + 26 * H)
    await shifts.sign_up(shift["id"], "a")

    again = await shifts.sign_up(shift["id"], "a")

    assert (again.status_code, again.json()["reason"]) == (409, "already_signed_up")
    assert len(await shifts.db("SELECT * FROM signups")) == 1


async def test_a_second_sign_up_is_a_409_problem_that_names_the_live_sign_ups_state_apart(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a")
    shift = await shifts.shift(START + 24 * H, START + 26 * H)
    await shifts.sign_up(shift["id"], "a")

    again = (await shifts.sign_up(shift["id"], "a")).json()

    assert (again["status"], again["signup_status"]) == (409, "confirmed")


async def test_a_volunteer_or_post_naming_one_post_or_leader_twice_is_refused_and_nothing_is_saved(
    shifts: Shifts,
) -> None:
    await shifts.setup_post("patrol")
    await shifts.setup_post("culture")
    before = await shifts.db("SELECT * FROM post_leaders ORDER BY post_id, person_id")

    volunteer = await shifts.client.put(
        "/volunteers/a",
        json={"name": "a", "kind": "resident", "posts": ["patrol", "culture", "patrol"]},
        headers=shifts.admin,
    )
    post = await shifts.client.put("/posts/patrol", json={"leader_ids": ["liu-yang", "liu-yang"]}, headers=shifts.admin)

    assert (volunteer.status_code, post.status_code) == (422, 422)
    assert await shifts.db("SELECT * FROM volunteers") == []
    assert await shifts.db("SELECT * FROM post_leaders ORDER BY post_id, person_id") == before


async def test_an_unregistered_person_cannot_sign_up(shifts: Shifts) -> None:
    await shifts.setup_post()
    shift = await shifts.shift(START + 24 * H, START + 26 * H)

    response = await shifts.sign_up(shift["id"], "sun-hao")

    assert response.status_code == 404
    assert response.json()["detail_zh"]


async def test_times_without_an_offset_are_shanghai_wall_clock(shifts: Shifts) -> None:
    await shifts.setup_post()

    shift = await shifts.shift(START.replace(tzinfo=None) + 9 * H, START.replace(tzinfo=None) + 11 * H)

    assert shift["starts_at"] == "2026-12-29T19:00:00+08:00"
    rows = await shifts.db("SELECT extract(hour FROM starts_at AT TIME ZONE 'UTC') AS h FROM shifts")
    assert rows[0]["h"] == 11


async def test_a_shift_ending_before_it_starts_is_refused(shifts: Shifts) -> None:
    await shifts.setup_post()

    response = await shifts.client.post(
        "/shifts",
        json={
            "post": "patrol",
            "title": "x",
            "starts_at": (START + 2 * H).isoformat(),
            "ends_at": (START + H).isoformat(),
            "capacity": 1,
        },
        headers=shifts.leader,
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert await shifts.db("SELECT * FROM shifts") == []


async def test_another_community_sees_nothing(shifts: Shifts) -> None:
    await shifts.setup_post()
    shift = await shifts.shift(START + 24 * H, START + 26 * H)
    stranger = shifts.tokens.headers("x", "admin", community="other")

    one = await shifts.client.get(f"/shifts/{shift['id']}", headers=stranger)
    listed = await shifts.client.get("/shifts", headers=stranger)

    assert one.status_code == 404
    assert listed.json()["items"] == []


async def test_requests_without_a_token_are_refused(shifts: Shifts) -> None:
    assert (await shifts.client.get("/shifts")).status_code == 401


async def test_residents_register_themselves_but_only_leaders_vouch_for_party_members(shifts: Shifts) -> None:
    await shifts.setup_post()
    me = shifts.as_("sun-hao", "resident")

    myself = await shifts.client.put("/volunteers/sun-hao", json={"name": "孙浩", "kind": "resident"}, headers=me)
    promoted = await shifts.client.put("/volunteers/sun-hao", json={"name": "孙浩", "kind": "party_member"}, headers=me)
    other = await shifts.client.put("/volunteers/zhao-lei", json={"name": "赵磊", "kind": "resident"}, headers=me)

    assert myself.status_code == 200
    assert myself.json()["kind_labels"] == {"zh-CN": "居民", "en": "Resident"}
    assert (promoted.status_code, other.status_code) == (403, 403)


async def test_check_in_opens_an_hour_before_and_check_out_needs_a_check_in(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a")
    shift = await shifts.shift(START + 2 * H, START + 4 * H)
    await shifts.sign_up(shift["id"], "a")
    url = f"/shifts/{shift['id']}/signups/a"

    early = await shifts.client.post(f"{url}/check-in", headers=shifts.as_("a"))
    out_first = await shifts.client.post(f"{url}/check-out", headers=shifts.as_("a"))
    shifts.clock.advance(H)
    on_time = await shifts.client.post(f"{url}/check-in", headers=shifts.as_("a"))

    assert (early.status_code, early.json()["reason"]) == (409, "not_open_yet")
    assert (out_first.status_code, out_first.json()["reason"]) == (409, "not_checked_in")
    assert on_time.status_code == 200
    assert on_time.json()["checked_in_at"] == "2026-12-29T11:00:00+08:00"


async def test_posts_carry_their_chinese_and_english_labels(shifts: Shifts) -> None:
    post = await shifts.setup_post("patrol")

    assert post["labels"] == {"zh-CN": "治安巡逻岗", "en": "Public-security patrol post"}


async def test_the_service_describes_its_api_and_channels(shifts: Shifts) -> None:
    openapi = await shifts.client.get("/openapi.json")
    asyncapi = (await shifts.client.get("/asyncapi.json")).json()

    assert openapi.status_code == 200
    assert "/shifts/{shift_id}/signups" in openapi.json()["paths"]
    assert "participation.completed" in str(asyncapi)


async def test_the_district_reads_a_communitys_shifts_and_to_others_it_does_not_exist(shifts: Shifts) -> None:
    await shifts.setup_post()
    shift = await shifts.shift(START + 24 * H, START + 26 * H)
    district = shifts.tokens.headers("baogong", "district", community="baogong")
    neighbour = shifts.tokens.headers("x", "admin", community="other")

    read = await shifts.client.get("/shifts", params={"community": "meihu"}, headers=district)
    refused = await shifts.client.get("/shifts", params={"community": "meihu"}, headers=neighbour)
    stats = await shifts.client.get("/posts/patrol/stats", params={"community": "meihu"}, headers=district)

    assert [s["id"] for s in read.json()["items"]] == [shift["id"]]
    assert refused.status_code == 404
    assert stats.status_code == 200
