"""OpenAPI links of shifts: a shift -> its sign-ups -> check-in, check-out -> the confirmation of its hours;
a post, a volunteer and a template -> what reads or changes them."""

from __future__ import annotations

from services.kernel.links import FIRST_ITEM, ID, Links, from_answer

SHIFT = {"shift_id": ID}
SIGNUP = {"shift_id": "$response.body#/shift_id", "volunteer_id": "$response.body#/volunteer_id"}

LINKS = [
    Links("GET /posts", ["POST /shifts", "POST /templates"], body={"post": "$response.body#/0/post_type"}),
    Links("PUT /posts/{post_type}", ["POST /shifts", "POST /templates"], body={"post": "$response.body#/post_type"}),
    from_answer(
        "GET /shifts",
        {"shift_id": FIRST_ITEM},
        "GET /shifts/{shift_id}",
        "POST /shifts/{shift_id}/signups",
        "GET /shifts/{shift_id}/roster",
    ),
    from_answer(
        "PUT /posts/{post_type}",
        {"post_type": "$response.body#/post_type"},
        "GET /posts/{post_type}",
        "GET /posts/{post_type}/stats",
    ),
    from_answer(
        "PUT /volunteers/{volunteer_id}",
        {"volunteer_id": ID},
        "GET /volunteers/{volunteer_id}",
        "POST /volunteers/{volunteer_id}/reapprove",
        "GET /volunteers/{volunteer_id}/shifts",
        "GET /volunteers/{volunteer_id}/stats",
    ),
    from_answer(
        "POST /templates",
        {"template_id": ID},
        "GET /templates/{template_id}",
        "PUT /templates/{template_id}",
        "POST /templates/{template_id}/generate",
    ),
    from_answer(
        "POST /shifts",
        SHIFT,
        "GET /shifts/{shift_id}",
        "PATCH /shifts/{shift_id}",
        "POST /shifts/{shift_id}/cancel",
        "POST /shifts/{shift_id}/signups",
        "GET /shifts/{shift_id}/signups",
        "GET /shifts/{shift_id}/roster",
        "GET /shifts/{shift_id}/waitlist",
        "POST /shifts/{shift_id}/confirmations",
        "GET /shifts/{shift_id}/participations",
    ),
    from_answer(
        "POST /shifts/{shift_id}/signups",
        SIGNUP,
        "GET /shifts/{shift_id}/signups/{volunteer_id}",
        "DELETE /shifts/{shift_id}/signups/{volunteer_id}",
        "POST /shifts/{shift_id}/signups/{volunteer_id}/check-in",
        "POST /shifts/{shift_id}/signups/{volunteer_id}/check-out",
    ),
    from_answer(
        "POST /shifts/{shift_id}/signups/{volunteer_id}/check-in",
        SIGNUP,
        "POST /shifts/{shift_id}/signups/{volunteer_id}/check-out",
    ),
    from_answer(
        "POST /shifts/{shift_id}/signups/{volunteer_id}/check-out",
        {"shift_id": "$response.body#/shift_id"},
        "POST /shifts/{shift_id}/confirmations",
    ),
    from_answer(
        "POST /shifts/{shift_id}/confirmations",
        {"shift_id": "$request.path.shift_id"},
        "GET /shifts/{shift_id}/participations",
    ),
]
