"""Route: a volunteer's shifts as an iCalendar feed, reached by its unguessable address."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Path
from icalendar import Calendar, Event
from starlette.responses import Response

from contracts.enums import PostType
from services.shifts.adapters import queries
from services.shifts.domain.errors import FeedNotFound
from services.shifts.entrypoints.deps import get_shifts_uow
from services.shifts.service_layer.unit_of_work import ShiftsUnitOfWork
from services.shifts.service_layer.volunteers import feed_digest

router = APIRouter(tags=["calendar"])


@router.get(
    "/feeds/{token}.ics",
    summary="A volunteer's shifts (iCalendar); no bearer token: the address is the secret",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
async def feed(
    token: str = Path(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$"),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> Response:
    zone = uow.zone
    async with uow.read() as conn:
        volunteer = await queries.volunteer_by_feed(conn, feed_digest(token))
        if volunteer is None:
            raise FeedNotFound()
        rows = await queries.feed_shifts(conn, volunteer["community"], volunteer["id"], uow.now() - timedelta(days=90))
    cal = Calendar()
    cal.add("prodid", "-//Linli//shifts//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{volunteer['name']} · 红色岗位 / Red-post shifts")
    cal.add("x-wr-timezone", uow.settings.time_zone)
    for row in rows:
        post = PostType(row["post_type"])
        event = Event()
        # The UID is the shift's: stable across refreshes, so calendars update instead of duplicating.
        event.add("uid", f"shift-{row['id']}@{row['community']}.linli")
        event.add("dtstamp", row["created_at"])
        event.add("dtstart", row["starts_at"].astimezone(zone))
        event.add("dtend", row["ends_at"].astimezone(zone))
        waiting = " (候补 / waitlist)" if row["signup_status"] == "waitlisted" else ""
        event.add("summary", f"{post.label('zh-CN')} · {row['title']}{waiting}")
        if row["location"]:
            event.add("location", row["location"])
        event.add("description", f"{post.label('zh-CN')} / {post.label('en')}\n{row['notes'] or ''}".strip())
        event.add("status", "CANCELLED" if row["status"] == "cancelled" else "CONFIRMED")
        cal.add_component(event)
    cal.add_missing_timezones()
    return Response(cal.to_ical(), media_type="text/calendar; charset=utf-8")
