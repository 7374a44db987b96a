"""Shifts: the four red posts, volunteers, templates, shifts, sign-ups, check-in, confirmation.

Leading a post is a relation, not a token role: the matrix's post leader leads patrol (the post
of the arranged shift), `other_leader` leads culture, and the other community's post leader leads
that community's patrol. Committees and admins act as leaders of every post of their community.
A volunteer reads and changes only their own sign-ups and statistics, a leader anyone's.
Shifts are read per community: the district role reads through each community's own callers
(another community's shift is 404 to every caller)."""

from __future__ import annotations

from tests.security.matrix.model import E403, E404, OK, Row, World, infrastructure, route

SERVICE = "shifts"

LEADERS = ("post_leader", "committee", "admin")
"""The matrix's callers who lead the patrol post (the post leader by relation, the others by role)."""


def _shift(w: World) -> object:
    return {
        "post": "patrol",
        "title": "夜间巡逻 Night patrol",
        "starts_at": w["in_three_days"],
        "ends_at": w["in_three_days_end"],
        "location": "美湖小区北门",
        "capacity": 5,
    }


def _template(w: World) -> object:
    return {
        "post": "patrol",
        "title": "周六巡逻 Saturday patrol",
        "weekdays": [6],
        "start_time": "19:00:00",
        "end_time": "21:00:00",
        "valid_from": w["today"],
        "capacity": 4,
    }


OTHER_LEADER = {"other_leader": E403}
"""The leader of another post may not act on a patrol shift or template."""

ROWS: list[Row] = [
    *infrastructure(),
    route("GET", "/posts", scope="community"),
    route("GET", "/posts/{post_type}", scope="community"),
    route(
        "PUT",
        "/posts/{post_type}",
        "committee",
        "admin",
        scope="community",
        body={"description": "环境整治岗", "leader_ids": []},
        fill={"post_type": "spare_post"},
    ),
    route("GET", "/posts/{post_type}/stats", scope="community"),
    route(
        "PUT",
        "/volunteers/{volunteer_id}",
        *LEADERS,
        scope="community",
        own={"volunteer"},
        body={"name": "志愿者", "kind": "resident", "building_group": 1, "posts": ["patrol"]},
        note="leaders register anyone; a resident registers themself",
    ),
    route("GET", "/volunteers", *LEADERS, scope="community"),
    route("GET", "/volunteers/{volunteer_id}", *LEADERS, own={"volunteer"}),
    route("POST", "/volunteers/{volunteer_id}/reapprove", *LEADERS),
    route("GET", "/volunteers/{volunteer_id}/shifts", *LEADERS, own={"volunteer"}, cells={"neighbour": E403}),
    route("GET", "/volunteers/{volunteer_id}/stats", *LEADERS, own={"volunteer"}, cells={"neighbour": E403}),
    route(
        "POST",
        "/volunteers/me/feed",
        scope="community",
        owner_only=True,
        own={"volunteer"},
        deny=E404,
        cells={"volunteer@other": OK},
        phase=1,
        note="a registered volunteer's own calendar address (404 to anyone not registered); re-issuing it ends the old one",
    ),
    route("POST", "/templates", *LEADERS, scope="community", body=_template, cells=OTHER_LEADER),
    route("GET", "/templates", scope="community"),
    route("GET", "/templates/{template_id}"),
    route("PUT", "/templates/{template_id}", *LEADERS, gate=False, body=_template, cells=OTHER_LEADER),
    route("POST", "/templates/{template_id}/generate", *LEADERS, gate=False, cells=OTHER_LEADER),
    route("POST", "/shifts", *LEADERS, scope="community", body=_shift, cells=OTHER_LEADER),
    route("GET", "/shifts", scope="community"),
    route("GET", "/shifts/{shift_id}"),
    route("PATCH", "/shifts/{shift_id}", *LEADERS, gate=False, body={"notes": "带手电筒"}, cells=OTHER_LEADER),
    route(
        "POST",
        "/shifts/{shift_id}/cancel",
        *LEADERS,
        gate=False,
        body={"reason": "暴雨 Storm"},
        fill={"shift_id": "shift_to_cancel"},
        cells=OTHER_LEADER,
    ),
    route(
        "POST",
        "/shifts/{shift_id}/signups",
        owner_only=True,
        own={"volunteer"},
        deny=E404,
        body={},
        fill={"shift_id": "shift_to_join"},
        cells={"neighbour": OK},
        note="a registered volunteer signs up themself (404 to anyone not registered; a leader signs up others)",
    ),
    route("GET", "/shifts/{shift_id}/signups", note="the shift's roster, for the community"),
    route("GET", "/shifts/{shift_id}/signups/{volunteer_id}"),
    route(
        "DELETE",
        "/shifts/{shift_id}/signups/{volunteer_id}",
        *LEADERS,
        gate=False,
        own={"volunteer"},
        fill={"shift_id": "shifts_to_leave"},
        cells={"neighbour": E403},
    ),
    route("GET", "/shifts/{shift_id}/waitlist"),
    route(
        "GET",
        "/shifts/{shift_id}/roster",
        *LEADERS,
        gate=False,
        note="names and party membership at the post: its own leaders and the committees",
    ),
    route(
        "POST",
        "/shifts/{shift_id}/signups/{volunteer_id}/check-in",
        *LEADERS,
        gate=False,
        own={"volunteer"},
        cells={"neighbour": E403},
    ),
    route(
        "POST",
        "/shifts/{shift_id}/signups/{volunteer_id}/check-out",
        *LEADERS,
        gate=False,
        own={"volunteer"},
        cells={"neighbour": E403},
    ),
    route(
        "POST",
        "/shifts/{shift_id}/confirmations",
        *LEADERS,
        gate=False,
        body=lambda w: {"participants": [{"volunteer_id": w["volunteer_id"], "outcome": "completed"}]},
        cells=OTHER_LEADER,
        note="only a leader of the shift's own post confirms",
    ),
    route("GET", "/shifts/{shift_id}/participations"),
    route("GET", "/feeds/{token}.ics", scope="public", fill={"token": "feed_token_shifts"}),
]
