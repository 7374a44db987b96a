"""Intake: issues, their review and resolution, categories, Open311 keys and the GeoReport v2 endpoints.

Open311 speaks for a community through an api key, not a bearer token: every token, and none,
is refused (403) without a key; the Meihu key reads Meihu's requests, another community's key
is told a Meihu request does not exist (404)."""

from __future__ import annotations

import struct
import zlib

from tests.security.matrix.model import E403, E404, OK, Row, World, infrastructure, route

SERVICE = "intake"


def png() -> bytes:
    """A 1x1 PNG image, the smallest photo intake accepts."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


ISSUE = {
    "category": "corridor_clutter",
    "title": "楼道堆放杂物 Clutter in the stairwell",
    "description": "5栋2单元楼道堆放纸箱，影响通行。",
    "location": {"building": "5栋", "unit": "2单元"},
    "contact": {"phone": "13900000000"},
}

KEYED = {"open311": OK, "open311@other": E404}
"""An Open311 read of one Meihu request: the key decides, never a bearer token."""
KEYED_LIST = {"open311": OK, "open311@other": OK}
"""An Open311 read of a community's own requests: each key is served its own community's."""


def _comment(_: World) -> object:
    return {"body": "我家也遇到同样的问题 Same here"}


ROWS: list[Row] = [
    *infrastructure(),
    route("POST", "/issues", "resident", "committee", scope="community", body=ISSUE),
    route("GET", "/issues", scope="community"),
    route("GET", "/numbers", "committee", "admin", "district", scope="community", query={"year": 2026}),
    route("GET", "/issues/{issue_id}", district_reads=True),
    route("GET", "/issues/{issue_id}/history", district_reads=True),
    route("POST", "/issues/{issue_id}/comments", body=_comment),
    route("GET", "/issues/{issue_id}/comments", district_reads=True),
    route(
        "POST",
        "/issues/{issue_id}/confirm",
        owner_only=True,
        own={"resident"},
        body={"satisfaction": 5},
        fill={"issue_id": "issue_to_confirm"},
        note="only the reporter confirms the resolution",
    ),
    route(
        "POST",
        "/issues/{issue_id}/reopen",
        owner_only=True,
        own={"resident"},
        body={"reason": "又堆上了 Cluttered again"},
        fill={"issue_id": "issue_to_reopen"},
        note="only the reporter reopens",
    ),
    route(
        "POST",
        "/issues/{issue_id}/photos",
        "committee",
        gate=False,
        own={"resident"},
        content=png(),
        content_type="image/png",
        note="the reporter or a committee adds photos",
        cells={"neighbour": E403, "district@other": E403},
        # the district reads the issue, so it exists for them: a refusal of the act, not a hidden object
    ),
    route("GET", "/issues/{issue_id}/photos/{photo_id}", district_reads=True),
    route("GET", "/review-queue", "committee", scope="community"),
    route(
        "POST",
        "/issues/{issue_id}/review",
        "committee",
        body={"decision": "accept", "note": "已受理"},
        fill={"issue_id": "issue_to_review"},
    ),
    route("POST", "/issues/{issue_id}/release", "committee"),
    route(
        "POST",
        "/issues/{issue_id}/start",
        "committee",
        body={"note": "物业已派人"},
        fill={"issue_id": "issue_to_start"},
    ),
    route(
        "POST",
        "/issues/{issue_id}/resolve",
        "committee",
        body={"summary": "杂物已清理 Cleared", "contributors": ["matrix-volunteer"]},
        fill={"issue_id": "issue_to_resolve"},
    ),
    route("GET", "/categories", scope="community"),
    route(
        "PUT",
        "/categories/{code}",
        "admin",
        scope="community",
        body={"name_zh": "楼道堆物", "name_en": "Corridor clutter", "active": True},
    ),
    route(
        "POST",
        "/open311-keys",
        "admin",
        scope="community",
        body={"name": "12345 热线 hotline", "principal": "hotline-12345"},
    ),
    route("GET", "/open311-keys", "admin", scope="community"),
    route("DELETE", "/open311-keys/{key_id}", "admin", phase=1),
    route("GET", "/open311/v2/discovery.{fmt}", scope="public"),
    route("GET", "/open311/v2/services.{fmt}", scope="public"),
    route("GET", "/open311/v2/services/{service_code}.{fmt}", scope="public"),
    route(
        "POST",
        "/open311/v2/requests.{fmt}",
        scope="apikey",
        cells=KEYED_LIST,
        body={"service_code": "corridor_clutter", "description": "楼道堆物", "address_string": "美湖小区5栋"},
        note="form fields and the api key; a bearer token alone is refused",
    ),
    route("GET", "/open311/v2/requests.{fmt}", scope="apikey", cells=KEYED_LIST),
    route("GET", "/open311/v2/requests/{service_request_id}.{fmt}", scope="apikey", cells=KEYED),
    route("GET", "/open311/v2/tokens/{token_id}.{fmt}", scope="apikey", cells=KEYED),
]
