"""Who sees whose identity: residents see other residents' issues without reporter identity or
contact; an anonymous issue hides its reporter from everyone but the committees (and the
reporter themselves). Held (suspected spam) issues are seen only by committees and the reporter.

The contact (phone, e-mail) is whole only for the committees handling the matter and the reporter;
the roles that see who reported (admin, council members, the district, systems) see it masked
(139****0000, w***@example.org); everyone else sees none. A phone number typed into a matter's
title, description or a comment is masked for everyone but those who see the contact whole."""

from __future__ import annotations

from typing import Any

from contracts.enums import Role
from services.kernel.identity import Principal
from services.kernel.privacy import mask_contact, mask_phones_in

# Roles that see a named (non-anonymous) reporter's identity, but not the contact details.
_IDENTITY_ROLES = (Role.ADMIN, Role.COUNCIL_MEMBER, Role.SYSTEM, Role.DISTRICT)


def is_committee(viewer: Principal, community: str) -> bool:
    return viewer.has(Role.COMMITTEE) and viewer.community == community


def can_see(viewer: Principal, issue: dict[str, Any]) -> bool:
    if not viewer.can_read(issue["community"]):
        return False
    return (
        not issue["held_for_review"] or is_committee(viewer, issue["community"]) or issue["reporter_id"] == viewer.sub
    )


def sees_identity(viewer: Principal, issue: dict[str, Any]) -> bool:
    if is_committee(viewer, issue["community"]) or issue["reporter_id"] == viewer.sub:
        return True
    return not issue["anonymous"] and viewer.has(*_IDENTITY_ROLES)


def sees_contact(viewer: Principal, issue: dict[str, Any]) -> bool:
    return is_committee(viewer, issue["community"]) or issue["reporter_id"] == viewer.sub


def issue_view(viewer: Principal, row: dict[str, Any], followers: list[str] | None = None) -> dict[str, Any]:
    from contracts.enums import IssueCategory, IssueStatus

    identity = sees_identity(viewer, row)
    whole = sees_contact(viewer, row)
    view = {
        **row,
        "title": row["title"] if whole else mask_phones_in(row["title"]),
        "description": row["description"] if whole else mask_phones_in(row["description"]),
        "category_label": IssueCategory(row["category"]).labels(),
        "status_label": IssueStatus(row["status"]).labels(),
        "location": {
            "building": row["building"],
            "unit": row["unit"],
            "text": row["location_text"],
            "lat": row["lat"],
            "long": row["long"],
        },
        "is_mine": row["reporter_id"] == viewer.sub,
        "reporter_id": row["reporter_id"] if identity else None,
        "reporter_name": row["reporter_name"] if identity else None,
        "contact": row["contact"] if whole else mask_contact(row["contact"]) if identity else None,
        "followers": followers if is_committee(viewer, row["community"]) else None,
        "uploaded_photos": [
            {**p, "url": f"/issues/{row['id']}/photos/{p['id']}"} for p in row.get("uploaded_photos") or []
        ],
    }
    return view


def history_view(viewer: Principal, issue: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """The reporter's own steps (submit, confirm, reopen) would name them: hide the actor then."""
    if entry["actor_id"] == issue["reporter_id"] and not sees_identity(viewer, issue):
        return {**entry, "actor_id": None}
    return entry


def comment_view(viewer: Principal, issue: dict[str, Any], comment: dict[str, Any]) -> dict[str, Any]:
    by_reporter = comment["author_id"] == issue["reporter_id"]
    if not sees_contact(viewer, issue):
        comment = {**comment, "body": mask_phones_in(comment["body"])}
    if by_reporter and not sees_identity(viewer, issue):
        return {**comment, "author_id": None, "author_name": None, "by_reporter": True}
    return {**comment, "by_reporter": by_reporter}
