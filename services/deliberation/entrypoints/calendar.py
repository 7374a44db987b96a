"""HTTP: an iCalendar feed of a council's sessions, for phone calendars.

Phones cannot send bearer headers, so the feed is reached by an unguessable per-council
token in the URL (rotated with POST /councils/{id}/feed-token). Times are written in the
council's timezone with its VTIMEZONE; UIDs are stable so a phone updates, not duplicates.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Response
from icalendar import Calendar, Event

from contracts.enums import CouncilKind, MeetingMode
from services.deliberation.adapters import queries
from services.deliberation.adapters.rows import Row
from services.deliberation.domain.errors import NotFoundError
from services.deliberation.entrypoints.deps import get_uow
from services.deliberation.service_layer.unit_of_work import DeliberationUnitOfWork

router = APIRouter(tags=["calendar"])

_STATUS = {"scheduled": "CONFIRMED", "open": "CONFIRMED", "concluded": "CONFIRMED", "cancelled": "CANCELLED"}


def session_uid(session_id: object) -> str:
    return f"session-{session_id}@deliberation.linli"


def build_calendar(council: Row, sessions: Sequence[Row], now: datetime) -> bytes:
    zone = ZoneInfo(council["timezone"])
    kind = CouncilKind(council["kind"])
    calendar = Calendar()
    calendar.add("prodid", "-//Linli//Deliberation//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{council['name']} / {kind.label('en')}")
    calendar.add("x-wr-timezone", council["timezone"])
    for session in sessions:
        mode = MeetingMode(session["mode"])
        event = Event()
        event.add("uid", session_uid(session["id"]))
        event.add("dtstamp", now)
        event.add("dtstart", session["starts_at"].astimezone(zone))
        event.add("dtend", session["ends_at"].astimezone(zone))
        event.add("summary", session["title"])
        event.add("description", f"{mode.label('zh-CN')} / {mode.label('en')}")
        if session["location"]:
            event.add("location", session["location"])
        event.add("status", _STATUS[session["status"]])
        # Each state change bumps the sequence so calendars take the newer copy.
        event.add("sequence", {"scheduled": 0, "open": 1, "concluded": 2, "cancelled": 2}[session["status"]])
        calendar.add_component(event)
    calendar.add_missing_timezones()
    data: bytes = calendar.to_ical()
    return data


@router.get(
    "/calendars/{feed_token}.ics",
    response_class=Response,
    summary="iCalendar feed of a council's sessions (token in the URL, no bearer header)",
)
async def calendar_feed(
    feed_token: str = Path(min_length=20, max_length=100), uow: DeliberationUnitOfWork = Depends(get_uow)
) -> Response:
    now = uow.now()
    async with uow.read() as conn:
        council = await queries.council_by_feed_token(conn, feed_token)
        if council is None:
            raise NotFoundError("No calendar at this address.")
        sessions = await queries.calendar_sessions(conn, council["id"], now - timedelta(days=180))
    return Response(
        build_calendar(council, sessions, now),
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300", "Content-Disposition": 'inline; filename="council.ics"'},
    )
