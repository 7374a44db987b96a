"""The committees' numbers: figures of a month and a year in the community's time zone, as JSON or CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.intake.support import COMMITTEE, RESIDENT, act, as_, sql, submit
from tests.support.infra import Tokens


async def _resolved(client: httpx.AsyncClient, tokens: Tokens, **overrides: Any) -> str:
    issue = await submit(client, tokens, **overrides)
    await act(client, tokens, issue["id"], "review", {"decision": "accept"})
    await act(client, tokens, issue["id"], "start")
    await act(client, tokens, issue["id"], "resolve", {"summary": "清理完毕", "contributors": ["liu-yang"]})
    return str(issue["id"])


async def _at(database_url: str, issue_id: str, raised: datetime, resolved: datetime | None = None) -> None:
    await sql(database_url).execute(
        "UPDATE issues SET created_at = $2, resolved_at = coalesce($3, resolved_at) WHERE id = $1::uuid",
        issue_id,
        raised,
        resolved,
    )


async def test_a_month_counts_what_was_raised_and_resolved_in_it_in_the_communitys_time_zone(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    # 2026-10-31 17:00 UTC is 1 November 01:00 in Hefei: November's, not October's.
    early_november = await _resolved(client, tokens, category="noise")
    await _at(
        database_url, early_november, datetime(2026, 10, 31, 17, 0, tzinfo=UTC), datetime(2026, 11, 3, 1, 0, tzinfo=UTC)
    )
    late_october = await submit(client, tokens, category="noise")
    await _at(database_url, late_october["id"], datetime(2026, 10, 31, 15, 0, tzinfo=UTC))
    slow = await _resolved(client, tokens, category="repairs", building_group=5)
    await _at(database_url, slow, datetime(2026, 11, 2, 0, 0, tzinfo=UTC), datetime(2026, 11, 12, 0, 0, tzinfo=UTC))
    await act(client, tokens, slow, "confirm", {"satisfaction": 4}, who=RESIDENT)

    answer = await client.get("/numbers", params={"year": 2026, "month": 11}, headers=as_(tokens, COMMITTEE))

    assert answer.status_code == 200, answer.text
    november = answer.json()
    assert (november["raised"], november["resolved"]) == (2, 2)
    assert november["median_hours_to_resolve"] == (56 + 240) / 2  # 56 h and 10 days
    assert (november["satisfaction_average"], november["satisfaction_count"]) == (4.0, 1)
    by_category = {g["key"]: (g["raised"], g["resolved"]) for g in november["by_category"]}
    assert by_category == {"noise": (1, 1), "repairs": (1, 1)}
    assert {g["key"]: g["raised"] for g in november["by_building_group"]} == {"3": 1, "5": 1}
    assert november["by_month"] == []
    assert november["time_zone"] == "Asia/Shanghai"


async def test_a_year_is_given_month_by_month(client: httpx.AsyncClient, tokens: Tokens, database_url: str) -> None:
    march = await submit(client, tokens)
    await _at(database_url, march["id"], datetime(2026, 3, 10, tzinfo=UTC))
    july = await submit(client, tokens)
    await _at(database_url, july["id"], datetime(2026, 7, 10, tzinfo=UTC))
    last_year = await submit(client, tokens)
    await _at(database_url, last_year["id"], datetime(2025, 12, 31, 15, 0, tzinfo=UTC))  # 2025-12-31 23:00 in Hefei

    year = (await client.get("/numbers", params={"year": 2026}, headers=as_(tokens, COMMITTEE))).json()

    assert year["raised"] == 2
    assert [(g["key"], g["raised"]) for g in year["by_month"]] == [("3", 1), ("7", 1)]
    assert year["by_month"][0]["label"] == {"zh-CN": "3月", "en": "Month 3"}


async def test_the_numbers_come_as_csv_for_a_spreadsheet_or_a_district(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    await submit(client, tokens, category="noise")
    month = datetime.now(UTC).astimezone()
    params = {"year": month.year, "month": month.month}

    by_format = await client.get("/numbers", params={**params, "format": "csv"}, headers=as_(tokens, COMMITTEE))
    by_accept = await client.get("/numbers", params=params, headers={**as_(tokens, COMMITTEE), "Accept": "text/csv"})

    assert by_format.headers["content-type"].startswith("text/csv")
    assert "attachment" in by_format.headers["content-disposition"]
    assert by_accept.text == by_format.text
    rows = list(csv.DictReader(io.StringIO(by_format.text)))
    assert (rows[0]["figure"], rows[0]["dimension"], rows[0]["value"]) == ("raised", "total", "1")
    noise = next(r for r in rows if r["dimension"] == "category" and r["key"] == "noise" and r["figure"] == "raised")
    assert (noise["name_zh"], noise["value"]) == ("噪音扰民", "1")


async def test_only_committees_admins_and_the_district_read_the_numbers(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    answer = await client.get("/numbers", params={"year": 2026}, headers=as_(tokens, RESIDENT))

    assert answer.status_code == 403
