"""Routes of the yearly report: its figures as JSON for front-ends, a page to read and a PDF to print."""

from __future__ import annotations

import html
from datetime import datetime
from decimal import Decimal
from typing import Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field
from starlette.responses import HTMLResponse, Response

from services.community.adapters import report_pdf
from services.community.domain.yearly_report import FigureValue
from services.community.entrypoints.deps import get_community_uow
from services.community.service_layer import yearly_report
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.kernel.auth import Principal, current_principal

router = APIRouter(tags=["yearly report"])

YearPath = Path(ge=2000, le=2200, description="The calendar year, on the community's wall clock.")
CommunityQuery = Query(default=None, max_length=40, description="Another community (district staff only).")


class FigureOut(BaseModel):
    key: str
    value: float
    measure: Literal["count", "distinct", "sum"]
    label: dict[str, str] = Field(description="Keyed by language (zh-CN, en).")
    definition: dict[str, str] = Field(description="What exactly is counted, keyed by language.")
    source: list[str] = Field(description="The event types the figure is built from.")


class ReportOut(BaseModel):
    community: str
    community_name: str
    year: int
    time_zone: str
    generated_at: datetime
    figures: list[FigureOut]


class YearsOut(BaseModel):
    community: str
    years: list[int] = Field(description="Years with at least one recorded fact, newest first.")


def _figure(value: FigureValue) -> FigureOut:
    figure = value.figure
    return FigureOut(
        key=figure.key,
        value=float(value.value),
        measure=figure.measure.value,
        label=figure.label,
        definition=figure.definition,
        source=list(figure.source),
    )


async def _figures(
    uow: CommunityUnitOfWork, principal: Principal, year: int, community: str | None
) -> tuple[str, list[FigureValue], datetime]:
    readable = principal.readable(community)
    values, generated_at = await yearly_report.figures(uow, readable, year)
    return readable, values, generated_at


async def _report(uow: CommunityUnitOfWork, principal: Principal, year: int, community: str | None) -> ReportOut:
    readable, values, generated_at = await _figures(uow, principal, year, community)
    return ReportOut(
        community=readable,
        community_name=uow.settings.community_name(readable),
        year=year,
        time_zone=uow.settings.time_zone,
        generated_at=generated_at,
        figures=[_figure(v) for v in values],
    )


@router.get("/reports", response_model=YearsOut, summary="The years the community has figures for")
async def report_years(
    community: str | None = CommunityQuery,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> YearsOut:
    readable = principal.readable(community)
    return YearsOut(community=readable, years=await yearly_report.years(uow, readable))


@router.get(
    "/reports/{year}",
    response_model=ReportOut,
    summary="The community's year in figures (年度报告), each with its definition",
)
async def year_report(
    year: int = YearPath,
    community: str | None = CommunityQuery,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> ReportOut:
    return await _report(uow, principal, year, community)


@router.get(
    "/reports/{year}/pdf",
    summary="The yearly report as an A4 PDF in Chinese",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def year_report_pdf(
    year: int = YearPath,
    community: str | None = CommunityQuery,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> Response:
    readable, values, generated_at = await _figures(uow, principal, year, community)
    page = report_pdf.ReportPage(uow.settings.community_name(readable), year, values, generated_at.astimezone(uow.zone))
    return Response(
        report_pdf.render(page),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="linli-{readable}-{year}-report.pdf"'},
    )


@router.get(
    "/reports/{year}/page",
    summary="The yearly report as a page to read (zh-CN or en)",
    response_class=HTMLResponse,
)
async def year_report_page(
    year: int = YearPath,
    community: str | None = CommunityQuery,
    lang: Literal["zh-CN", "en"] = Query(default="zh-CN"),
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> HTMLResponse:
    out = await _report(uow, principal, year, community)
    return HTMLResponse(_page(out, lang))


def _page(out: ReportOut, lang: Literal["zh-CN", "en"]) -> str:
    e = html.escape
    if lang == "zh-CN":
        title = f"{out.community_name} {out.year}年度社区治理数据报告"
        head = ("项目", "数字", "统计口径")
        note = f"数据来源：各服务发布的事件，截至 {out.generated_at:%Y-%m-%d %H:%M} UTC。"
    else:
        title = f"{out.community_name}: the year {out.year} in figures"
        head = ("Figure", "Value", "Definition")
        note = f"Built from the events the services published, as of {out.generated_at:%Y-%m-%d %H:%M} UTC."
    rows = "\n".join(
        f'<tr><th scope="row">{e(f.label[lang])}</th><td>{e(report_pdf.shown(Decimal(str(f.value))))}</td>'
        f"<td>{e(f.definition[lang])}</td></tr>"
        for f in out.figures
    )
    return f"""<!doctype html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; margin: 1rem auto; max-width: 48rem;
  padding: 0 1rem; color: #1a1a1a; line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ccc; padding: .5rem; text-align: left; vertical-align: top; }}
td:nth-child(2) {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
td:nth-child(3) {{ color: #444; font-size: .9rem; }}
</style></head>
<body><main>
<h1>{e(title)}</h1>
<table><caption>{e(note)}</caption>
<thead><tr><th scope="col">{head[0]}</th><th scope="col">{head[1]}</th><th scope="col">{head[2]}</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</main></body></html>
"""
