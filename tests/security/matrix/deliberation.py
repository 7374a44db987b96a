"""Deliberation: councils, members, sessions, attendance, agenda items, motions, votes, decisions.

Who may act on a council depends on the council, not on a role in the token: its officers
(chair, vice chair, secretary) and the community's admins run sessions; its members put items on
the agenda and vote; the matrix's council member is an ordinary voting member of council A, the
`other_member` sits on council B only. Reads are for everyone of the community and the district.
Changing another community's council is refused 403 to the district, who can see it, and 404 to
everyone else."""

from __future__ import annotations

from tests.security.matrix.model import E403, OK, Row, infrastructure, route

SERVICE = "deliberation"

DISTRICT_SEES = {"district@other": E403}
"""A write to a council the district can read: refused, not hidden (only the community changes it)."""

ROWS: list[Row] = [
    *infrastructure(),
    route(
        "GET", "/numbers", "committee", "council_member", "admin", "district", scope="community", query={"year": 2026}
    ),
    route("GET", "/councils", scope="community"),
    route(
        "POST",
        "/councils",
        "admin",
        scope="community",
        body={"kind": "consultation", "name": "矩阵议事会 Matrix council", "members": []},
    ),
    route("GET", "/councils/{council_id}", district_reads=True),
    route("PATCH", "/councils/{council_id}", "admin", body={"location": "美湖社区党群服务中心"}, cells=DISTRICT_SEES),
    route("POST", "/councils/{council_id}/feed-token", "admin", cells=DISTRICT_SEES, fill={"council_id": "council_b"}),
    route("GET", "/councils/{council_id}/members", district_reads=True),
    route(
        "PUT",
        "/councils/{council_id}/members/{person_id}",
        "admin",
        body={"name": "新成员", "party": "residents_committee", "position": "member", "term_from": "2026-01-01"},
        fill={"person_id": "member_to_remove"},
        cells=DISTRICT_SEES,
    ),
    route(
        "DELETE",
        "/councils/{council_id}/members/{person_id}",
        "admin",
        fill={"person_id": "member_to_remove"},
        cells=DISTRICT_SEES,
        phase=1,
    ),
    route("GET", "/councils/{council_id}/sessions", district_reads=True),
    route(
        "POST",
        "/councils/{council_id}/sessions",
        "admin",
        gate=False,
        body=lambda w: {"title": "临时会议 Ad-hoc session", "starts_at": w["in_a_week"], "mode": "in_person"},
        cells=DISTRICT_SEES,
        note="admins and the council's officers",
    ),
    route("GET", "/sessions/{session_id}", district_reads=True),
    route(
        "PATCH",
        "/sessions/{session_id}",
        "admin",
        gate=False,
        body={"location": "社区议事厅 Council room"},
        cells=DISTRICT_SEES,
        note="the officers record how and where it meets",
    ),
    route(
        "POST",
        "/sessions/{session_id}/open",
        "admin",
        gate=False,
        fill={"session_id": "session_to_open"},
        cells=DISTRICT_SEES,
    ),
    route(
        "POST",
        "/sessions/{session_id}/conclude",
        "admin",
        gate=False,
        body={"minutes": "会议纪要 Minutes"},
        fill={"session_id": "session_to_conclude"},
        cells=DISTRICT_SEES,
    ),
    route(
        "POST",
        "/sessions/{session_id}/cancel",
        "admin",
        gate=False,
        body={"reason": "改期 Postponed"},
        fill={"session_id": "session_to_cancel"},
        cells=DISTRICT_SEES,
    ),
    route("GET", "/sessions/{session_id}/attendance", district_reads=True),
    route(
        "PUT",
        "/sessions/{session_id}/attendance/{person_id}",
        "admin",
        gate=False,
        own={"council_member"},
        fill={"person_id": "council_member_id"},
        cells={**DISTRICT_SEES, "other_member": E403},
        note="a member checks themself in; officers and admins record anyone",
    ),
    route(
        "DELETE",
        "/sessions/{session_id}/attendance/{person_id}",
        "admin",
        gate=False,
        own={"council_member"},
        fill={"session_id": "session_to_open", "person_id": "council_member_id"},
        cells={**DISTRICT_SEES, "other_member": E403},
    ),
    route("GET", "/sessions/{session_id}/agenda-items", district_reads=True),
    route(
        "POST",
        "/sessions/{session_id}/agenda-items",
        "admin",
        "committee",
        "council_member",
        gate=False,
        body={"title": "楼道堆物整治 Clearing the stairwells", "description": "议题说明"},
        cells={**DISTRICT_SEES, "other_member": E403},
        note="the council's members, the committees and admins",
    ),
    route("GET", "/agenda-items/waiting", scope="community"),
    route("GET", "/agenda-items/{item_id}", district_reads=True),
    route(
        "POST",
        "/agenda-items/{item_id}/defer",
        "admin",
        gate=False,
        fill={"item_id": "item_to_defer"},
        cells=DISTRICT_SEES,
    ),
    route(
        "POST",
        "/agenda-items/{item_id}/motions",
        "admin",
        "council_member",
        gate=False,
        body={"title": "同意清理 Clear them", "text": "由物业一周内清理"},
        fill={"item_id": "item_for_motion"},
        cells={**DISTRICT_SEES, "other_member": E403},
        note="the council's voting members, its officers and admins",
    ),
    route("GET", "/sessions/{session_id}/motions", district_reads=True),
    route("GET", "/motions/{motion_id}", district_reads=True),
    route(
        "PUT",
        "/motions/{motion_id}/vote",
        "council_member",
        gate=False,
        body={"choice": "for"},
        cells={**DISTRICT_SEES, "other_member": E403},
        note="only the council's voting members, present or online; a member of another council is refused",
    ),
    route(
        "POST",
        "/motions/{motion_id}/close",
        "admin",
        gate=False,
        body={"action_plan": "物业一周内清理", "responsible_party": "property_management"},
        fill={"motion_id": "motion_to_close"},
        cells=DISTRICT_SEES,
        phase=1,
    ),
    route("GET", "/councils/{council_id}/decisions", district_reads=True),
    route("GET", "/decisions/{decision_id}", district_reads=True),
    route("GET", "/calendars/{feed_token}.ics", scope="public", note="the secret token in the address is the key"),
]

__all__ = ["OK", "ROWS", "SERVICE"]
