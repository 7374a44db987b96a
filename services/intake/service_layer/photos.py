"""Photos of an issue: the reporter (or a committee) uploads them, everyone who may see the issue sees them.

A photo is checked by what its bytes are (the magic numbers of JPEG, PNG and WebP), not by the
Content-Type the client claims, and refused when too large or when the issue already has its share.
A JPEG's metadata segments (EXIF, with the camera's GPS position; XMP; comments) are dropped before it
is stored: the browser's resize drops them already, a client that uploads the original does not.
"""

from __future__ import annotations

import uuid
from typing import Any

from services.intake.domain.lifecycle import IssueNotFound
from services.intake.service_layer.privacy import can_see, is_committee
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork
from services.kernel import errors
from services.kernel.identity import Principal

ACCEPTED = ("image/jpeg", "image/png", "image/webp")


class PhotoTypeRefused(errors.InvalidInput):
    """The bytes are not a JPEG, PNG or WebP image (whatever the Content-Type said)."""

    slug, title = "unsupported-photo-type", "Unsupported photo type"

    def __init__(self) -> None:
        super().__init__(
            "A photo must be a JPEG, PNG or WebP image.",
            detail_zh="照片须为 JPEG、PNG 或 WebP 格式。",
            accepted=ACCEPTED,
        )


class PhotoTooLarge(errors.InvalidInput):
    slug, title = "photo-too-large", "Photo too large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"A photo may be at most {limit // 1024} KB.",
            detail_zh=f"照片不能超过 {limit // 1024} KB。",
            max_bytes=limit,
        )


class TooManyPhotos(errors.RuleBroken):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"An issue has at most {limit} photos.",
            detail_zh=f"每个事项最多 {limit} 张照片。",
            reason="too-many-photos",
            max_photos=limit,
        )


class NotYourIssue(errors.NotPermitted):
    def __init__(self) -> None:
        super().__init__(
            "Only the reporter or a committee adds photos to an issue.", detail_zh="只有反映人或两委成员可以添加照片。"
        )


def sniff(data: bytes) -> str | None:
    """The image type the bytes are, from their magic numbers."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


_DROPPED = {0xE1, *range(0xE3, 0xF0), 0xFE}  # APP1 (EXIF, XMP), APP3..APP15, COM; APP0 (JFIF) and APP2 (ICC) stay


def strip_jpeg_metadata(data: bytes) -> bytes:
    """The JPEG without its metadata segments; unchanged when its structure is not the expected one."""
    out = bytearray(data[:2])
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xDA:  # start of scan: the image data follows, copied as it is
            out += data[at:]
            return bytes(out)
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if length < 2 or at + 2 + length > len(data):
            return data
        if marker not in _DROPPED:
            out += data[at : at + 2 + length]
        at += 2 + length
    return data


async def add_photo(
    uow: IntakeUnitOfWork,
    principal: Principal,
    issue_id: uuid.UUID,
    data: bytes,
    *,
    max_bytes: int,
    max_photos: int,
) -> dict[str, Any]:
    if len(data) > max_bytes:
        raise PhotoTooLarge(max_bytes)
    content_type = sniff(data)
    if content_type is None:
        raise PhotoTypeRefused()
    if content_type == "image/jpeg":
        data = strip_jpeg_metadata(data)
    async with uow:
        # Locking the issue's row makes the count and the insert one step for concurrent uploads.
        issue = await uow.conn.fetchrow(
            "SELECT community, reporter_id, held_for_review FROM issues WHERE id = $1 FOR UPDATE", issue_id
        )
        if issue is None or not can_see(principal, dict(issue)):
            raise IssueNotFound(issue_id)
        if issue["reporter_id"] != principal.sub and not is_committee(principal, issue["community"]):
            raise NotYourIssue()
        count = await uow.conn.fetchval("SELECT count(*) FROM issue_photos WHERE issue_id = $1", issue_id)
        if count >= max_photos:
            raise TooManyPhotos(max_photos)
        row = await uow.conn.fetchrow(
            """INSERT INTO issue_photos (id, issue_id, content_type, size, data, uploaded_by, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, content_type, size, created_at""",
            uuid.uuid4(),
            issue_id,
            content_type,
            len(data),
            data,
            principal.sub,
            uow.now(),
        )
        await uow.conn.execute("UPDATE issues SET updated_at = $2 WHERE id = $1", issue_id, uow.now())
    assert row is not None
    return photo_ref(issue_id, dict(row))


def photo_ref(issue_id: uuid.UUID, row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "url": f"/issues/{issue_id}/photos/{row['id']}"}
