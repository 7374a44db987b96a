"""The roster a post leader works from at the post: names, party members, check-in/out and confirmed outcomes."""

from __future__ import annotations

from datetime import timedelta

from tests.shifts.conftest import START, Shifts

H = timedelta(hours=1)


async def test_the_roster_names_each_volunteer_with_kind_check_in_and_outcome(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("wu-xia")
    await shifts.register("wang-fang", kind="party_member")
    shift = await shifts.shift(START, START + 2 * H)
    for person in ("wu-xia", "wang-fang"):
        assert (await shifts.sign_up(shift["id"], person)).status_code == 201
    shifts.clock.set(START + 10 * timedelta(minutes=1))
    checked = await shifts.client.post(f"/shifts/{shift['id']}/signups/wu-xia/check-in", headers=shifts.leader)
    assert checked.status_code == 200, checked.text
    confirmed = await shifts.client.post(
        f"/shifts/{shift['id']}/confirmations",
        json={"participants": [{"volunteer_id": "wang-fang", "outcome": "no_show"}]},
        headers=shifts.leader,
    )
    assert confirmed.status_code == 200, confirmed.text

    answer = await shifts.client.get(f"/shifts/{shift['id']}/roster", headers=shifts.leader)

    assert answer.status_code == 200, answer.text
    by_id = {entry["volunteer_id"]: entry for entry in answer.json()}
    assert by_id["wu-xia"]["volunteer_name"] == "wu-xia"
    assert by_id["wu-xia"]["volunteer_kind"] == "resident"
    assert by_id["wu-xia"]["checked_in_at"] is not None
    assert by_id["wu-xia"]["outcome"] is None
    assert by_id["wang-fang"]["volunteer_kind"] == "party_member"
    assert by_id["wang-fang"]["volunteer_kind_labels"]["zh-CN"]
    assert (by_id["wang-fang"]["outcome"], by_id["wang-fang"]["hours"]) == ("no_show", None)


async def test_the_roster_lists_the_waitlist_after_the_confirmed_in_order(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a", "b", "c")
    shift = await shifts.shift(START + 24 * H, START + 26 * H, capacity=1)
    for person in ("a", "b", "c"):
        await shifts.sign_up(shift["id"], person)

    answer = await shifts.client.get(f"/shifts/{shift['id']}/roster", headers=shifts.leader)

    assert [(e["volunteer_id"], e["status"], e["waitlist_position"]) for e in answer.json()] == [
        ("a", "confirmed", None),
        ("b", "waitlisted", 1),
        ("c", "waitlisted", 2),
    ]


async def test_the_leader_of_another_post_may_not_see_the_roster(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.setup_post("culture", leaders=("yang-min",))
    shift = await shifts.shift(START + 24 * H, START + 26 * H)

    answer = await shifts.client.get(
        f"/shifts/{shift['id']}/roster", headers=shifts.as_("yang-min", "resident", "volunteer", "post_leader")
    )

    assert answer.status_code == 403
    assert answer.json()["detail_zh"]


async def test_a_volunteer_may_not_see_the_roster(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a")
    shift = await shifts.shift(START + 24 * H, START + 26 * H)

    answer = await shifts.client.get(f"/shifts/{shift['id']}/roster", headers=shifts.as_("a"))

    assert answer.status_code == 403
