"""Sign-up rules through the HTTP API against the real database."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tests.shifts.conftest import START, Shifts

H = timedelta(hours=1)


async def test_capacity_is_never_exceeded_by_concurrent_signups(shifts: Shifts) -> None:
    await shifts.setup_post()
    people = [f"v{n:02d}" for n in range(50)]
    await shifts.register(*people)
    shift = await shifts.shift(START + 24 * H, START + 26 * H, capacity=10)

    responses = await asyncio.gather(*(shifts.sign_up(shift["id"], p) for p in people))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 10 + [409] * 40
    refusals = [r.json() for r in responses if r.status_code == 409]
    assert {(p["reason"], p["waitlisted"]) for p in refusals} == {("full", True)}
    assert sorted(p["waitlist_position"] for p in refusals) == list(range(1, 41))
    rows = await shifts.db("SELECT status, count(*) AS n FROM signups GROUP BY status ORDER BY status")
    assert [(r["status"], r["n"]) for r in rows] == [("confirmed", 10), ("waitlisted", 40)]
    detail = (await shifts.client.get(f"/shifts/{shift['id']}", headers=shifts.leader)).json()
    assert (detail["confirmed_count"], detail["waitlist_count"], detail["open_places"]) == (10, 40, 0)


async def test_overlapping_signup_is_refused_naming_the_other_shift(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("wang-fang")
    first = await shifts.shift(START + 24 * H, START + 26 * H, title="东区巡逻")
    second = await shifts.shift(START + 25 * H, START + 27 * H, title="西区巡逻")
    assert (await shifts.sign_up(first["id"], "wang-fang")).status_code == 201

    refused = await shifts.sign_up(second["id"], "wang-fang")

    assert refused.status_code == 409
    problem = refused.json()
    assert problem["reason"] == "overlaps"
    assert problem["overlapping_shift"]["id"] == first["id"]
    assert "东区巡逻" in problem["detail"]
    assert refused.headers["content-type"] == "application/problem+json"


async def test_back_to_back_shifts_do_not_overlap(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("wang-fang")
    first = await shifts.shift(START + 24 * H, START + 26 * H)
    second = await shifts.shift(START + 26 * H, START + 28 * H)
    assert (await shifts.sign_up(first["id"], "wang-fang")).status_code == 201
    assert (await shifts.sign_up(second["id"], "wang-fang")).status_code == 201


async def test_cancellation_promotes_the_first_on_the_waitlist(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a", "b", "c")
    shift = await shifts.shift(START + 24 * H, START + 26 * H, capacity=1)
    for person in ("a", "b", "c"):
        await shifts.sign_up(shift["id"], person)

    response = await shifts.client.delete(f"/shifts/{shift['id']}/signups/a", headers=shifts.as_("a"))

    assert response.status_code == 200, response.text
    assert [p["volunteer_id"] for p in response.json()["promoted"]] == ["b"]
    waitlist = (await shifts.client.get(f"/shifts/{shift['id']}/waitlist", headers=shifts.as_("c"))).json()
    assert [(w["volunteer_id"], w["waitlist_position"]) for w in waitlist] == [("c", 1)]
    types = await shifts.outbox_types()
    assert types.count("linli.signup.promoted.v1") == 1
    assert types.count("linli.signup.cancelled.v1") == 1


async def test_a_place_kept_for_party_members_waitlists_a_resident(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("r1", "r2")
    await shifts.register("p1", kind="party_member")
    shift = await shifts.shift(START + 24 * H, START + 26 * H, capacity=2, min_party_members=1)

    assert (await shifts.sign_up(shift["id"], "r1")).status_code == 201
    second = await shifts.sign_up(shift["id"], "r2")
    assert (second.status_code, second.json()["reason"]) == (409, "full")
    assert (await shifts.sign_up(shift["id"], "p1")).status_code == 201


async def test_cancellation_closes_three_hours_before_the_start(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a", "b")
    shift = await shifts.shift(START + 5 * H, START + 7 * H)
    await shifts.sign_up(shift["id"], "a")
    await shifts.sign_up(shift["id"], "b")
    shifts.clock.advance(2 * H + timedelta(minutes=1))  # 2 h 59 min before the start

    refused = await shifts.client.delete(f"/shifts/{shift['id']}/signups/a", headers=shifts.as_("a"))
    by_leader = await shifts.client.delete(f"/shifts/{shift['id']}/signups/b", headers=shifts.leader)

    assert refused.status_code == 409
    assert refused.json()["reason"] == "cancellation_closed"
    assert by_leader.status_code == 200


async def test_cancellation_is_allowed_exactly_until_the_cut_off(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a")
    shift = await shifts.shift(START + 5 * H, START + 7 * H)
    await shifts.sign_up(shift["id"], "a")
    shifts.clock.advance(2 * H)  # exactly 3 h before the start

    response = await shifts.client.delete(f"/shifts/{shift['id']}/signups/a", headers=shifts.as_("a"))

    assert response.status_code == 200


async def test_signup_before_the_window_opens_is_refused(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a")
    shift = await shifts.shift(START + 15 * 24 * H, START + 15 * 24 * H + 2 * H)

    refused = await shifts.sign_up(shift["id"], "a")
    by_leader = await shifts.client.post(
        f"/shifts/{shift['id']}/signups", json={"volunteer_id": "a"}, headers=shifts.leader
    )

    assert (refused.status_code, refused.json()["reason"]) == (409, "not_open_yet")
    assert by_leader.status_code == 201


async def test_signup_for_an_ended_shift_is_refused(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a")
    shift = await shifts.shift(START - 3 * H, START - H)

    refused = await shifts.sign_up(shift["id"], "a")

    assert (refused.status_code, refused.json()["reason"]) == (409, "ended")


async def test_a_volunteer_cannot_sign_someone_else_up(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a", "b")
    shift = await shifts.shift(START + 24 * H, START + 26 * H)

    response = await shifts.client.post(
        f"/shifts/{shift['id']}/signups", json={"volunteer_id": "b"}, headers=shifts.as_("a")
    )

    assert response.status_code == 403
    assert await shifts.db("SELECT * FROM signups") == []


async def test_two_no_shows_suspend_until_a_leader_reapproves(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a")
    shift_ids = []
    for day in range(3):
        shift = await shifts.shift(START + (day * 24 + 1) * H, START + (day * 24 + 3) * H)
        assert (await shifts.sign_up(shift["id"], "a")).status_code == 201
        shift_ids.append(shift["id"])
    for day, shift_id in enumerate(shift_ids[:2]):
        shifts.clock.set(START + (day * 24 + 4) * H)
        response = await shifts.client.post(
            f"/shifts/{shift_id}/confirmations",
            json={"participants": [{"volunteer_id": "a", "outcome": "no_show"}]},
            headers=shifts.leader,
        )
        assert response.status_code == 200, response.text
    later = await shifts.shift(START + 72 * H, START + 74 * H, title="later")

    suspended = await shifts.sign_up(later["id"], "a")
    reapproved = await shifts.client.post("/volunteers/a/reapprove", headers=shifts.leader)
    after = await shifts.sign_up(later["id"], "a")

    assert (suspended.status_code, suspended.json()["reason"]) == (409, "suspended")
    assert reapproved.status_code == 200
    assert reapproved.json()["suspended"] is False
    assert after.status_code == 201
    assert (await shifts.outbox_types()).count("linli.participation.no_show.v1") == 2


async def test_one_no_show_does_not_suspend(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a")
    shift = await shifts.shift(START + H, START + 3 * H)
    await shifts.sign_up(shift["id"], "a")
    shifts.clock.advance(4 * H)
    await shifts.client.post(
        f"/shifts/{shift['id']}/confirmations",
        json={"participants": [{"volunteer_id": "a", "outcome": "no_show"}]},
        headers=shifts.leader,
    )

    volunteer = (await shifts.client.get("/volunteers/a", headers=shifts.leader)).json()

    assert volunteer["suspended"] is False


async def test_more_places_promote_the_waitlist_and_fewer_than_confirmed_are_refused(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a", "b", "c")
    shift = await shifts.shift(START + 24 * H, START + 26 * H, capacity=1)
    for person in ("a", "b", "c"):
        await shifts.sign_up(shift["id"], person)

    raised = await shifts.client.patch(f"/shifts/{shift['id']}", json={"capacity": 2}, headers=shifts.leader)
    lowered = await shifts.client.patch(f"/shifts/{shift['id']}", json={"capacity": 1}, headers=shifts.leader)

    assert raised.status_code == 200, raised.text
    assert [p["volunteer_id"] for p in raised.json()["promoted"]] == ["b"]
    assert (lowered.status_code, lowered.json()["reason"]) == (409, "capacity_below_confirmed")
    detail = (await shifts.client.get(f"/shifts/{shift['id']}", headers=shifts.leader)).json()
    assert (detail["capacity"], detail["confirmed_count"], detail["waitlist_count"]) == (2, 2, 1)


async def test_a_waitlisted_volunteer_sees_their_place_in_line(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a", "b")
    shift = await shifts.shift(START + 24 * H, START + 26 * H, capacity=1)
    await shifts.sign_up(shift["id"], "a")
    refused = await shifts.sign_up(shift["id"], "b")

    mine = await shifts.client.get(refused.headers["location"], headers=shifts.as_("b"))

    assert (mine.json()["status"], mine.json()["waitlist_position"]) == ("waitlisted", 1)
    cancelled = await shifts.client.delete(refused.headers["location"], headers=shifts.as_("b"))
    assert cancelled.json()["promoted"] == []
