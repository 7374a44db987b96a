"""The committees' numbers of a month and a year: JSON for the desk, CSV for a spreadsheet or a district."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response

from contracts.enums import IssueCategory, Role
from services.intake.adapters import queries
from services.intake.entrypoints.deps import get_intake_uow
from services.intake.entrypoints.schemas import NumbersOut
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork
from services.kernel.auth import Principal, require_roles

router = APIRouter(tags=["committee"])
readers = require_roles(Role.COMMITTEE, Role.ADMIN, Role.DISTRICT)


def _label(dimension: str, key: Any) -> dict[str, str]:
    if dimension == "by_category":
        return IssueCategory(key).labels()
    if dimension == "by_building_group":
        return {"zh-CN": f"第{key}楼栋组", "en": f"Building group {key}"} if key else {"zh-CN": "未填", "en": "None"}
    return {"zh-CN": f"{key}月", "en": f"Month {key}"}


def _csv(numbers: dict[str, Any]) -> str:
    """One figure a line (period, figure, dimension, key, value): the shape a district sums over communities."""
    period = f"{numbers['year']}" + (f"-{numbers['month']:02d}" if numbers["month"] else "")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["community", "period", "figure", "dimension", "key", "name_zh", "name_en", "value"])

    def row(figure: str, dimension: str, key: Any, label: dict[str, str], value: Any) -> None:
        shown = "" if value is None else round(value, 2) if isinstance(value, float) else value
        writer.writerow([numbers["community"], period, figure, dimension, key, label["zh-CN"], label["en"], shown])

    total = {"zh-CN": "合计", "en": "Total"}
    for figure in ("raised", "resolved", "median_hours_to_resolve", "satisfaction_average", "satisfaction_count"):
        row(figure, "total", "", total, numbers[figure])
    for dimension in ("by_category", "by_building_group", "by_month"):
        for group in numbers[dimension]:
            for figure in ("raised", "resolved"):
                row(figure, dimension.removeprefix("by_"), group["key"], group["label"], group[figure])
    return out.getvalue()


@router.get(
    "/numbers",
    response_model=NumbersOut,
    summary="Matters raised and resolved in a month or a year, by category and building group (JSON or CSV)",
    responses={200: {"content": {"text/csv": {}}}},
)
async def numbers(
    request: Request,
    year: int = Query(ge=2000, le=2100),
    month: int | None = Query(default=None, ge=1, le=12, description="Omit for the whole year"),
    format: str | None = Query(default=None, pattern="^(json|csv)$", description="`csv`, or send Accept: text/csv"),
    community: str | None = Query(default=None, max_length=40, description="District role only"),
    principal: Principal = Depends(readers),
    uow: IntakeUnitOfWork = Depends(get_intake_uow),
) -> Any:
    target = principal.readable(community)
    async with uow.read() as conn:
        figures = await queries.numbers(conn, target, uow.zone.key, year, month)
    for dimension in ("by_category", "by_building_group", "by_month"):
        figures[dimension] = [
            {**g, "key": "" if g["key"] is None else str(g["key"]), "label": _label(dimension, g["key"])}
            for g in figures[dimension]
        ]
    body = {"community": target, "year": year, "month": month, "time_zone": uow.zone.key, **figures}
    wants_csv = format == "csv" or (format is None and "text/csv" in request.headers.get("accept", ""))
    if not wants_csv:
        return body
    name = f"linli-{target}-numbers-{year}" + (f"-{month:02d}" if month else "") + ".csv"
    return Response(
        _csv(body),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
