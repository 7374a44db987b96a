"""OpenAPI links of community: each object a create answers (announcement, initiative, festival and its
proposals, selection and its nominations, wish, venture, care visit) -> the steps that take its id, and
each step -> the next one of its life."""

from __future__ import annotations

from services.kernel.links import FIRST, FIRST_ITEM, ID, from_answer

ACTIVITY, SELECTION, WISH, VENTURE = {"activity_id": ID}, {"selection_id": ID}, {"wish_id": ID}, {"venture_id": ID}

LINKS = [
    # A festival is one a year and a selection one per category and year: the lists reach those made before.
    from_answer(
        "GET /festivals",
        {"festival_id": FIRST},
        "POST /festivals/{festival_id}/proposals",
        "GET /festivals/{festival_id}/proposals",
    ),
    from_answer(
        "GET /selections",
        {"selection_id": FIRST_ITEM},
        "GET /selections/{selection_id}",
        "POST /selections/{selection_id}/nominations",
        "POST /selections/{selection_id}/ballot",
    ),
    from_answer("GET /wishes", {"wish_id": FIRST_ITEM}, "GET /wishes/{wish_id}", "POST /wishes/{wish_id}/claim"),
    from_answer("GET /ventures", {"venture_id": FIRST_ITEM}, "GET /ventures/{venture_id}"),
    from_answer(
        "GET /announcements", {"announcement_id": FIRST}, "POST /announcements/{announcement_id}/acknowledgements"
    ),
    from_answer("GET /initiatives", {"initiative_id": FIRST}, "POST /initiatives/{initiative_id}/signatures"),
    from_answer(
        "POST /announcements",
        {"announcement_id": ID},
        "GET /announcements/{announcement_id}",
        "POST /announcements/{announcement_id}/acknowledgements",
        "GET /announcements/{announcement_id}/acknowledgements",
        "POST /announcements/{announcement_id}/withdrawal",
    ),
    from_answer(
        "PUT /publicity-agents/{person_id}",
        {"person_id": "$response.body#/person_id"},
        "DELETE /publicity-agents/{person_id}",
    ),
    from_answer(
        "POST /initiatives",
        {"initiative_id": ID},
        "GET /initiatives/{initiative_id}",
        "POST /initiatives/{initiative_id}/signatures",
    ),
    from_answer(
        "POST /festivals",
        {"festival_id": ID},
        "POST /festivals/{festival_id}/proposals",
        "GET /festivals/{festival_id}/proposals",
    ),
    from_answer("POST /festivals", {"year": "$response.body#/year"}, "GET /festivals/{year}"),
    from_answer(
        "POST /festivals/{festival_id}/proposals",
        ACTIVITY,
        "GET /activities/{activity_id}",
        "POST /proposals/{activity_id}/support",
        "POST /proposals/{activity_id}/adopt",
    ),
    from_answer("POST /proposals/{activity_id}/adopt", ACTIVITY, "POST /activities/{activity_id}/schedule"),
    from_answer(
        "POST /activities/{activity_id}/schedule",
        ACTIVITY,
        "POST /activities/{activity_id}/signups",
        "GET /activities/{activity_id}/signups",
        "DELETE /activities/{activity_id}/signups/me",
    ),
    from_answer(
        "POST /selections",
        SELECTION,
        "GET /selections/{selection_id}",
        "POST /selections/{selection_id}/nominations",
        "POST /selections/{selection_id}/close-nominations",
        "GET /selections/{selection_id}/results",
    ),
    from_answer(
        "POST /selections/{selection_id}/nominations",
        {"nomination_id": "$response.body#/nomination_id"},
        "POST /nominations/{nomination_id}/check",
    ),
    from_answer(
        "POST /nominations/{nomination_id}/check", SELECTION, "POST /selections/{selection_id}/close-nominations"
    ),
    from_answer(
        "POST /selections/{selection_id}/close-nominations", SELECTION, "POST /selections/{selection_id}/open-voting"
    ),
    from_answer(
        "POST /selections/{selection_id}/open-voting",
        SELECTION,
        "POST /selections/{selection_id}/ballot",
        "POST /selections/{selection_id}/close",
    ),
    from_answer("POST /selections/{selection_id}/close", SELECTION, "GET /selections/{selection_id}/results"),
    from_answer(
        "POST /wishes",
        WISH,
        "GET /wishes/{wish_id}",
        "POST /wishes/{wish_id}/approve",
        "POST /wishes/{wish_id}/claim",
    ),
    from_answer("POST /wishes/{wish_id}/approve", WISH, "POST /wishes/{wish_id}/claim"),
    from_answer("POST /wishes/{wish_id}/claim", WISH, "POST /wishes/{wish_id}/fulfil"),
    from_answer("POST /wishes/{wish_id}/fulfil", WISH, "POST /wishes/{wish_id}/confirm"),
    from_answer(
        "POST /ventures",
        VENTURE,
        "GET /ventures/{venture_id}",
        "PUT /ventures/{venture_id}",
        "POST /ventures/{venture_id}/decision",
    ),
    from_answer(
        "POST /ventures/{venture_id}/decision",
        VENTURE,
        "POST /ventures/{venture_id}/shifts",
        "POST /ventures/{venture_id}/close",
    ),
    from_answer("POST /care-visits", {"visit_id": ID}, "POST /care-visits/{visit_id}/record"),
    from_answer("POST /care-visits", {"year": "$response.body#/year"}, "GET /care-visits"),
]
