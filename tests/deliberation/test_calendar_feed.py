"""The iCalendar feed a phone subscribes to: no bearer header, an unguessable token, stable UIDs."""

from __future__ import annotations

import httpx
from icalendar import Calendar

from tests.deliberation.helpers import make_council
from tests.support.infra import Tokens


async def test_feed_is_a_valid_calendar_with_timezone_and_stable_uids(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    council = await make_council(client, tokens)
    feed_url = council.body["feed_url"]
    assert feed_url.startswith("/calendars/")
    first = await client.get(feed_url)  # no Authorization header: phones cannot send one
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(first.content)
    assert calendar.name == "VCALENDAR"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    events = calendar.walk("VEVENT")
    sessions = await council.sessions()
    assert len(events) == len(sessions)
    assert all(e.decoded("DTSTART").tzinfo is not None for e in events)
    uids = [str(e["UID"]) for e in events]
    again = Calendar.from_ical((await client.get(feed_url)).content)
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == uids
    assert len(set(uids)) == len(uids)


async def test_a_cancelled_session_is_status_cancelled_in_the_feed(client: httpx.AsyncClient, tokens: Tokens) -> None:
    council = await make_council(client, tokens)
    session = await council.next_session()
    await client.post(f"/sessions/{session['id']}/cancel", json={"reason": "台风"}, headers=council.chair)
    calendar = Calendar.from_ical((await client.get(council.body["feed_url"])).content)
    statuses = {str(e["UID"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}
    assert statuses[f"session-{session['id']}@deliberation.linli"] == "CANCELLED"
    assert list(statuses.values()).count("CANCELLED") == 1


async def test_a_wrong_or_rotated_token_finds_no_calendar(client: httpx.AsyncClient, tokens: Tokens) -> None:
    council = await make_council(client, tokens)
    old_url = council.body["feed_url"]
    assert (await client.get("/calendars/" + "x" * 43 + ".ics")).status_code == 404
    rotated = await client.post(f"/councils/{council.id}/feed-token", headers=council.as_("admin"))
    new_url = rotated.json()["feed_url"]
    assert new_url != old_url
    assert (await client.get(old_url)).status_code == 404
    assert (await client.get(new_url)).status_code == 200


async def test_residents_do_not_see_the_feed_url(client: httpx.AsyncClient, tokens: Tokens) -> None:
    council = await make_council(client, tokens)
    seen = (await client.get(f"/councils/{council.id}", headers=tokens.headers("sun-hao", "resident"))).json()
    assert seen["feed_url"] is None
    assert seen["kind_labels"] == {"zh-CN": "协商议事会", "en": "Consultation council"}
