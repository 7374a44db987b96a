"""Notifications: the inbox, preferences, webhook subscriptions, WeCom robots, e-mail and templates.

A resident reads and marks only their own inbox (another's item is not there: 404) and their own
preferences; an admin reads and replaces their community's people's preferences (a person of
another community is not there). Webhook subscriptions are the admins', the system's and the
district's (who reaches every community's); robots, the e-mail channel and templates, admins'.
Message templates are per community: an admin reads and edits the versions in use in their own
community (the stack's texts until it has its own) and never another community's."""

from __future__ import annotations

from tests.security.matrix.model import E404, Row, World, infrastructure, route

SERVICE = "notifications"

MANAGERS = ("admin", "system", "district")
"""Who manages webhook subscriptions."""


def _template(w: World) -> object:
    return w["template_body"]


ROWS: list[Row] = [
    *infrastructure(),
    route("GET", "/inbox", scope="community", note="one's own items and one's community's broadcasts"),
    route("GET", "/inbox/unread-count", scope="community"),
    route(
        "POST",
        "/inbox/{item_id}/read",
        owner_only=True,
        own={"resident"},
        deny=E404,
        cells={"neighbour": E404},
        fill={"item_id": "inbox_item"},
        note="another's item is not there",
    ),
    route("POST", "/inbox/read-all", scope="community"),
    route(
        "GET",
        "/inbox/stream",
        scope="community",
        stream=True,
        note="Server-Sent Events: only the answer's status is read",
    ),
    route("GET", "/preferences/me", scope="community"),
    route("PUT", "/preferences/me", scope="community", body={"language": "zh-CN"}),
    route("GET", "/preferences/{person_id}", "admin", note="a person of another community is not there"),
    route("PUT", "/preferences/{person_id}", "admin", body={"language": "zh-CN"}),
    route("GET", "/subscriptions", *MANAGERS, scope="community"),
    route(
        "POST",
        "/subscriptions",
        *MANAGERS,
        scope="community",
        body={"url": "http://127.0.0.1:9/matrix", "event_types": ["issue.*"]},
    ),
    route("GET", "/subscriptions/{subscription_id}", *MANAGERS, district_reads=True),
    route(
        "DELETE",
        "/subscriptions/{subscription_id}",
        *MANAGERS,
        district_reads=True,
        fill={"subscription_id": "subscription_to_stop"},
    ),
    route("POST", "/subscriptions/{subscription_id}/rotate-secret", *MANAGERS, district_reads=True, body={}),
    route("GET", "/subscriptions/{subscription_id}/deliveries", *MANAGERS, district_reads=True),
    route("GET", "/subscriptions/{subscription_id}/deliveries/{delivery_id}", *MANAGERS, district_reads=True),
    route(
        "POST",
        "/subscriptions/{subscription_id}/deliveries/{delivery_id}/redeliver",
        *MANAGERS,
        district_reads=True,
        note="409 while the delivery is still being tried",
    ),
    route("GET", "/channels/wecom", "admin", scope="community"),
    route(
        "PUT",
        "/channels/wecom/{building_group}",
        "admin",
        scope="community",
        body={"url": "http://127.0.0.1:9/cgi-bin/webhook/send?key=matrix"},
    ),
    route(
        "DELETE",
        "/channels/wecom/{building_group}",
        "admin",
        scope="community",
        fill={"building_group": "robot_to_remove"},
    ),
    route("GET", "/channels/email", "admin", scope="community"),
    route("GET", "/templates", "admin", scope="community", note="the community's own, else the stack's"),
    route("GET", "/templates/{key}/{language}", "admin", scope="community"),
    route("PUT", "/templates/{key}/{language}", "admin", scope="community", body=_template, note="its own version"),
    route("DELETE", "/templates/{key}/{language}", "admin", scope="community", note="back to the stack's text"),
]
