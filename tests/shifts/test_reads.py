"""Reads: shift listing with keyset pagination, statistics, the iCalendar feed, the generator loop."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from icalendar import Calendar

from services.kernel.clock import SettableClock
from services.shifts.bootstrap import create
from tests.shifts.conftest import START, Shifts, shifts_settings
from tests.shifts.test_templates import PATROL
from tests.support.infra import Tokens, eventually, running
from tests.support.sql import Sql

H = timedelta(hours=1)


async def test_listing_pages_by_start_and_filters_open_places(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a")
    made = [await shifts.shift(START + (24 * d + 1) * H, START + (24 * d + 2) * H, capacity=1) for d in range(5)]
    await shifts.sign_up(made[1]["id"], "a")

    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await shifts.client.get("/shifts", params=params, headers=shifts.as_("a"))).json()
        seen += [s["id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    open_only = (await shifts.client.get("/shifts", params={"open": "true"}, headers=shifts.as_("a"))).json()
    ranged = await shifts.client.get(
        "/shifts",
        params={"from": (START + 24 * H).isoformat(), "to": (START + 72 * H).isoformat()},
        headers=shifts.as_("a"),
    )

    assert seen == [s["id"] for s in made]
    assert [s["id"] for s in open_only["items"]] == [made[i]["id"] for i in (0, 2, 3, 4)]
    assert [s["id"] for s in ranged.json()["items"]] == [made[1]["id"], made[2]["id"]]
    bad = await shifts.client.get("/shifts", params={"cursor": "garbage"}, headers=shifts.as_("a"))
    assert bad.status_code == 400


async def test_statistics_count_activities_hours_and_attendance_by_month_and_year(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a")
    dec = await shifts.shift(START + H, START + 3 * H)  # 29 December 2026
    jan = await shifts.shift(START + 4 * 24 * H, START + 4 * 24 * H + 2 * H)  # 2 January 2027
    jan2 = await shifts.shift(START + 5 * 24 * H, START + 5 * 24 * H + 2 * H)
    shifts.clock.advance(-2 * 24 * H)  # sign up while all are open and none has started
    for shift in (dec, jan, jan2):
        assert (await shifts.sign_up(shift["id"], "a")).status_code == 201
    for shift, outcome in ((dec, "completed"), (jan, "completed"), (jan2, "no_show")):
        shifts.clock.set(START + 6 * 24 * H)
        response = await shifts.client.post(
            f"/shifts/{shift['id']}/confirmations",
            json={"participants": [{"volunteer_id": "a", "outcome": outcome}]},
            headers=shifts.leader,
        )
        assert response.status_code == 200, response.text

    mine = (await shifts.client.get("/volunteers/a/stats", headers=shifts.as_("a"))).json()
    post = (await shifts.client.get("/posts/patrol/stats", params={"year": 2027}, headers=shifts.as_("a"))).json()

    assert mine["total"] == {"period": "all", "activities": 2, "hours": 4.0, "no_shows": 1, "attendance_rate": 0.6667}
    assert [(b["period"], b["activities"], b["hours"]) for b in mine["by_month"]] == [
        ("2026-12", 1, 2.0),
        ("2027-01", 1, 2.0),
    ]
    assert [(b["period"], b["attendance_rate"]) for b in mine["by_year"]] == [("2026", 1.0), ("2027", 0.5)]
    assert (post["total"]["activities"], post["total"]["no_shows"]) == (1, 1)
    other = await shifts.client.get("/volunteers/a/stats", headers=shifts.as_("b"))
    assert other.status_code == 403


async def test_calendar_feed_lists_the_volunteers_shifts_with_stable_uids_in_shanghai_time(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a")
    shift = await shifts.shift(START + 9 * H, START + 11 * H, title="夜间巡逻")
    await shifts.sign_up(shift["id"], "a")
    issued = await shifts.client.post("/volunteers/me/feed", headers=shifts.as_("a"))
    path = issued.json()["url"].split("127.0.0.1:8083", 1)[1]

    first = await shifts.client.get(path)
    second = await shifts.client.get(path)

    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(first.content).walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["uid"]) == f"shift-{shift['id']}@meihu.linli"
    assert "夜间巡逻" in str(events[0]["summary"])
    start = events[0].decoded("dtstart")
    assert (str(start.tzinfo), start.hour) == ("Asia/Shanghai", 19)
    assert [str(e["uid"]) for e in Calendar.from_ical(second.content).walk("VEVENT")] == [str(events[0]["uid"])]
    mine = (await shifts.client.get("/volunteers/a/shifts", headers=shifts.as_("a"))).json()
    assert [(i["shift"]["id"], i["signup"]["status"]) for i in mine["items"]] == [(shift["id"], "confirmed")]
    reissued = await shifts.client.post("/volunteers/me/feed", headers=shifts.as_("a"))
    assert reissued.json()["url"] != issued.json()["url"]
    assert (await shifts.client.get(path)).status_code == 404


async def test_the_background_loop_keeps_templates_generated_ahead(
    database_url: str, nats_url: str, run_dir: Path, tokens: Tokens
) -> None:
    clock = SettableClock(START)
    app = create(shifts_settings(database_url, nats_url, run_dir, shifts_generate_interval_seconds=0.05), clock=clock)
    sql = Sql(database_url, "shifts")
    async with running(app) as client:
        admin = tokens.headers("admin", "admin", "committee")
        await client.put("/posts/patrol", json={"leader_ids": ["liu-yang"]}, headers=admin)
        created = await client.post("/templates", json=PATROL, headers=admin)
        assert created.status_code == 201
        clock.advance(timedelta(days=14))

        async def generated_two_more_weeks() -> bool:
            count = await sql.fetchval("SELECT count(*) FROM shifts")
            return bool(count == 13)

        await eventually(generated_two_more_weeks, message="four more patrols generated")


async def test_my_shifts_are_typed_with_the_waitlist_position_and_can_leave_out_ended_ones(shifts: Shifts) -> None:
    await shifts.setup_post()
    await shifts.register("a", "b")
    soon = await shifts.shift(START + 2 * H, START + 4 * H, capacity=1)
    later = await shifts.shift(START + 26 * H, START + 28 * H, capacity=1)
    await shifts.sign_up(soon["id"], "b")
    assert (await shifts.sign_up(soon["id"], "a")).status_code == 409  # full: waitlisted at 1
    await shifts.sign_up(later["id"], "a")

    mine = (await shifts.client.get("/volunteers/a/shifts", headers=shifts.as_("a"))).json()
    assert [(i["shift"]["id"], i["signup"]["status"], i["signup"]["waitlist_position"]) for i in mine["items"]] == [
        (soon["id"], "waitlisted", 1),
        (later["id"], "confirmed", None),
    ]
    shifts.clock.advance(5 * H)
    upcoming = (await shifts.client.get("/volunteers/a/shifts?upcoming=true", headers=shifts.as_("a"))).json()
    assert [i["shift"]["id"] for i in upcoming["items"]] == [later["id"]]


async def test_a_volunteer_of_another_community_has_no_shifts_or_statistics_here_404_not_an_empty_list(
    shifts: Shifts, tokens: Tokens
) -> None:
    await shifts.setup_post()
    await shifts.register("a")
    elsewhere = tokens.headers("binhu-admin", "admin", community="binhu")

    answers = [
        (await shifts.client.get(f"/volunteers/a/{what}", headers=elsewhere)).status_code
        for what in ("shifts", "stats")
    ]
    never_registered = await shifts.client.get("/volunteers/nobody/stats", headers=shifts.admin)

    assert answers == [404, 404]
    assert never_registered.status_code == 404
