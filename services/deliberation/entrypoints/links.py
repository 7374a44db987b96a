"""OpenAPI links of deliberation: council -> its members and sessions -> a session's agenda -> an item's
motions -> votes and the decision a closed motion answers."""

from __future__ import annotations

from services.kernel.links import FIRST, FIRST_ITEM, ID, from_answer

COUNCIL, SESSION, ITEM, MOTION = {"council_id": ID}, {"session_id": ID}, {"item_id": ID}, {"motion_id": ID}

LINKS = [
    # A community has one council of each kind: after the first, its councils are reached through the list.
    from_answer(
        "GET /councils",
        {"council_id": FIRST},
        "GET /councils/{council_id}",
        "PUT /councils/{council_id}/members/{person_id}",
        "GET /councils/{council_id}/sessions",
        "POST /councils/{council_id}/sessions",
    ),
    # A council's regular sessions (first Fridays) are scheduled when it is made: its list reaches them.
    from_answer(
        "GET /councils/{council_id}/sessions",
        {"session_id": FIRST_ITEM},
        "GET /sessions/{session_id}",
        "PATCH /sessions/{session_id}",
        "POST /sessions/{session_id}/open",
        "POST /sessions/{session_id}/cancel",
        "GET /sessions/{session_id}/agenda-items",
        "POST /sessions/{session_id}/agenda-items",
    ),
    from_answer("GET /agenda-items/waiting", {"item_id": FIRST}, "GET /agenda-items/{item_id}"),
    from_answer(
        "POST /councils",
        COUNCIL,
        "GET /councils/{council_id}",
        "PATCH /councils/{council_id}",
        "POST /councils/{council_id}/feed-token",
        "GET /councils/{council_id}/members",
        "PUT /councils/{council_id}/members/{person_id}",
        "GET /councils/{council_id}/sessions",
        "POST /councils/{council_id}/sessions",
        "GET /councils/{council_id}/decisions",
    ),
    from_answer(
        "PUT /councils/{council_id}/members/{person_id}",
        {"council_id": "$request.path.council_id", "person_id": "$response.body#/person_id"},
        "DELETE /councils/{council_id}/members/{person_id}",
    ),
    from_answer(
        "POST /councils/{council_id}/sessions",
        SESSION,
        "GET /sessions/{session_id}",
        "PATCH /sessions/{session_id}",
        "POST /sessions/{session_id}/open",
        "POST /sessions/{session_id}/conclude",
        "POST /sessions/{session_id}/cancel",
        "GET /sessions/{session_id}/attendance",
        "PUT /sessions/{session_id}/attendance/{person_id}",
        "GET /sessions/{session_id}/agenda-items",
        "POST /sessions/{session_id}/agenda-items",
        "GET /sessions/{session_id}/motions",
    ),
    from_answer(
        "POST /sessions/{session_id}/open",
        SESSION,
        "POST /sessions/{session_id}/agenda-items",
        "POST /sessions/{session_id}/conclude",
        "PUT /sessions/{session_id}/attendance/{person_id}",
    ),
    from_answer(
        "PUT /sessions/{session_id}/attendance/{person_id}",
        {"session_id": "$request.path.session_id", "person_id": "$request.path.person_id"},
        "DELETE /sessions/{session_id}/attendance/{person_id}",
    ),
    from_answer(
        "POST /sessions/{session_id}/agenda-items",
        ITEM,
        "GET /agenda-items/{item_id}",
        "POST /agenda-items/{item_id}/defer",
        "POST /agenda-items/{item_id}/motions",
    ),
    from_answer(
        "POST /agenda-items/{item_id}/motions",
        MOTION,
        "GET /motions/{motion_id}",
        "PUT /motions/{motion_id}/vote",
        "POST /motions/{motion_id}/close",
    ),
    from_answer(
        "PUT /motions/{motion_id}/vote", {"motion_id": "$request.path.motion_id"}, "POST /motions/{motion_id}/close"
    ),
    from_answer("POST /motions/{motion_id}/close", {"decision_id": ID}, "GET /decisions/{decision_id}"),
]
