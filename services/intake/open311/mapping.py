"""How intake's issues and categories read as Open311 services and service requests."""

from __future__ import annotations

from typing import Any

from contracts.enums import IssueStatus as S
from services.kernel.privacy import mask_phones_in

CLOSED_STATUSES = frozenset({S.RESOLVED, S.CLOSED, S.REJECTED, S.DUPLICATE})
"""Open311 knows only open and closed: a request is closed once the community has answered it
(resolved, closed, rejected, or merged into another); reopened work is open again."""

AGENCY = "社区两委 / Community committees"


def open311_status(status: str) -> str:
    return "closed" if S(status) in CLOSED_STATUSES else "open"


def statuses_for(open311: str) -> list[str]:
    wanted = open311 == "closed"
    return [s.value for s in S if (s in CLOSED_STATUSES) == wanted]


def service_name(category: dict[str, Any], language: str) -> str:
    return str(category["name_en"] if language == "en" else category["name_zh"])


def service(category: dict[str, Any], language: str) -> dict[str, Any]:
    return {
        "service_code": category["code"],
        "service_name": service_name(category, language),
        "description": category["description"] or f"{category['name_zh']} / {category['name_en']}",
        "metadata": bool(category["attributes"]),
        "type": "realtime",
        "keywords": ", ".join([category["code"], category["name_zh"], category["name_en"]]),
        "group": "linli",
    }


def definition(category: dict[str, Any]) -> dict[str, Any]:
    attributes = []
    for attr in sorted(category["attributes"], key=lambda a: a.get("order", 0)):
        attributes.append(
            {
                "variable": attr.get("variable", True),
                "code": attr["code"],
                "datatype": attr["datatype"],
                "required": attr.get("required", False),
                "datatype_description": attr.get("datatype_description"),
                "order": attr.get("order", 0),
                "description": attr["description"],
                "values": [{"key": v["key"], "name": v["name"]} for v in attr.get("values", [])],
            }
        )
    return {"service_code": category["code"], "attributes": attributes}


def request(row: dict[str, Any], category: dict[str, Any] | None, language: str) -> dict[str, Any]:
    photos = row["photos"] or []
    return {
        "service_request_id": str(row["id"]),
        "status": open311_status(row["status"]),
        "status_notes": mask_phones_in(row["status_note"]) if row["status_note"] else None,
        "service_name": service_name(category, language) if category else row["category"],
        "service_code": row["category"],
        "description": mask_phones_in(row["description"] or row["title"]),
        "agency_responsible": AGENCY,
        "service_notice": None,
        "requested_datetime": row["created_at"],
        "updated_datetime": row["updated_at"],
        "expected_datetime": None,
        "address": row["location_text"] or row["building"],
        "address_id": None,
        "zipcode": None,
        "lat": row["lat"],
        "long": row["long"],
        "media_url": photos[0] if photos else None,
    }
