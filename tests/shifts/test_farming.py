"""Points are paid for confirmed hours, so the hours a leader confirms are never their own."""

from __future__ import annotations

from datetime import timedelta

from tests.shifts.conftest import START, Shifts

H = timedelta(hours=1)


async def test_a_post_leader_cannot_confirm_their_own_participation_and_nothing_is_confirmed(shifts: Shifts) -> None:
    await shifts.setup_post(leaders=("liu-yang", "yang-min"))
    await shifts.register("liu-yang", "wang-fang")
    shift = await shifts.shift(START + H, START + 3 * H)
    for person in ("liu-yang", "wang-fang"):
        assert (await shifts.sign_up(shift["id"], person)).status_code == 201
    shifts.clock.advance(4 * H)
    both = {
        "participants": [
            {"volunteer_id": "wang-fang", "outcome": "completed"},
            {"volunteer_id": "liu-yang", "outcome": "completed"},
        ]
    }

    own = await shifts.client.post(f"/shifts/{shift['id']}/confirmations", json=both, headers=shifts.leader)
    other_leader = shifts.as_("yang-min", "resident", "volunteer", "post_leader")
    by_another = await shifts.client.post(f"/shifts/{shift['id']}/confirmations", json=both, headers=other_leader)

    assert own.status_code == 403
    assert own.json()["reason"] == "own-participation"
    assert by_another.status_code == 200, by_another.text
    confirmed_by = {r["volunteer_id"]: r["confirmed_by"] for r in await shifts.db("SELECT * FROM participations")}
    assert confirmed_by == {"wang-fang": "yang-min", "liu-yang": "yang-min"}
