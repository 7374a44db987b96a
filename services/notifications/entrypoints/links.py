"""OpenAPI links of notifications: a webhook subscription -> reading, rotating, deleting it and its
deliveries; a WeCom robot, a template and a person's preferences -> reading what was put."""

from __future__ import annotations

from services.kernel.links import FIRST, ID, from_answer

SUBSCRIPTION = {"subscription_id": ID}

LINKS = [
    from_answer(
        "GET /subscriptions",
        {"subscription_id": FIRST},
        "GET /subscriptions/{subscription_id}",
        "GET /subscriptions/{subscription_id}/deliveries",
    ),
    from_answer(
        "POST /subscriptions",
        SUBSCRIPTION,
        "GET /subscriptions/{subscription_id}",
        "DELETE /subscriptions/{subscription_id}",
        "POST /subscriptions/{subscription_id}/rotate-secret",
        "GET /subscriptions/{subscription_id}/deliveries",
    ),
    from_answer(
        "POST /subscriptions/{subscription_id}/rotate-secret", SUBSCRIPTION, "GET /subscriptions/{subscription_id}"
    ),
    from_answer(
        "PUT /channels/wecom/{building_group}",
        {"building_group": "$request.path.building_group"},
        "DELETE /channels/wecom/{building_group}",
    ),
    from_answer(
        "PUT /templates/{key}/{language}",
        {"key": "$response.body#/key", "language": "$response.body#/language"},
        "GET /templates/{key}/{language}",
    ),
    from_answer(
        "PUT /preferences/{person_id}", {"person_id": "$response.body#/person_id"}, "GET /preferences/{person_id}"
    ),
]
