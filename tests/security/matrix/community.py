"""Community: announcements and publicity agents, initiatives, the 亮身份 board, the festival, public
selections, micro-wishes, venture projects, care visits, the yearly report.

Most of it is the committees' to run (the `committee` role: admins are not committee members here)
and every resident's to read and join. Relations decide the rest: a publicity agent publishes only
to the building group they are registered for and withdraws only what they published (the matrix's
agent is registered for group 1, `other_agent` for group 2); a venture's lead is the post leader who
applied (`other_leader` is refused); a micro-wish is fulfilled by its claimer (the resident) and
confirmed by its family (the resident of another wish, claimed by `neighbour`); a selection names
who may nominate and vote (residents). An announcement to building group 1 is not there for a reader
of group 2 (`neighbour`). The board, its print and a selection's results are public (no token). The
wish board is public too, for the community it names (`?community=meihu`): another community's
signed-in callers are told it does not exist, the district reads it."""

from __future__ import annotations

from tests.security.matrix.model import E403, E404, OK, Row, World, infrastructure, route

SERVICE = "community"

AGENT_GROUP = {"audience": "building_group", "building_group": 1}

ANNOUNCEMENT = {"title": "停水通知 Water off", "body": "5栋周六上午停水。", **AGENT_GROUP}

NOT_HIS_GROUP = {"neighbour": E404}
"""An announcement to building group 1 is not there for a reader of group 2."""

OTHER_LEADER = {"other_leader": E403}
"""A post leader who did not apply for the venture is not its lead."""

MEIHU = {"community": "meihu"}
"""The wish board a reader names: Meihu's."""


def _consent(_: World) -> object:
    return {
        "photo_url": "https://example.org/photo.jpg",
        "role": "party_member",
        "post_type": "patrol",
        "phone": "13900000000",
    }


def _festival(w: World) -> object:
    return {"year": w["year"], "theme": "邻里一家亲", "proposals_close_at": w["in_a_week"]}


def _schedule(w: World) -> object:
    return {"starts_at": w["in_three_days"], "ends_at": w["in_three_days_end"], "location": "社区广场", "capacity": 50}


def selection_body(w: World) -> dict[str, object]:
    """A selection of three neighbour stars (the arrangement makes its fixtures from it too)."""
    return {
        "category": "neighbour_star",
        "year": w["year"],
        "title": {"zh-CN": "睦邻之星", "en": "Neighbour stars"},
        "seats": 3,
        "nominations_close_at": w["in_a_week"],
        "voting_closes_at": w["in_two_weeks"],
    }


VENTURE = {
    "title": "夜间巡逻 Night patrols",
    "aim": "小区夜间安全",
    "post_type": "patrol",
    "budget": "1000.00",
    "activities_planned": ["每周巡逻"],
}


def _visit(w: World) -> object:
    return {"volunteer_id": w["person_id"], "planned_for": w["today"], "visitors": ["matrix-committee"]}


def _visit_record(w: World) -> object:
    return {"visited_at": w["an_hour_ago"], "visitors": ["matrix-committee"], "note": "身体健康，感谢关心。"}


ROWS: list[Row] = [
    *infrastructure(),
    # -- announcements and publicity agents ---------------------------------------------------
    route(
        "POST",
        "/announcements",
        "committee",
        "publicity_agent",
        scope="community",
        body=ANNOUNCEMENT,
        cells={"other_agent": E403},
        note="an agent only to the building group they are registered for (other_agent: group 2)",
    ),
    route("GET", "/announcements", scope="community", note="the community's, my building group's, my posts'"),
    route("GET", "/announcements/{announcement_id}", cells=NOT_HIS_GROUP),
    route("POST", "/announcements/{announcement_id}/acknowledgements", cells=NOT_HIS_GROUP),
    route("GET", "/announcements/{announcement_id}/acknowledgements", "committee"),
    route(
        "POST",
        "/announcements/{announcement_id}/withdrawal",
        "committee",
        own={"publicity_agent"},
        fill={"announcement_id": "announcement_to_withdraw"},
        cells={"other_agent": E403, "publicity_agent@other": E404},
        note="the committees, or the agent who published it",
    ),
    route("GET", "/publicity-agents", scope="community"),
    route(
        "PUT",
        "/publicity-agents/{person_id}",
        "committee",
        scope="community",
        body={"building_group": 3, "kind": "party_group_leader", "name": "党小组长"},
        fill={"person_id": "agent_to_register"},
    ),
    route(
        "DELETE",
        "/publicity-agents/{person_id}",
        "committee",
        scope="community",
        fill={"person_id": "agent_to_remove"},
        note="each community removes its own agent of that id",
    ),
    # -- initiatives ---------------------------------------------------------------------------
    route(
        "POST",
        "/initiatives",
        "committee",
        scope="community",
        body={"title": "垃圾分类倡议 Sort the rubbish", "body": "从我做起。"},
    ),
    route("GET", "/initiatives", scope="community"),
    route("GET", "/initiatives/{initiative_id}"),
    route("POST", "/initiatives/{initiative_id}/signatures", "resident", note="residents sign on, once"),
    # -- the 亮身份 board ------------------------------------------------------------------------
    route("PUT", "/board/me", scope="community", body=_consent, note="one's own consent"),
    route("GET", "/board/me", scope="community"),
    route("DELETE", "/board/me", scope="community", phase=1, note="one's own consent, withdrawn"),
    route("GET", "/board/consents", "committee", scope="community"),
    route("GET", "/board", scope="public", note="phones whole only for the community's own signed-in readers"),
    route("GET", "/board/print", scope="public", query={"building_group": 1}),
    # -- the neighbourhood festival --------------------------------------------------------------
    route("POST", "/festivals", "committee", scope="community", body=_festival, note="409: one per year"),
    route("GET", "/festivals", scope="community"),
    route("GET", "/festivals/{year}", scope="community"),
    route(
        "POST",
        "/festivals/{festival_id}/proposals",
        body={"title": "百家宴 Potluck", "description": "每家一道菜"},
        note="anyone of the community",
    ),
    route("GET", "/festivals/{festival_id}/proposals", district_reads=True),
    route("POST", "/proposals/{activity_id}/support", fill={"activity_id": "proposal_id"}),
    route("POST", "/proposals/{activity_id}/adopt", "committee", fill={"activity_id": "proposal_to_adopt"}),
    route("GET", "/activities/{activity_id}", district_reads=True),
    route(
        "POST",
        "/activities/{activity_id}/schedule",
        "committee",
        body=_schedule,
        fill={"activity_id": "activity_to_schedule"},
    ),
    route("POST", "/activities/{activity_id}/signups"),
    route(
        "GET",
        "/activities/{activity_id}/signups",
        "committee",
        cells={"district_committee@other": E404},
        note="names: the activity's own committees only, not another's reading as the district",
    ),
    route("DELETE", "/activities/{activity_id}/signups/me", phase=1, note="one's own sign-up"),
    # -- public selections -----------------------------------------------------------------------
    route("POST", "/selections", "committee", scope="community", body=selection_body),
    route("GET", "/selections", scope="community"),
    route(
        "GET",
        "/selections/{selection_id}",
        district_reads=True,
        cells={"district_committee@other": OK},
        note="no counts until it concludes; who nominated whom for its own committees only (tests/community)",
    ),
    route(
        "POST",
        "/selections/{selection_id}/nominations",
        "resident",
        gate=False,
        body={"candidate_id": "matrix-candidate", "candidate_name": "候选人", "reason": "热心助人 Always helps"},
        note="whom the selection lets nominate (residents here)",
    ),
    route("POST", "/nominations/{nomination_id}/check", "committee", body={"decision": "approve"}),
    route(
        "POST",
        "/selections/{selection_id}/close-nominations",
        "committee",
        fill={"selection_id": "selection_to_close_nominations"},
    ),
    route(
        "POST",
        "/selections/{selection_id}/open-voting",
        "committee",
        fill={"selection_id": "selection_to_open_voting"},
    ),
    route(
        "POST",
        "/selections/{selection_id}/ballot",
        "resident",
        gate=False,
        body={"candidates": ["matrix-nominee"]},
        fill={"selection_id": "selection_voting"},
        note="whom the selection lets vote (residents here); once",
    ),
    route(
        "POST",
        "/selections/{selection_id}/close",
        "committee",
        fill={"selection_id": "selection_voting"},
        phase=1,
        note="409 before the voting window ends",
    ),
    route("GET", "/selections/{selection_id}/results", scope="public", note="409 until it concludes"),
    # -- micro-wishes ----------------------------------------------------------------------------
    route(
        "GET",
        "/wishes",
        district_reads=True,
        query=MEIHU,
        cells={"anonymous": OK},
        note="the board of the community named: anyone, no token needed",
    ),
    route(
        "POST",
        "/wishes",
        "committee",
        scope="community",
        body={"channel": "visit", "family_id": "matrix-family-new", "title": "一台收音机 A radio"},
    ),
    route(
        "GET",
        "/wishes/{wish_id}",
        district_reads=True,
        query=MEIHU,
        cells={"anonymous": OK},
        note="the family is named to the committees only",
    ),
    route("POST", "/wishes/{wish_id}/approve", "committee", body={}, fill={"wish_id": "wish_to_approve"}),
    route(
        "POST",
        "/wishes/{wish_id}/claim",
        body={"claimer_kind": "person"},
        fill={"wish_id": "wish_to_claim"},
        note="anyone of the community; 409 once claimed",
    ),
    route(
        "POST",
        "/wishes/{wish_id}/fulfil",
        owner_only=True,
        own={"resident"},
        body={"note": "已送到 Delivered", "photo_url": "https://example.org/radio.jpg"},
        fill={"wish_id": "wish_to_fulfil"},
        cells={"neighbour": E403},
        note="only its claimer (a committee for a unit's claim)",
    ),
    route(
        "POST",
        "/wishes/{wish_id}/confirm",
        owner_only=True,
        own={"resident"},
        fill={"wish_id": "wish_to_confirm"},
        cells={"neighbour": E403},
        note="only the family who made it (neighbour, its claimer, is refused)",
    ),
    # -- venture projects ------------------------------------------------------------------------
    route("POST", "/ventures", "post_leader", scope="community", body=VENTURE, note="a red post's team lead"),
    route("GET", "/ventures", scope="community"),
    route("GET", "/ventures/{venture_id}", district_reads=True),
    route(
        "PUT",
        "/ventures/{venture_id}",
        "post_leader",
        body=VENTURE,
        fill={"venture_id": "venture_to_revise"},
        cells=OTHER_LEADER,
        note="only the lead who applied",
    ),
    route(
        "POST",
        "/ventures/{venture_id}/decision",
        "committee",
        body={"decision": "approve"},
        fill={"venture_id": "venture_to_decide"},
    ),
    route(
        "POST",
        "/ventures/{venture_id}/shifts",
        "post_leader",
        body=lambda w: {"shift_id": w["shift_id"]},
        cells=OTHER_LEADER,
    ),
    route(
        "POST",
        "/ventures/{venture_id}/close",
        "post_leader",
        body={"spent": "800.00", "report": "结项报告 Closing report"},
        fill={"venture_id": "venture_to_close"},
        cells=OTHER_LEADER,
    ),
    # -- care visits -----------------------------------------------------------------------------
    route(
        "GET",
        "/care-visits/candidates",
        "committee",
        scope="community",
        query=lambda w: {"year": w["year"]},
        note="points and hours of people",
    ),
    route("GET", "/care-visits", "committee", scope="community", query=lambda w: {"year": w["year"]}),
    route("POST", "/care-visits", "committee", scope="community", body=_visit, note="409: one a year per person"),
    route("POST", "/care-visits/{visit_id}/record", "committee", body=_visit_record),
    # -- the yearly report -----------------------------------------------------------------------
    route("GET", "/reports", scope="community", note="another community's for the district, named in the query"),
    route("GET", "/reports/{year}", scope="community"),
    route("GET", "/reports/{year}/pdf", scope="community"),
    route("GET", "/reports/{year}/page", scope="community"),
]
