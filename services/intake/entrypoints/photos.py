"""Photos of an issue: upload one (the image itself as the request body), read one back."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from services.intake.adapters import queries
from services.intake.domain.lifecycle import IssueNotFound
from services.intake.entrypoints.deps import IntakeContext, get_intake, get_intake_uow
from services.intake.entrypoints.issues import visible_issue
from services.intake.entrypoints.schemas import PhotoOut
from services.intake.service_layer import photos
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork
from services.kernel.auth import Principal, current_principal
from services.kernel.errors import DomainError
from services.kernel.problems import PayloadTooLarge, Problem

router = APIRouter(tags=["issues"])

_IMAGE = {"schema": {"type": "string", "format": "binary"}}


class UnsupportedMediaType(Problem):
    status, type_slug, title = 415, "unsupported-media-type", "Unsupported media type"


PHOTO_PROBLEMS: dict[type[DomainError], type[Problem]] = {
    photos.PhotoTooLarge: PayloadTooLarge,
    photos.PhotoTypeRefused: UnsupportedMediaType,
}
"""The photo refusals' HTTP statuses (the rest are the kernel's: 404, 403, 409)."""


async def _body(request: Request, limit: int) -> bytes:
    """The request body, read no further than one byte past the limit."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise photos.PhotoTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise photos.PhotoTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/issues/{issue_id}/photos",
    status_code=201,
    response_model=PhotoOut,
    summary="Add a photo to an issue (the reporter or a committee)",
    description="The body is the image itself (JPEG, PNG or WebP, checked by its bytes), at most "
    "`LINLI_INTAKE_PHOTO_MAX_BYTES` (1 MiB); an issue has at most `LINLI_INTAKE_PHOTOS_PER_ISSUE` (9). "
    "A JPEG's metadata (EXIF, GPS) is removed. 413, 415 and 409 (too-many-photos) answer as problem details.",
    openapi_extra={
        "requestBody": {"required": True, "content": {t: _IMAGE for t in photos.ACCEPTED}},
        "responses": {
            "409": {"description": "The issue has its share of photos"},
            "413": {"description": "Too large"},
            "415": {"description": "Not a JPEG, PNG or WebP image"},
        },
    },
)
async def add_photo(
    issue_id: uuid.UUID,
    request: Request,
    principal: Principal = Depends(current_principal),
    ctx: IntakeContext = Depends(get_intake),
    uow: IntakeUnitOfWork = Depends(get_intake_uow),
) -> dict[str, Any]:
    settings = ctx.settings
    data = await _body(request, settings.intake_photo_max_bytes)
    return await photos.add_photo(
        uow,
        principal,
        issue_id,
        data,
        max_bytes=settings.intake_photo_max_bytes,
        max_photos=settings.intake_photos_per_issue,
    )


@router.get(
    "/issues/{issue_id}/photos/{photo_id}",
    summary="One photo of an issue, to whoever may see the issue",
    response_class=Response,
    responses={200: {"content": {t: _IMAGE for t in photos.ACCEPTED}, "description": "The image"}},
)
async def get_photo(
    issue_id: uuid.UUID,
    photo_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: IntakeUnitOfWork = Depends(get_intake_uow),
) -> Response:
    async with uow.read() as conn:
        await visible_issue(conn, principal, issue_id)
        row = await queries.photo(conn, issue_id, photo_id)
    if row is None:
        raise IssueNotFound(issue_id)
    return Response(
        bytes(row["data"]),
        media_type=row["content_type"],
        headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
