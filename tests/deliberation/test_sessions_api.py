"""Councils and their sessions through the HTTP API: scheduling, lifecycle, attendance, listing."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from services.deliberation.bootstrap import create
from services.deliberation.service_layer.scheduling import schedule_all, schedule_council
from services.deliberation.settings import DeliberationSettings
from services.kernel.clock import SettableClock
from services.kernel.db import create_pool
from tests.deliberation.helpers import make_council, new_uow, sql, units
from tests.support.infra import Tokens, running, settings_for

SCHEDULED = "linli.session.scheduled.v1"


async def test_creating_a_council_schedules_first_friday_sessions_at_19_shanghai(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    council = await make_council(client, tokens)
    sessions = await council.sessions()
    assert len(sessions) >= 3
    for session in sessions:
        local = datetime.fromisoformat(session["starts_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
        assert local.weekday() == 4
        assert local.day <= 7
        assert (local.hour, local.minute) == (19, 0)
        assert session["regular"] is True
        assert session["status"] == "scheduled"
    assert sessions[0]["mode_labels"] == {"zh-CN": "集中议事", "en": "In person"}


async def test_a_session_outside_the_calendars_years_is_refused_and_not_scheduled(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    council = await make_council(client, tokens)
    before = await council.sessions()

    refused = [
        await client.post(f"/councils/{council.id}/sessions", json={"title": "t", **times}, headers=council.chair)
        for times in (
            {"starts_at": "0001-01-01T00:00:00Z"},
            {"starts_at": "9999-12-31T23:00:00Z"},
            {"starts_at": "2030-01-01T11:00:00Z", "ends_at": "9999-12-31T23:59:59Z"},
        )
    ]

    assert [r.status_code for r in refused] == [422, 422, 422]
    assert await council.sessions() == before


async def test_session_scheduled_events_name_the_members_and_observers(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    council = await make_council(client, tokens)  # created with its members
    regular = await sql(database_url).outbox(SCHEDULED)
    assert len(regular) == len(await council.sessions())
    expected = sorted([*council.members, "liu-yang"])  # observers are told too
    assert all(sorted(e["data"]["member_ids"]) == expected for e in regular)
    session = await council.ad_hoc()
    events = [e for e in await sql(database_url).outbox(SCHEDULED) if e["data"]["session_id"] == session["id"]]
    assert len(events) == 1
    assert sorted(events[0]["data"]["member_ids"]) == expected
    assert events[0]["subject"] == session["id"]


async def test_a_council_with_a_person_twice_is_refused_and_nothing_created(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    twice = {"person_id": "li-na", "name": "李娜", "party": "resident", "term_from": "2026-01-01"}
    response = await client.post(
        "/councils", json={"kind": "women", "members": [twice, twice]}, headers=tokens.headers("admin", "admin")
    )
    assert response.status_code == 400
    assert await sql(database_url).fetchval("SELECT count(*) FROM councils") == 0
    assert await sql(database_url).fetchval("SELECT count(*) FROM outbox") == 0


async def test_scheduling_twice_and_concurrently_never_doubles_a_session(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str, nats_url: str, run_dir: Path
) -> None:
    council = await make_council(client, tokens)
    before = await sql(database_url).fetchval("SELECT count(*) FROM sessions WHERE council_id = $1::uuid", council.id)
    events_before = len(await sql(database_url).outbox(SCHEDULED))
    settings = settings_for(database_url, nats_url, run_dir, DeliberationSettings, deliberation_months_ahead=6)
    pools = [await create_pool(database_url, "deliberation", min_size=1, max_size=2) for _ in range(3)]
    try:  # three instances, each with its own pool, schedule at once
        created = await asyncio.gather(*(schedule_all(new_uow(units(p, settings))) for p in pools))
        again = await schedule_all(new_uow(units(pools[0], settings)))
    finally:
        for pool in pools:
            await pool.close()
    after = await sql(database_url).fetchval("SELECT count(*) FROM sessions WHERE council_id = $1::uuid", council.id)
    assert after > before  # six months ahead adds sessions...
    assert sum(created) == after - before  # ...each inserted by exactly one instance
    assert again == 0
    assert len(await sql(database_url).outbox(SCHEDULED)) == events_before + (after - before)
    dates = await sql(database_url).fetchval(
        "SELECT count(DISTINCT regular_date) = count(regular_date) FROM sessions WHERE council_id = $1::uuid",
        council.id,
    )
    assert dates is True


async def test_a_second_instance_starting_schedules_nothing_new(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str, nats_url: str, run_dir: Path
) -> None:
    await make_council(client, tokens)
    count = await sql(database_url).fetchval("SELECT count(*) FROM sessions")
    async with running(create(settings_for(database_url, nats_url, run_dir, DeliberationSettings))):
        assert await sql(database_url).fetchval("SELECT count(*) FROM sessions") == count


async def test_a_community_has_one_council_of_each_kind(client: httpx.AsyncClient, tokens: Tokens) -> None:
    council = await make_council(client, tokens)
    again = await client.post("/councils", json={"kind": "consultation"}, headers=council.as_("admin"))
    assert again.status_code == 409
    assert again.json()["existing_council_id"] == council.id


async def test_only_admins_create_councils_and_members(client: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await client.post(
        "/councils", json={"kind": "women"}, headers=tokens.headers("zhang-wei", "council_member")
    )
    assert response.status_code == 403
    assert (await client.get("/councils", headers=tokens.headers("admin", "admin"))).json() == []


async def test_observer_is_a_non_voting_member(client: httpx.AsyncClient, tokens: Tokens) -> None:
    council = await make_council(client, tokens)
    members = (await client.get(f"/councils/{council.id}/members", headers=council.as_("sun-hao"))).json()
    by_id = {m["person_id"]: m for m in members}
    assert by_id["liu-yang"]["voting"] is False
    assert by_id["liu-yang"]["position_labels"]["zh-CN"] == "列席人员"
    assert by_id["zhang-wei"]["voting"] is True
    assert members[0]["position"] == "chair"


async def test_lifecycle_refuses_illegal_transitions_with_409(client: httpx.AsyncClient, tokens: Tokens) -> None:
    council = await make_council(client, tokens)
    session = await council.next_session()
    conclude = await client.post(f"/sessions/{session['id']}/conclude", json={}, headers=council.chair)
    assert conclude.status_code == 409
    assert conclude.json()["type"].endswith("/illegal-transition")
    assert conclude.json()["current_state"] == "scheduled"
    assert conclude.json()["allowed_next"] == ["open", "cancelled"]
    cancel = await client.post(f"/sessions/{session['id']}/cancel", json={"reason": "台风"}, headers=council.chair)
    assert cancel.status_code == 200
    assert cancel.json()["status"] == "cancelled"
    reopen = await client.post(f"/sessions/{session['id']}/open", headers=council.chair)
    assert reopen.status_code == 409
    assert (await client.get(f"/sessions/{session['id']}", headers=council.chair)).json()["status"] == "cancelled"


async def test_cancelling_emits_session_cancelled_and_keeps_the_date_free_of_a_new_session(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str, nats_url: str, run_dir: Path
) -> None:
    council = await make_council(client, tokens)
    session = await council.next_session()
    await client.post(f"/sessions/{session['id']}/cancel", json={"reason": "台风"}, headers=council.chair)
    events = await sql(database_url).outbox("linli.session.cancelled.v1")
    assert [e["data"]["session_id"] for e in events] == [session["id"]]
    assert events[0]["data"]["reason"] == "台风"
    assert "zhang-wei" in events[0]["data"]["member_ids"]
    pool = await create_pool(database_url, "deliberation", min_size=1, max_size=1)
    try:
        await schedule_all(new_uow(units(pool, settings_for(database_url, nats_url, run_dir, DeliberationSettings))))
    finally:
        await pool.close()
    same_day = [s for s in await council.sessions() if s["starts_at"] == session["starts_at"]]
    assert [s["status"] for s in same_day] == ["cancelled"]


async def test_only_officers_open_sessions(client: httpx.AsyncClient, tokens: Tokens) -> None:
    council = await make_council(client, tokens)
    session = await council.next_session()
    response = await client.post(f"/sessions/{session['id']}/open", headers=council.as_("huang-li"))
    assert response.status_code == 403
    assert (await client.get(f"/sessions/{session['id']}", headers=council.chair)).json()["status"] == "scheduled"


async def test_attendance_of_a_non_member_is_refused(client: httpx.AsyncClient, tokens: Tokens) -> None:
    council = await make_council(client, tokens)
    session = await council.next_session()
    await council.open_with(session["id"], ["wang-fang"])
    refused = await client.put(f"/sessions/{session['id']}/attendance/sun-hao", headers=council.chair)
    assert refused.status_code == 403
    self_check_in = await client.put(f"/sessions/{session['id']}/attendance/huang-li", headers=council.as_("huang-li"))
    assert self_check_in.status_code == 204
    other = await client.put(f"/sessions/{session['id']}/attendance/li-na", headers=council.as_("huang-li"))
    assert other.status_code == 403
    present = (await client.get(f"/sessions/{session['id']}/attendance", headers=council.chair)).json()
    assert sorted(a["person_id"] for a in present) == ["huang-li", "wang-fang"]


async def test_sessions_are_listed_by_date_range_with_keyset_pages(client: httpx.AsyncClient, tokens: Tokens) -> None:
    council = await make_council(client, tokens)
    for days in (2, 3, 4):
        await council.ad_hoc(starts_in=timedelta(days=days))
    everything = await council.sessions(limit="100")
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await client.get(f"/councils/{council.id}/sessions", params=params, headers=council.chair)).json()
        seen += [s["id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [s["id"] for s in everything]
    start = datetime.now(UTC) + timedelta(days=1, hours=12)
    window = await council.sessions(**{"from": start.isoformat(), "to": (start + timedelta(days=2)).isoformat()})
    assert len([s for s in window if not s["regular"]]) == 2  # the ad-hoc sessions in 2 and 3 days
    bad = await client.get(f"/councils/{council.id}/sessions", params={"cursor": "nonsense"}, headers=council.chair)
    assert bad.status_code == 400


async def test_schedule_from_december_runs_into_january_that_starts_on_a_friday(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str, nats_url: str, run_dir: Path
) -> None:
    council = await make_council(client, tokens)
    settings = settings_for(database_url, nats_url, run_dir, DeliberationSettings, deliberation_months_ahead=4)
    row = await sql(database_url).fetchrow("SELECT * FROM councils WHERE id = $1::uuid", council.id)
    assert row is not None
    await sql(database_url).execute("DELETE FROM sessions")  # start from a clean calendar at a fixed "now"
    now = datetime(2027, 12, 4, 9, 0, tzinfo=UTC)  # after the first Friday of December 2027 (the 3rd)
    pool = await create_pool(database_url, "deliberation", min_size=1, max_size=1)
    try:
        await schedule_council(new_uow(units(pool, settings, SettableClock(now)))(), row)
    finally:
        await pool.close()
    days = [r["regular_date"] for r in await sql(database_url).fetch("SELECT regular_date FROM sessions ORDER BY 1")]
    # January 2028 starts on a Saturday; February 2028 is a leap month; March 2028 begins on a Wednesday
    assert days == [date(2028, 1, 7), date(2028, 2, 4), date(2028, 3, 3), date(2028, 4, 7)]


async def test_meeting_time_is_configurable_and_a_new_council_meets_in_the_community_time_zone(
    database_url: str, nats_url: str, run_dir: Path, tokens: Tokens
) -> None:
    settings = settings_for(
        database_url,
        nats_url,
        run_dir,
        DeliberationSettings,
        deliberation_meeting_time=time(9, 30),
        time_zone="Europe/London",
    )
    async with running(create(settings)) as http:
        council = await make_council(http, tokens)
        sessions = await council.sessions()
    assert council.body["timezone"] == "Europe/London"
    for session in sessions:
        local = datetime.fromisoformat(session["starts_at"]).astimezone(ZoneInfo("Europe/London"))
        assert (local.weekday(), local.hour, local.minute) == (4, 9, 30)


async def test_an_unknown_timezone_is_refused(client: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await client.post(
        "/councils", json={"kind": "women", "timezone": "Mars/Olympus"}, headers=tokens.headers("admin", "admin")
    )
    assert response.status_code == 400
    assert (await client.get("/councils", headers=tokens.headers("admin", "admin"))).json() == []


async def test_removing_a_member_who_attended_ends_their_term_instead(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    council = await make_council(client, tokens)
    session = await council.next_session()
    await council.open_with(session["id"], ["huang-li"])
    admin = council.as_("admin")
    assert (await client.delete(f"/councils/{council.id}/members/huang-li", headers=admin)).status_code == 204
    assert (await client.delete(f"/councils/{council.id}/members/yang-min", headers=admin)).status_code == 204
    members = {m["person_id"]: m for m in (await client.get(f"/councils/{council.id}/members", headers=admin)).json()}
    assert "yang-min" not in members
    assert members["huang-li"]["term_until"] is not None
    assert (await client.delete(f"/councils/{council.id}/members/nobody", headers=admin)).status_code == 404
