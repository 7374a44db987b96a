"""Honours, yearly candidates, leaderboards and volunteer-service certificates."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from contracts.enums import PostType, Role
from services.kernel.app import ServiceContext, get_ctx
from services.kernel.auth import Principal, current_principal, require_roles
from services.rewards.adapters import ledger_repo
from services.rewards.adapters.certificate_pdf import CertificateData, mask_id_number, render
from services.rewards.domain.errors import NotFoundError
from services.rewards.domain.honours import HonourKind, title
from services.rewards.entrypoints.access import STAFF, community_of, may_see_person
from services.rewards.service_layer import honours
from services.rewards.settings import RewardsSettings

router = APIRouter(tags=["honours"])
SHANGHAI = ZoneInfo("Asia/Shanghai")


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
    ctx: ServiceContext = Depends(get_ctx),
) -> list[Honour]:
    where = community_of(principal, community)
    rows = await ctx.pool.fetch(
        """SELECT * FROM honours WHERE community = $1 AND ($2::text IS NULL OR person_id = $2)
             AND ($3::int IS NULL OR year = $3) ORDER BY granted_at DESC, id LIMIT 500""",
        where,
        person_id,
        year,
    )
    return [_honour(r) for r in rows]


@router.get("/honours/candidates", response_model=list[Candidate], summary="Yearly candidates by points, then hours")
async def candidates(
    kind: Literal["neighbour_star", "excellent_group_leader"],
    year: int = Query(ge=2000, le=2100),
    building_group: int | None = Query(default=None, ge=1, le=6),
    limit: int = Query(default=10, ge=1, le=100),
    principal: Principal = Depends(require_roles(*STAFF, Role.COUNCIL_MEMBER)),
    ctx: ServiceContext = Depends(get_ctx),
) -> list[Candidate]:
    async with ctx.pool.acquire() as conn:
        rows = await honours.candidates(conn, principal.community, HonourKind(kind), year, building_group, limit)
    return [Candidate(**{k: r[k] for k in Candidate.model_fields}) for r in rows]


@router.post("/honours", response_model=Honour, status_code=201, summary="Grant a yearly honour (committee)")
async def grant(
    body: HonourGrant,
    principal: Principal = Depends(require_roles(Role.COMMITTEE)),
    ctx: ServiceContext = Depends(get_ctx),
) -> Honour:
    async with ctx.pool.acquire() as conn, conn.transaction():
        group = body.building_group
        if group is None:
            account = await ledger_repo.person_account(conn, principal.community, body.person_id)
            group = account["building_group"] if account else None
        honour_id = await honours.grant_yearly(
            conn,
            principal.community,
            body.person_id,
            HonourKind(body.kind),
            body.year,
            granted_by=principal.sub,
            building_group=group,
            citation=body.citation,
        )
        row = await conn.fetchrow("SELECT * FROM honours WHERE id = $1", honour_id)
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
    ctx: ServiceContext = Depends(get_ctx),
) -> list[Standing]:
    where = community_of(principal, community)
    start = _period_start(period, datetime.now(SHANGHAI).date()) or ALL_TIME
    order = "t.points DESC, t.hours DESC" if metric == "points" else "t.hours DESC, t.points DESC"
    # The period's totals come through the primary key and are sorted (no index orders them by a
    # total: every award would rewrite its entries, see migration leaderboard_updates_in_place);
    # the accounts are read for the building group filter when one is asked, else for the top only.
    rows = await ctx.pool.fetch(
        f"""WITH top AS (
                SELECT t.person_id, t.points, t.hours FROM leaderboard_totals t
                WHERE t.community = $1 AND t.period = $2 AND t.period_start = $3
                  AND ($4::int IS NULL OR EXISTS (
                      SELECT 1 FROM accounts g WHERE g.community = $1 AND g.kind = 'person'
                                                 AND g.person_id = t.person_id AND g.building_group = $4))
                ORDER BY {order}, t.person_id LIMIT $5)
            SELECT t.person_id, a.building_group, t.points, t.hours::float8 AS hours
            FROM top t JOIN accounts a ON a.community = $1 AND a.kind = 'person' AND a.person_id = t.person_id
            ORDER BY {order}, t.person_id""",
        where,
        period,
        start,
        building_group,
        limit,
    )
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
    ctx: ServiceContext = Depends(get_ctx),
) -> Certificate:
    settings = ctx.settings if isinstance(ctx.settings, RewardsSettings) else RewardsSettings()
    async with ctx.pool.acquire() as conn, conn.transaction():
        account = await ledger_repo.person_account(conn, principal.community, body.person_id)
        if account is None:
            raise NotFoundError("This person has no love-bank account yet.")
        rows = await conn.fetch(
            """SELECT post_type, sum(hours) AS hours, count(*) AS times FROM awards
               WHERE community = $1 AND person_id = $2 AND rule_id = 'participation.hours'
                 AND ($3::date IS NULL OR service_day >= $3) AND ($4::date IS NULL OR service_day <= $4)
               GROUP BY post_type ORDER BY post_type""",
            principal.community,
            body.person_id,
            body.period_from,
            body.period_to,
        )
        content = [
            f"{PostType(r['post_type']).label('zh-CN')}志愿服务 {r['hours']:.2f} 小时（{r['times']} 次）" for r in rows
        ]
        hours = sum((r["hours"] for r in rows), Decimal(0))
        year = datetime.now(SHANGHAI).year
        serial = await conn.fetchval("SELECT nextval('certificate_numbers')")
        row = await conn.fetchrow(
            """INSERT INTO certificates (id, community, number, person_id, person_name, id_document, id_number,
                                         volunteer_no, hours, content, period_from, period_to, issued_by)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING *""",
            uuid.uuid4(),
            principal.community,
            f"{settings.rewards_certificate_prefix}-{year}-{serial:06d}",
            body.person_id,
            body.person_name,
            body.id_document,
            mask_id_number(body.id_number),
            account["volunteer_no"],
            hours,
            content,
            body.period_from,
            body.period_to,
            principal.sub,
        )
    return Certificate(**dict(row))  # type: ignore[arg-type]


async def _certificate(ctx: ServiceContext, principal: Principal, certificate_id: uuid.UUID) -> Any:
    row = await ctx.pool.fetchrow("SELECT * FROM certificates WHERE id = $1", certificate_id)
    if row is None or not principal.can_read(row["community"]):
        raise NotFoundError("There is no such certificate.")
    may_see_person(principal, row["community"], row["person_id"])
    return row


@router.get("/certificates/{certificate_id}", response_model=Certificate, summary="A certificate's record")
async def certificate(
    certificate_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> Certificate:
    return Certificate(**dict(await _certificate(ctx, principal, certificate_id)))


@router.get("/certificates/{certificate_id}/pdf", summary="The certificate as PDF (Chinese)", response_class=Response)
async def certificate_pdf(
    certificate_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    row = await _certificate(ctx, principal, certificate_id)
    settings = ctx.settings if isinstance(ctx.settings, RewardsSettings) else RewardsSettings()
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
            issued_on=row["issued_at"].astimezone(SHANGHAI).date(),
        )
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="certificate-{row["number"]}.pdf"'},
    )
