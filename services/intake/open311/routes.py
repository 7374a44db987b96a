"""GeoReport v2 endpoints under /open311/v2/, the format chosen by the extension (.json or .xml).

POST requests take the spec's form-encoded fields and an api_key, which maps to a system
principal of one community (admin-managed, see /open311-keys). Reading requests also needs
an api_key (or LINLI_INTAKE_OPEN311_PUBLIC_READS): issues are residents' private matters.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, cast

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from contracts.enums import IssueCategory, IssueChannel
from services.intake.adapters import api_keys, categories, queries
from services.intake.domain.lifecycle import CategoryNotInUse, InvalidAttributes
from services.intake.entrypoints.deps import IntakeContext, get_intake
from services.intake.open311 import mapping
from services.intake.open311.format import DOCUMENT, ERRORS, FORMATS, Open311Error, error_response, respond
from services.intake.service_layer import commands
from services.intake.service_layer.ratelimit import RateLimited
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork
from services.intake.settings import IntakeSettings
from services.kernel.db import Connection

router = APIRouter(prefix="/open311/v2", tags=["open311"], responses=ERRORS)
DEFAULT_DAYS = 90
MAX_RESULTS = 1000
_LIMITS = {
    "jurisdiction_id": 40,
    "api_key": 128,
    "service_code": 50,
    "address_string": 300,
    "address_id": 100,
    "email": 254,
    "device_id": 100,
    "account_id": 100,
    "first_name": 100,
    "last_name": 100,
    "phone": 30,
    "description": 4000,
    "media_url": 500,
    "lat": 40,
    "long": 40,
}
_ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_-]{1,50})\](\[\])?$")


def _language(request: Request) -> str:
    return "en" if request.headers.get("accept-language", "").lower().startswith("en") else "zh-CN"


async def _guarded(fmt: str, work: Callable[[], Awaitable[Response]]) -> Response:
    if fmt not in FORMATS:
        return error_response("json", Open311Error(404, f"Unknown format {fmt!r}; use .json or .xml"))
    try:
        return await work()
    except Open311Error as exc:
        return error_response(fmt, exc)
    except RateLimited as exc:
        return error_response(fmt, Open311Error(429, exc.detail))


async def _community(
    conn: Connection, settings: IntakeSettings, params: dict[str, str], *, need_key: bool
) -> dict[str, Any]:
    """The community (and the key's principal, if any) a call speaks for."""
    jurisdiction = params.get("jurisdiction_id")
    key = params.get("api_key")
    if key:
        found = await api_keys.find(conn, key)
        if found is None:
            raise Open311Error(403, "Invalid api_key")
        if jurisdiction and jurisdiction != found["community"]:
            raise Open311Error(400, "jurisdiction_id does not match the api_key")
        return found
    if need_key:
        raise Open311Error(403, "An api_key is required")
    community = jurisdiction or settings.intake_default_community
    if not re.fullmatch(r"[a-z][a-z0-9_-]{1,39}", community):
        raise Open311Error(404, f"Unknown jurisdiction_id {community!r}")
    return {"community": community, "principal": None, "name": None}


def _params(request: Request) -> dict[str, str]:
    params = {k: v for k, v in request.query_params.items()}
    for key, value in params.items():
        if len(value) > _LIMITS.get(key, 200):
            raise Open311Error(400, f"{key} is too long")
    return params


@router.get("/discovery.{fmt}", summary="GeoReport service discovery", responses={200: DOCUMENT})
async def discovery(fmt: str, request: Request) -> Response:
    async def work() -> Response:
        base = str(request.base_url).rstrip("/") + "/open311/v2/"
        document = {
            "changeset": "2026-03-01T00:00:00Z",
            "contact": "社区两委 / Community committees, via the 12345 hotline",
            "key_service": "Ask the community's administrator for an api_key (POST /open311-keys).",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": "2026-03-01T00:00:00Z",
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        }
        return respond(fmt, "discovery", document)

    return await _guarded(fmt, work)


@router.get("/services.{fmt}", summary="GET Service List", responses={200: DOCUMENT})
async def services(fmt: str, request: Request, ctx: IntakeContext = Depends(get_intake)) -> Response:
    async def work() -> Response:
        params = _params(request)
        async with ctx.uow().read() as conn:
            who = await _community(conn, ctx.settings, params, need_key=False)
            rows = await categories.list_categories(conn, who["community"], active_only=True)
        return respond(fmt, "services", [mapping.service(r, _language(request)) for r in rows])

    return await _guarded(fmt, work)


@router.get("/services/{service_code}.{fmt}", summary="GET Service Definition", responses={200: DOCUMENT})
async def service_definition(
    service_code: str, fmt: str, request: Request, ctx: IntakeContext = Depends(get_intake)
) -> Response:
    async def work() -> Response:
        params = _params(request)
        async with ctx.uow().read() as conn:
            who = await _community(conn, ctx.settings, params, need_key=False)
            row = await categories.get_category(conn, who["community"], service_code[:50])
        if row is None or not row["active"]:
            raise _unknown_service(service_code[:50])
        return respond(fmt, "service_definition", mapping.definition(row))

    return await _guarded(fmt, work)


def _form_fields(form: FormData) -> tuple[dict[str, str], dict[str, list[str]]]:
    fields: dict[str, str] = {}
    attributes: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if not isinstance(value, str):
            raise Open311Error(400, f"{key} must be a text field")
        if match := _ATTRIBUTE.match(key):
            if len(value) > 500:
                raise Open311Error(400, f"{key} is too long")
            attributes.setdefault(match.group(1), []).append(value)
            continue
        if len(value) > _LIMITS.get(key, 200):
            raise Open311Error(400, f"{key} is too long (at most {_LIMITS.get(key, 200)} characters)")
        fields[key] = value.strip()
    if len(attributes) > 30:
        raise Open311Error(400, "Too many attributes")
    return fields, attributes


def _coordinate(fields: dict[str, str], name: str, bound: float) -> float | None:
    raw = fields.get(name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise Open311Error(400, f"{name} is not a number") from exc
    if not -bound <= value <= bound:
        raise Open311Error(400, f"{name} is out of range")
    return value


def _unknown_service(code: str) -> Open311Error:
    return Open311Error(404, f"Unknown service_code {code!r}")


def _request_form() -> dict[str, Any]:
    """The documented form of POST requests: the spec's fields (and `attribute[code]` ones)."""
    properties: dict[str, Any] = {name: {"type": "string", "maxLength": limit} for name, limit in _LIMITS.items()}
    schema = {"type": "object", "required": ["service_code"], "properties": properties, "additionalProperties": True}
    return {"requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": schema}}}}


@router.post(
    "/requests.{fmt}",
    summary="POST Service Request (form-encoded)",
    status_code=201,
    responses={201: DOCUMENT},
    openapi_extra=_request_form(),
)
async def post_request(fmt: str, request: Request, ctx: IntakeContext = Depends(get_intake)) -> Response:
    async def work() -> Response:
        fields, attributes = _form_fields(await request.form())
        code = fields.get("service_code")
        if not code:
            raise Open311Error(400, "service_code is required")
        lat, long = _coordinate(fields, "lat", 90), _coordinate(fields, "long", 180)
        if (lat is None or long is None) and not fields.get("address_string") and not fields.get("address_id"):
            raise Open311Error(400, "A location is required: lat and long, address_string or address_id")
        media = fields.get("media_url")
        if media and not re.match(r"^https?://", media):
            raise Open311Error(400, "media_url must be an http(s) URL")
        async with ctx.uow().read() as conn:
            who = await _community(conn, ctx.settings, fields, need_key=True)
            try:
                category_code = IssueCategory(code)
            except ValueError:
                raise _unknown_service(code) from None
            # The hotline posts for many residents from one server: limit per resident it names
            # (phone, e-mail, account, device), not per the key's address, which is trusted by its key.
            caller = next((fields[k] for k in ("phone", "email", "account_id", "device_id") if fields.get(k)), "-")
            ctx.components.limits.hit(who["community"], f"open311:{who['principal']}:{caller}", None)
            description = fields.get("description", "")
            address = fields.get("address_string") or fields.get("address_id")
            contact = {
                k: fields[k]
                for k in ("first_name", "last_name", "email", "phone", "device_id", "account_id")
                if fields.get(k)
            }
            token = uuid.uuid4()
            new = commands.NewIssue(
                community=who["community"],
                category=category_code,
                # The first line of the description; without one, the issue is named after its category.
                title=description.splitlines()[0][:80] if description.strip() else "",
                reporter_id=who["principal"],
                channel=IssueChannel.OPEN311,
                description=description,
                extra={
                    "location_text": address,
                    "lat": lat,
                    "long": long,
                    "photos": [media] if media else [],
                    "reporter_name": who["name"],
                    "contact": contact,
                    "open311_token": token,
                },
            )
        try:
            issue, _ = await commands.raise_issue(
                cast(IntakeUnitOfWork, ctx.uow()), new, attributes=attributes, spam_texts=(description, address)
            )
        except CategoryNotInUse as exc:
            raise _unknown_service(code) from exc
        except InvalidAttributes as exc:
            raise Open311Error(400, exc.detail) from exc
        notice = "已受理，社区两委将审核 / Received; the community committees will review it."
        document = [
            {
                "service_request_id": str(issue.id),
                "token": str(token),
                "service_notice": notice,
                "account_id": fields.get("account_id"),
            }
        ]
        return respond(fmt, "service_requests", document, status=201)

    return await _guarded(fmt, work)


def _datetime(params: dict[str, str], name: str) -> datetime | None:
    raw = params.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Open311Error(400, f"{name} is not a W3C date-time") from exc
    if value.tzinfo is None:
        raise Open311Error(400, f"{name} must carry a timezone (Z or ±hh:mm)")
    return value


def _ids(raw: str) -> list[uuid.UUID]:
    try:
        return [uuid.UUID(part.strip()) for part in raw.split(",") if part.strip()][:MAX_RESULTS]
    except ValueError as exc:
        raise Open311Error(400, "service_request_id must be a comma-separated list of ids") from exc


async def _request_rows(
    conn: Connection, community: str, params: dict[str, str], now: datetime
) -> list[dict[str, Any]]:
    if raw_ids := params.get("service_request_id"):
        # The spec: with service_request_id, every other parameter is ignored.
        return await queries.published_issues_by_id(conn, community, _ids(raw_ids))
    end = _datetime(params, "end_date")
    start = _datetime(params, "start_date")
    end = end or now
    start = start or end - timedelta(days=DEFAULT_DAYS)
    codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()] or None
    statuses: list[str] | None = None
    if raw_status := params.get("status"):
        wanted = {s.strip() for s in raw_status.split(",") if s.strip()}
        if not wanted <= {"open", "closed"}:
            raise Open311Error(400, "status must be open and/or closed")
        statuses = [s for w in sorted(wanted) for s in mapping.statuses_for(w)]
    return await queries.published_issues(
        conn, community, start=start, end=end, categories=codes, statuses=statuses, limit=MAX_RESULTS
    )


async def _requests_document(conn: Connection, community: str, rows: list[dict[str, Any]], language: str) -> list[Any]:
    by_code = {c["code"]: c for c in await categories.list_categories(conn, community)}
    return [mapping.request(r, by_code.get(r["category"]), language) for r in rows]


@router.get("/requests.{fmt}", summary="GET Service Requests", responses={200: DOCUMENT})
async def get_requests(fmt: str, request: Request, ctx: IntakeContext = Depends(get_intake)) -> Response:
    async def work() -> Response:
        params = _params(request)
        async with ctx.uow().read() as conn:
            who = await _community(conn, ctx.settings, params, need_key=not ctx.settings.intake_open311_public_reads)
            rows = await _request_rows(conn, who["community"], params, ctx.clock.now())
            document = await _requests_document(conn, who["community"], rows, _language(request))
        return respond(fmt, "service_requests", document)

    return await _guarded(fmt, work)


@router.get("/requests/{service_request_id}.{fmt}", summary="GET Service Request", responses={200: DOCUMENT})
async def get_request(
    service_request_id: str, fmt: str, request: Request, ctx: IntakeContext = Depends(get_intake)
) -> Response:
    async def work() -> Response:
        params = _params(request)
        try:
            issue_id = uuid.UUID(service_request_id)
        except ValueError as exc:
            raise Open311Error(404, f"Unknown service_request_id {service_request_id[:40]!r}") from exc
        async with ctx.uow().read() as conn:
            who = await _community(conn, ctx.settings, params, need_key=not ctx.settings.intake_open311_public_reads)
            rows = await _request_rows(conn, who["community"], {"service_request_id": str(issue_id)}, ctx.clock.now())
            if not rows:
                raise Open311Error(404, f"Unknown service_request_id {service_request_id}")
            document = await _requests_document(conn, who["community"], rows, _language(request))
        return respond(fmt, "service_requests", document)

    return await _guarded(fmt, work)


@router.get("/tokens/{token_id}.{fmt}", summary="GET service_request_id from a token", responses={200: DOCUMENT})
async def get_token(token_id: str, fmt: str, request: Request, ctx: IntakeContext = Depends(get_intake)) -> Response:
    async def work() -> Response:
        params = _params(request)
        try:
            token = uuid.UUID(token_id)
        except ValueError as exc:
            raise Open311Error(404, f"Unknown token {token_id[:40]!r}") from exc
        async with ctx.uow().read() as conn:
            who = await _community(conn, ctx.settings, params, need_key=not ctx.settings.intake_open311_public_reads)
            issue_id = await queries.issue_of_open311_token(conn, who["community"], token)
        if issue_id is None:
            raise Open311Error(404, f"Unknown token {token}")
        return respond(fmt, "service_requests", [{"service_request_id": str(issue_id), "token": str(token)}])

    return await _guarded(fmt, work)
