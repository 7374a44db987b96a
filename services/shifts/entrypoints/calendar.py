"""Route: a volunteer's shifts as an iCalendar feed, reached by its unguessable address."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from fastapi import APIRouter, Depends, Path
from icalendar import Calendar, Event
from starlette.responses import Response

from contracts.enums import PostType
from services.kernel.app import ServiceContext, get_ctx
from services.kernel.clock import LOCAL
from services.kernel.problems import NotFound
from services.shifts.entrypoints.deps import clock_of

router = APIRouter(tags=["calendar"])


@router.get(
    "/feeds/{token}.ics",
    summary="A volunteer's shifts (iCalendar); no bearer token: the address is the secret",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
async def feed(
    token: str = Path(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$"),
    ctx: ServiceContext = Depends(get_ctx),
) -> Response:
    digest = hashlib.sha256(token.encode()).digest()
    since = clock_of(ctx).now() - timedelta(days=90)
    async with ctx.pool.acquire() as conn:
        volunteer = await conn.fetchrow("SELECT community, id, name FROM volunteers WHERE feed_token_hash = $1", digest)
        if volunteer is None:
            raise NotFound("No calendar at this address (it may have been re-issued).")
        rows = await conn.fetch(
            """SELECT s.id, s.community, s.title, s.starts_at, s.ends_at, s.location, s.notes, s.status, s.created_at,
                      p.post_type, su.status AS signup_status
               FROM signups su JOIN shifts s ON s.id = su.shift_id JOIN posts p ON p.id = s.post_id
               WHERE su.community = $1 AND su.volunteer_id = $2 AND su.status <> 'cancelled' AND s.ends_at >= $3
               ORDER BY s.starts_at LIMIT 1000""",
            volunteer["community"],
            volunteer["id"],
            since,
        )
    cal = Calendar()
    cal.add("prodid", "-//Linli//shifts//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{volunteer['name']} · 红色岗位 / Red-post shifts")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for row in rows:
        post = PostType(row["post_type"])
        event = Event()
        # The UID is the shift's: stable across refreshes, so calendars update instead of duplicating.
        event.add("uid", f"shift-{row['id']}@{row['community']}.linli")
        event.add("dtstamp", row["created_at"])
        event.add("dtstart", row["starts_at"].astimezone(LOCAL))
        event.add("dtend", row["ends_at"].astimezone(LOCAL))
        waiting = " (候补 / waitlist)" if row["signup_status"] == "waitlisted" else ""
        event.add("summary", f"{post.label('zh-CN')} · {row['title']}{waiting}")
        if row["location"]:
            event.add("location", row["location"])
        event.add("description", f"{post.label('zh-CN')} / {post.label('en')}\n{row['notes'] or ''}".strip())
        event.add("status", "CANCELLED" if row["status"] == "cancelled" else "CONFIRMED")
        cal.add_component(event)
    cal.add_missing_timezones()
    return Response(cal.to_ical(), media_type="text/calendar; charset=utf-8")
