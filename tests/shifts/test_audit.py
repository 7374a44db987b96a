"""Shifts' privileged actions are in its audit log: posts set up, shifts scheduled, participation confirmed."""

from __future__ import annotations

from datetime import timedelta

from tests.shifts.conftest import START, Shifts
from tests.support.audit import audit_entries

H = timedelta(hours=1)


async def test_a_leaders_confirmation_is_audited_once_with_the_hours_confirmed(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("wang-fang")
    shift = await shifts.shift(START + H, START + 3 * H)
    await shifts.sign_up(shift["id"], "wang-fang")
    shifts.clock.advance(4 * H)
    body = {"participants": [{"volunteer_id": "wang-fang", "outcome": "completed", "hours": 2.0, "reason": "提前到岗"}]}
    for _ in range(2):  # the second confirmation changes nothing, so is not audited again
        response = await shifts.client.post(f"/shifts/{shift['id']}/confirmations", json=body, headers=shifts.leader)
        assert response.status_code == 200, response.text

    entries = await audit_entries(shifts.client, shifts.admin)

    assert [e["action"] for e in entries] == [
        "participation.confirmed",
        "shift.scheduled",
        "volunteer.registered",
        "post.set_up",
    ]
    confirmed = entries[0]
    assert (confirmed["subject"], confirmed["actor"]) == (shift["id"], "liu-yang")
    assert confirmed["details"]["participants"] == [
        {"volunteer_id": "wang-fang", "outcome": "completed", "hours": 2.0, "reason": "提前到岗"}
    ]
