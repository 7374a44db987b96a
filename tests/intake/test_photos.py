"""Photos of an issue: the reporter or a committee uploads JPEG, PNG or WebP (known by their bytes), within a
size and a count; whoever may see the issue sees its photos, no one else; a JPEG loses its EXIF (GPS)."""

from __future__ import annotations

import asyncio
import io

import httpx
from PIL import Image

from tests.intake.conftest import AppFactory
from tests.intake.support import COMMITTEE, NEIGHBOUR, RESIDENT, as_, submit
from tests.support.infra import Tokens

PROBLEM = "application/problem+json"


def image(kind: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 40)).save(out, kind)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    plain = image("JPEG")
    exif = b"Exif\x00\x00" + b"MM\x00\x2a" + b"GPS-position-of-the-flat" * 4
    segment = b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif
    return plain[:2] + segment + plain[2:]


async def upload(
    client: httpx.AsyncClient,
    tokens: Tokens,
    issue_id: str,
    data: bytes,
    who: tuple[str, str, int] = RESIDENT,
    content_type: str = "image/png",
) -> httpx.Response:
    headers = {**as_(tokens, who), "Content-Type": content_type}
    return await client.post(f"/issues/{issue_id}/photos", content=data, headers=headers)


async def test_the_reporters_photo_is_stored_listed_with_the_issue_and_served_to_neighbours(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    issue = await submit(client, tokens, RESIDENT)
    png = image()
    added = await upload(client, tokens, issue["id"], png)
    assert added.status_code == 201, added.text
    photo = added.json()
    assert photo["content_type"] == "image/png"
    assert photo["size"] == len(png)
    assert photo["url"] == f"/issues/{issue['id']}/photos/{photo['id']}"

    by_committee = await upload(client, tokens, issue["id"], image("WEBP"), who=COMMITTEE, content_type="image/webp")
    assert by_committee.status_code == 201, by_committee.text

    seen = (await client.get(f"/issues/{issue['id']}", headers=as_(tokens, NEIGHBOUR))).json()
    assert [p["id"] for p in seen["uploaded_photos"]] == [photo["id"], by_committee.json()["id"]]
    listed = (await client.get("/issues", headers=as_(tokens, NEIGHBOUR))).json()["items"][0]
    assert [p["content_type"] for p in listed["uploaded_photos"]] == ["image/png", "image/webp"]
    assert seen["reporter_name"] is None
    assert seen["contact"] is None

    served = await client.get(photo["url"], headers=as_(tokens, NEIGHBOUR))
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.content == png


async def test_only_the_reporter_or_a_committee_adds_photos(client: httpx.AsyncClient, tokens: Tokens) -> None:
    issue = await submit(client, tokens, RESIDENT)
    refused = await upload(client, tokens, issue["id"], image(), who=NEIGHBOUR)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM
    assert (await upload(client, tokens, "00000000-0000-0000-0000-000000000000", image())).status_code == 404


async def test_a_photo_is_known_by_its_bytes_not_its_content_type(client: httpx.AsyncClient, tokens: Tokens) -> None:
    issue = await submit(client, tokens, RESIDENT)
    for data in (b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"GIF89a" + b"\x00" * 20, b"%PDF-1.7 fake", b""):
        refused = await upload(client, tokens, issue["id"], data, content_type="image/png")
        assert refused.status_code == 415, refused.text
        assert refused.headers["content-type"] == PROBLEM
        body = refused.json()
        assert body["type"].endswith("/unsupported-photo-type")
        assert body["accepted"] == [
            "image/jpeg",
            "image/png",
            "image/webp",
        ]
        assert body["detail_zh"]
    # A real PNG labelled as something else is still a PNG.
    relabelled = await upload(client, tokens, issue["id"], image(), content_type="application/octet-stream")
    assert relabelled.status_code == 201
    assert relabelled.json()["content_type"] == "image/png"


async def test_a_photo_over_the_size_limit_is_refused(intake_app: AppFactory, tokens: Tokens) -> None:
    async with intake_app(intake_photo_max_bytes=4096) as client:
        issue = await submit(client, tokens, RESIDENT)
        big = image("PNG", (400, 400)) + b"\x00" * 8192
        refused = await upload(client, tokens, issue["id"], big)
        assert refused.status_code == 413
        assert refused.json()["type"].endswith("/photo-too-large")
        assert refused.json()["max_bytes"] == 4096
        assert (await upload(client, tokens, issue["id"], image())).status_code == 201


async def test_an_issue_never_gets_more_photos_than_its_share_even_concurrently(
    intake_app: AppFactory, tokens: Tokens
) -> None:
    async with intake_app(intake_photos_per_issue=3) as client:
        issue = await submit(client, tokens, RESIDENT)
        answers = await asyncio.gather(*(upload(client, tokens, issue["id"], image()) for _ in range(6)))
        assert sorted(a.status_code for a in answers) == [201] * 3 + [409] * 3
        refused = next(a for a in answers if a.status_code == 409).json()
        assert refused["type"].endswith("/too-many-photos")
        assert refused["max_photos"] == 3
        seen = (await client.get(f"/issues/{issue['id']}", headers=as_(tokens, RESIDENT))).json()
        assert len(seen["uploaded_photos"]) == 3


async def test_a_held_issues_photos_are_seen_only_by_the_reporter_and_the_committees(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    held = await submit(
        client, tokens, RESIDENT, description="优惠 http://a.example.xyz http://b.example.xyz www.c.top"
    )
    assert held["held_for_review"]
    url = (await upload(client, tokens, held["id"], image())).json()["url"]
    assert (await client.get(url, headers=as_(tokens, NEIGHBOUR))).status_code == 404
    assert (await client.get(url, headers=as_(tokens, RESIDENT))).status_code == 200
    assert (await client.get(url, headers=as_(tokens, COMMITTEE))).status_code == 200


async def test_a_jpeg_loses_its_exif_and_gps_before_it_is_stored(client: httpx.AsyncClient, tokens: Tokens) -> None:
    issue = await submit(client, tokens, RESIDENT)
    original = jpeg_with_gps()
    photo = (await upload(client, tokens, issue["id"], original, content_type="image/jpeg")).json()
    stored = (await client.get(photo["url"], headers=as_(tokens, NEIGHBOUR))).content
    assert b"GPS-position" in original
    assert b"GPS-position" not in stored
    assert b"Exif" not in stored
    assert Image.open(io.BytesIO(stored)).size == (40, 30)
