"""OpenAPI links of intake: a raised issue's id leads to its reading, its steps and its comments and photos;
each committee step answers the issue, which leads to the next step."""

from __future__ import annotations

from services.kernel.links import FIRST_ITEM, ID, Links, from_answer

ISSUE = {"issue_id": ID}

LINKS = [
    from_answer(
        "POST /issues",
        ISSUE,
        "GET /issues/{issue_id}",
        "GET /issues/{issue_id}/history",
        "POST /issues/{issue_id}/comments",
        "GET /issues/{issue_id}/comments",
        "POST /issues/{issue_id}/photos",
        "POST /issues/{issue_id}/review",
        "POST /issues/{issue_id}/release",
        "POST /issues/{issue_id}/start",
        "POST /issues/{issue_id}/resolve",
    ),
    from_answer("POST /issues", {"person_id": "$response.body#/reporter_id"}, "GET /people/{person_id}/export"),
    from_answer(
        "POST /issues/{issue_id}/review",
        ISSUE,
        "POST /issues/{issue_id}/start",
        "POST /issues/{issue_id}/resolve",
        "POST /issues/{issue_id}/release",
        "GET /issues/{issue_id}/history",
    ),
    from_answer("POST /issues/{issue_id}/start", ISSUE, "POST /issues/{issue_id}/resolve"),
    from_answer(
        "POST /issues/{issue_id}/resolve", ISSUE, "POST /issues/{issue_id}/confirm", "POST /issues/{issue_id}/reopen"
    ),
    from_answer("POST /issues/{issue_id}/reopen", ISSUE, "POST /issues/{issue_id}/review"),
    from_answer(
        "POST /issues/{issue_id}/photos",
        {"issue_id": "$request.path.issue_id", "photo_id": ID},
        "GET /issues/{issue_id}/photos/{photo_id}",
    ),
    from_answer(
        "GET /issues",
        {"issue_id": FIRST_ITEM},
        "GET /issues/{issue_id}",
        "POST /issues/{issue_id}/comments",
        "POST /issues/{issue_id}/review",
        "POST /issues/{issue_id}/start",
        "POST /issues/{issue_id}/resolve",
        "POST /issues/{issue_id}/confirm",
        "POST /issues/{issue_id}/reopen",
    ),
    Links("PUT /categories/{code}", ["POST /issues"], body={"category": "$response.body#/code"}),
    Links("GET /categories", ["POST /issues"], body={"category": "$response.body#/0/code"}),
    from_answer("POST /open311-keys", {"key_id": ID}, "DELETE /open311-keys/{key_id}"),
]
