"""The issue's "done when": a leader creates a shift, volunteers fill it, check in and out, the leader
confirms, and exactly one participation.completed per volunteer reaches NATS."""

from __future__ import annotations

from datetime import timedelta

from tests.shifts.conftest import START, Shifts
from tests.support.events import published_in, stream_of
from tests.support.infra import eventually, jetstream

H = timedelta(hours=1)
COMPLETED = "linli.meihu.participation.completed"


async def test_confirmed_shift_publishes_one_participation_completed_per_volunteer(
    shifts: Shifts, nats_url: str
) -> None:
    await shifts.setup_post()
    await shifts.register("wang-fang", "chen-jing", "huang-li", "wu-xia")
    shift = await shifts.shift(START + H, START + 3 * H, capacity=3)
    sid = shift["id"]
    for person in ("wang-fang", "chen-jing", "huang-li"):
        assert (await shifts.sign_up(sid, person)).status_code == 201
    fourth = await shifts.sign_up(sid, "wu-xia")
    assert fourth.status_code == 409
    assert (fourth.json()["reason"], fourth.json()["waitlisted"]) == ("full", True)

    shifts.clock.advance(55 * timedelta(minutes=1))  # 19:55 local-style: five minutes early
    for person in ("wang-fang", "chen-jing"):
        r = await shifts.client.post(f"/shifts/{sid}/signups/{person}/check-in", headers=shifts.as_(person))
        assert r.status_code == 200, r.text
    shifts.clock.advance(2 * H + timedelta(minutes=5))
    for person in ("wang-fang", "chen-jing"):
        r = await shifts.client.post(f"/shifts/{sid}/signups/{person}/check-out", headers=shifts.as_(person))
        assert r.status_code == 200, r.text
    confirmations = {
        "participants": [
            {"volunteer_id": "wang-fang", "outcome": "completed"},
            {"volunteer_id": "chen-jing", "outcome": "completed", "hours": 2.5, "reason": "帮忙收尾 stayed to tidy up"},
            {"volunteer_id": "huang-li", "outcome": "completed"},
        ]
    }

    first = await shifts.client.post(f"/shifts/{sid}/confirmations", json=confirmations, headers=shifts.leader)
    again = await shifts.client.post(f"/shifts/{sid}/confirmations", json=confirmations, headers=shifts.leader)

    assert first.status_code == 200, first.text
    by_person = {p["volunteer_id"]: p for p in first.json()}
    assert by_person["wang-fang"]["hours"] == 2.08  # 19:55 to 22:00 from check-in/out
    assert by_person["wang-fang"]["hours_source"] == "check_in_out"
    assert (by_person["chen-jing"]["hours"], by_person["chen-jing"]["hours_source"]) == (2.5, "edited")
    assert (by_person["huang-li"]["hours"], by_person["huang-li"]["hours_source"]) == (2.0, "planned")
    assert again.status_code == 200
    assert [p["newly_confirmed"] for p in again.json()] == [False, False, False]
    async with jetstream(nats_url) as js:

        async def all_published() -> bool:
            return not await shifts.db("SELECT 1 FROM outbox WHERE published_at IS NULL")

        await eventually(all_published, message="outbox drained to NATS")
        events = await published_in(js, stream_of("shifts"), COMPLETED)
    assert sorted(e["data"]["volunteer_id"] for e in events) == ["chen-jing", "huang-li", "wang-fang"]
    wang = next(e["data"] for e in events if e["data"]["volunteer_id"] == "wang-fang")
    assert wang["post_type"] == "patrol"
    assert wang["shift_id"] == sid
    assert wang["confirmed_by"] == "liu-yang"
    assert wang["building_group"] is not None
    assert wang["started_at"] < wang["ended_at"]


async def test_confirming_a_different_outcome_later_is_refused(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a")
    shift = await shifts.shift(START + H, START + 3 * H)
    await shifts.sign_up(shift["id"], "a")
    shifts.clock.advance(4 * H)
    url = f"/shifts/{shift['id']}/confirmations"
    await shifts.client.post(
        url, json={"participants": [{"volunteer_id": "a", "outcome": "completed"}]}, headers=shifts.leader
    )

    changed = await shifts.client.post(
        url, json={"participants": [{"volunteer_id": "a", "outcome": "no_show"}]}, headers=shifts.leader
    )

    assert (changed.status_code, changed.json()["reason"]) == (409, "already_confirmed")
    assert (await shifts.outbox_types()).count("linli.participation.no_show.v1") == 0


async def test_only_the_post_leader_confirms(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a")
    shift = await shifts.shift(START + H, START + 3 * H)
    await shifts.sign_up(shift["id"], "a")
    shifts.clock.advance(4 * H)

    response = await shifts.client.post(
        f"/shifts/{shift['id']}/confirmations",
        json={"participants": [{"volunteer_id": "a", "outcome": "completed"}]},
        headers=shifts.as_("a"),
    )

    assert response.status_code == 403
    assert await shifts.db("SELECT * FROM participations") == []


async def test_edited_hours_without_a_reason_change_nothing(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a", "b")
    shift = await shifts.shift(START + H, START + 3 * H)
    await shifts.sign_up(shift["id"], "a")
    await shifts.sign_up(shift["id"], "b")
    shifts.clock.advance(4 * H)

    response = await shifts.client.post(
        f"/shifts/{shift['id']}/confirmations",
        json={
            "participants": [
                {"volunteer_id": "a", "outcome": "completed"},
                {"volunteer_id": "b", "outcome": "completed", "hours": 5},
            ]
        },
        headers=shifts.leader,
    )

    assert response.status_code == 400
    assert await shifts.db("SELECT * FROM participations") == []


async def test_shift_scheduled_names_the_volunteers_of_the_post(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a", "b")
    await shifts.setup_post("culture", ("yang-min",))
    await shifts.register("c", posts=("culture",))

    await shifts.shift(START + H, START + 3 * H)

    rows = await shifts.db("SELECT payload FROM outbox WHERE event_type = 'linli.shift.scheduled.v1'")
    import orjson

    assert orjson.loads(rows[0]["payload"])["data"]["post_volunteer_ids"] == ["a", "b"]


async def test_cancelling_a_shift_tells_who_signed_up(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a", "b")
    shift = await shifts.shift(START + 24 * H, START + 26 * H, capacity=1)
    await shifts.sign_up(shift["id"], "a")
    await shifts.sign_up(shift["id"], "b")

    response = await shifts.client.post(
        f"/shifts/{shift['id']}/cancel", json={"reason": "台风 typhoon"}, headers=shifts.leader
    )

    assert response.json()["status"] == "cancelled"
    rows = await shifts.db("SELECT payload FROM outbox WHERE event_type = 'linli.shift.cancelled.v1'")
    import orjson

    data = orjson.loads(rows[0]["payload"])["data"]
    assert (data["signed_up_ids"], data["reason"]) == (["a", "b"], "台风 typhoon")
    refused = await shifts.sign_up(shift["id"], "a")
    assert refused.json()["reason"] == "shift_cancelled"
