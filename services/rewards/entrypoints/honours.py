"""Honours, yearly candidates, leaderboards and volunteer-service certificates."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from contracts.enums import Role
from services.kernel.auth import Principal, current_principal, require_roles
from services.rewards.adapters import queries
from services.rewards.adapters.certificate_pdf import CertificateData, HonourCertificateData, render, render_honour
from services.rewards.domain.errors import NotFoundError
from services.rewards.domain.honours import HonourKind, title
from services.rewards.entrypoints.access import STAFF, community_of, may_see_person
from services.rewards.entrypoints.deps import get_uow
from services.rewards.service_layer import certificates, honours
from services.rewards.service_layer.unit_of_work import RewardsUnitOfWork

router = APIRouter(tags=["honours"])


class Honour(BaseModel):
    id: uuid.UUID
    person_id: str
    kind: str
    level: int | None
    year: int | None
    title: dict[str, str]
    building_group: int | None
    citation: str | None
    granted_by: str | None
    granted_at: datetime


class HonourGrant(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person_id: str = Field(min_length=1, max_length=100)
    kind: Literal["neighbour_star", "excellent_group_leader"]
    year: int = Field(ge=2000, le=2100)
    building_group: int | None = Field(default=None, ge=1, le=6)
    citation: str | None = Field(default=None, max_length=2000)


class Candidate(BaseModel):
    rank: int
    person_id: str
    building_group: int | None
    points: int
    hours: float
    granted: bool


class Standing(BaseModel):
    rank: int
    person_id: str
    building_group: int | None
    points: int
    hours: float


class CertificateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person_id: str = Field(min_length=1, max_length=100)
    person_name: str = Field(min_length=1, max_length=50)
    id_document: str = Field(default="居民身份证", min_length=1, max_length=30)
    id_number: str = Field(min_length=4, max_length=40, pattern=r"^[0-9A-Za-z]+$")
    period_from: date | None = None
    period_to: date | None = None


class Certificate(BaseModel):
    id: uuid.UUID
    number: str
    person_id: str
    person_name: str
    id_document: str
    id_number: str
    volunteer_no: str
    hours: float
    content: list[str]
    period_from: date | None
    period_to: date | None
    issued_by: str
    issued_at: datetime


def _honour(row: Any) -> Honour:
    kind = HonourKind(row["kind"])
    return Honour(
        **{k: row[k] for k in Honour.model_fields if k != "title"}, title=title(kind, row["level"], row["year"])
    )


@router.get("/honours", response_model=list[Honour], summary="Honours granted (optionally one person's)")
async def list_honours(
    person_id: str | None = Query(default=None, max_length=100),
    year: int | None = Query(default=None, ge=2000, le=2100),
    community: str | None = Query(default=None, max_length=40),
    principal: Principal = Depends(current_principal),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> list[Honour]:
    where = community_of(principal, community)
    async with uow.read() as conn:
        rows = await queries.honours(conn, where, person_id, year)
    return [_honour(r) for r in rows]


@router.get("/honours/candidates", response_model=list[Candidate], summary="Yearly candidates by points, then hours")
async def candidates(
    kind: Literal["neighbour_star", "excellent_group_leader"],
    year: int = Query(ge=2000, le=2100),
    building_group: int | None = Query(default=None, ge=1, le=6),
    limit: int = Query(default=10, ge=1, le=100),
    principal: Principal = Depends(require_roles(*STAFF, Role.COUNCIL_MEMBER)),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> list[Candidate]:
    honour = HonourKind(kind)
    async with uow.read() as conn:
        rows = await queries.candidates(
            conn,
            principal.community,
            str(honour),
            year,
            building_group,
            limit,
            by_group=honour is HonourKind.EXCELLENT_GROUP_LEADER,
        )
    return [Candidate(**{k: r[k] for k in Candidate.model_fields}) for r in rows]


@router.post("/honours", response_model=Honour, status_code=201, summary="Grant a yearly honour (committee)")
async def grant(
    body: HonourGrant,
    principal: Principal = Depends(require_roles(Role.COMMITTEE)),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> Honour:
    honour_id = await honours.grant_yearly(
        uow,
        principal.community,
        body.person_id,
        HonourKind(body.kind),
        body.year,
        by=principal,
        building_group=body.building_group,
        citation=body.citation,
    )
    async with uow.read() as conn:
        row = await queries.honour(conn, honour_id)
    return _honour(row)


def _period_start(period: str, today: date) -> date | None:
    if period == "week":
        return today - timedelta(days=today.weekday())
    if period == "month":
        return today.replace(day=1)
    if period == "year":
        return today.replace(month=1, day=1)
    return None


@router.get("/leaderboards", response_model=list[Standing], summary="Who earned most (points, then hours)")
async def leaderboard(
    period: Literal["week", "month", "year", "all"] = "month",
    metric: Literal["points", "hours"] = "points",
    building_group: int | None = Query(default=None, ge=1, le=6),
    limit: int = Query(default=20, ge=1, le=100),
    community: str | None = Query(default=None, max_length=40),
    principal: Principal = Depends(current_principal),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> list[Standing]:
    where = community_of(principal, community)
    start = _period_start(period, uow.local_now().date()) or ALL_TIME
    async with uow.read() as conn:
        rows = await queries.leaderboard(conn, where, period, start, metric, building_group, limit)
    return _ranked(rows, metric)


ALL_TIME = date(1970, 1, 1)
"""The bucket of the "all" period (not date.min: asyncpg sends that as -infinity)."""


def _ranked(rows: list[Any], metric: str) -> list[Standing]:
    """Competition ranking (1, 2, 2, 4) over rows already in order, as SQL's rank() would give."""
    standings: list[Standing] = []
    previous: tuple[Any, Any] | None = None
    for position, row in enumerate(rows, start=1):
        key = (row["points"], row["hours"]) if metric == "points" else (row["hours"], row["points"])
        rank = standings[-1].rank if key == previous and standings else position
        standings.append(Standing(rank=rank, **dict(row)))
        previous = key
    return standings


@router.post("/certificates", response_model=Certificate, status_code=201, summary="Issue a service certificate")
async def issue_certificate(
    body: CertificateRequest,
    principal: Principal = Depends(require_roles(*STAFF)),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> Certificate:
    order = certificates.CertificateOrder(**body.model_dump())
    row = await certificates.issue(uow, principal.community, order, by=principal)
    return Certificate(**dict(row))


@router.get("/certificates", response_model=list[Certificate], summary="A person's certificates (mine by default)")
async def certificates_of(
    person_id: str | None = Query(default=None, max_length=100),
    community: str | None = Query(default=None, max_length=40),
    principal: Principal = Depends(current_principal),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> list[Certificate]:
    """Newest first; a volunteer sees their own, the committees anyone's (so the app can offer the PDF)."""
    where = community_of(principal, community)
    person = person_id or principal.sub
    may_see_person(principal, where, person)
    async with uow.read() as conn:
        rows = await queries.certificates_of(conn, where, person)
    return [Certificate(**dict(r)) for r in rows]


async def _certificate(uow: RewardsUnitOfWork, principal: Principal, certificate_id: uuid.UUID) -> Any:
    async with uow.read() as conn:
        row = await queries.certificate(conn, certificate_id)
    if row is None or not principal.can_read(row["community"]):
        raise NotFoundError("There is no such certificate.")
    may_see_person(principal, row["community"], row["person_id"])
    return row


@router.get("/certificates/{certificate_id}", response_model=Certificate, summary="A certificate's record")
async def certificate(
    certificate_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> Certificate:
    return Certificate(**dict(await _certificate(uow, principal, certificate_id)))


@router.get("/certificates/{certificate_id}/pdf", summary="The certificate as PDF (Chinese)", response_class=Response)
async def certificate_pdf(
    certificate_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> Response:
    row = await _certificate(uow, principal, certificate_id)
    settings = uow.settings
    pdf = render(
        CertificateData(
            number=row["number"],
            person_name=row["person_name"],
            id_document=row["id_document"],
            id_number=row["id_number"],
            volunteer_no=row["volunteer_no"],
            hours=row["hours"],
            content=list(row["content"]),
            period_from=row["period_from"],
            period_to=row["period_to"],
            organisation=settings.rewards_certificate_organisation,
            person_in_charge=settings.rewards_certificate_person_in_charge,
            contact=settings.rewards_certificate_contact,
            issued_on=row["issued_at"].astimezone(uow.zone).date(),
        )
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="certificate-{row["number"]}.pdf"'},
    )


@router.get(
    "/honours/{honour_id}/certificate.pdf",
    summary="The honour's certificate (荣誉证书) as PDF: for its holder and the committees",
    response_class=Response,
)
async def honour_certificate(
    honour_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> Response:
    async with uow.read() as conn:
        row = await queries.honour(conn, honour_id)
    if row is None or not principal.can_read(row["community"]):
        raise NotFoundError("There is no such honour.")
    may_see_person(principal, row["community"], row["person_id"])
    granted_on = row["granted_at"].astimezone(uow.zone).date()
    number = f"{uow.settings.rewards_certificate_prefix}-RY-{granted_on.year}-{honour_id.hex[:8].upper()}"
    pdf = render_honour(
        HonourCertificateData(
            number=number,
            person_name=row["person_name"] or row["person_id"],
            title=title(HonourKind(row["kind"]), row["level"], row["year"])["zh-CN"],
            citation=row["citation"],
            organisation=uow.settings.rewards_certificate_organisation,
            issued_on=granted_on,
        )
    )
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="honour-{number}.pdf"'}
    )
