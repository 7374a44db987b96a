"""Growth: the p99 of three read queries as their tables grow to 10k, 100k and 1M rows.

Rows are bulk-loaded straight into the services' own tables with COPY (triggers off for
the load: session_replication_role = replica, so the ledger's per-row balance triggers do
not turn a load into minutes; the rows are consistent by construction), then the HTTP
queries are timed through the service, one request at a time, by the same load generator:

- intake `GET /issues?limit=20` (a resident's list, newest first), rows = issues;
- rewards `GET /accounts/{person}/statement` (first page), rows = awards, each with its
  transaction and posting, spread over 1,000 people;
- rewards `GET /leaderboards?period=year` (points), rows = awards over the past year.

The target: p99 at the largest size <= 2x the p99 at the smallest (keyset pagination and
indexes, no OFFSET scans and no full aggregates on the request path).
"""

from __future__ import annotations

import argparse
import json
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from bench import loadgen
from bench.stack import BenchStack
from bench.stats import figure, latency_summary

PEOPLE = [f"bench-p{n:04d}" for n in range(1000)]
STATUSES = ("submitted", "accepted", "in_progress", "resolved", "closed")
CATEGORIES = ("repairs", "sanitation", "noise", "neighbour_dispute", "corridor_clutter", "micro_wish")


def _issues(start: int, count: int, now: datetime) -> list[tuple[Any, ...]]:
    rows = []
    for n in range(start, start + count):
        rows.append(
            (
                uuid.uuid4(),
                "meihu",
                CATEGORIES[n % len(CATEGORIES)],
                f"第{n}号事项 / issue {n}: 楼道灯不亮",
                "app",
                PEOPLE[n % len(PEOPLE)],
                STATUSES[n % len(STATUSES)],
                (n % 6) + 1,
                now - timedelta(seconds=n * 30 + 60),
                now - timedelta(seconds=n * 30 + 60),
            )
        )
    return rows


ISSUE_COLUMNS = [
    "id",
    "community",
    "category",
    "title",
    "channel",
    "reporter_id",
    "status",
    "building_group",
    "created_at",
    "updated_at",
]


async def _load_issues(conn: asyncpg.Connection, start: int, count: int) -> None:
    now = datetime.now(UTC)
    step = 100_000
    for offset in range(0, count, step):
        rows = _issues(start + offset, min(step, count - offset), now)
        await conn.copy_records_to_table("issues", schema_name="intake", records=rows, columns=ISSUE_COLUMNS)


async def _person_accounts(conn: asyncpg.Connection) -> dict[str, uuid.UUID]:
    rows = await conn.fetch(
        "SELECT person_id, id FROM rewards.accounts WHERE community = 'meihu' AND kind = 'person' AND person_id = ANY($1)",
        PEOPLE,
    )
    have = {r["person_id"]: r["id"] for r in rows}
    missing = [(uuid.uuid4(), "meihu", "person", p, (i % 6) + 1) for i, p in enumerate(PEOPLE) if p not in have]
    if missing:
        await conn.copy_records_to_table(
            "accounts",
            schema_name="rewards",
            records=missing,
            columns=["id", "community", "kind", "person_id", "building_group"],
        )
        have.update({m[3]: m[0] for m in missing})
    return have


async def _load_awards(conn: asyncpg.Connection, accounts: dict[str, uuid.UUID], start: int, count: int) -> None:
    now = datetime.now(UTC)
    today = date.today()
    explanation = json.dumps({"zh-CN": "红色岗位服务 2 小时", "en": "Red-post service, 2 hours"}, ensure_ascii=False)
    memo = json.dumps({"zh-CN": "服务积分", "en": "Service points"}, ensure_ascii=False)
    step = 100_000
    for offset in range(0, count, step):
        txs, postings, awards = [], [], []
        for n in range(start + offset, start + offset + min(step, count - offset)):
            person = PEOPLE[n % len(PEOPLE)]
            tx = uuid.uuid4()
            at = now - timedelta(seconds=(n * 31) % (360 * 86400) + 60)
            points = 10 + n % 30
            txs.append((tx, "meihu", "award", person, memo, at))
            postings.append((tx, accounts[person], points, points * (1 + n // len(PEOPLE)), at))
            awards.append(
                (
                    "meihu",
                    person,
                    uuid.uuid4(),
                    "linli.participation.completed.v1",
                    "service.hours",
                    1,
                    points,
                    points,
                    2.0,
                    "patrol",
                    today - timedelta(days=(n * 31) % (360 * 86400) // 86400),
                    (n % 6) + 1,
                    explanation,
                    tx,
                    at,
                )
            )
        await conn.copy_records_to_table(
            "transactions",
            schema_name="rewards",
            records=txs,
            columns=["id", "community", "kind", "person_id", "memo", "created_at"],
        )
        await conn.copy_records_to_table(
            "postings",
            schema_name="rewards",
            records=postings,
            columns=["transaction_id", "account_id", "amount", "balance_after", "created_at"],
        )
        await conn.copy_records_to_table(
            "awards",
            schema_name="rewards",
            records=awards,
            columns=[
                "community",
                "person_id",
                "source_event_id",
                "source_event_type",
                "rule_id",
                "rule_version",
                "computed_points",
                "points",
                "hours",
                "post_type",
                "service_day",
                "building_group",
                "explanation",
                "transaction_id",
                "awarded_at",
            ],
        )


async def _time(stack: BenchStack, service: str, path: str, headers: dict[str, str], seconds: float) -> loadgen.Samples:
    # A short warm-up fills the caches a steady service would have warm.
    return await loadgen.closed_loop(
        stack.url(service), headers, lambda i: ("GET", path, None), concurrency=1, duration=seconds, warmup=0.5
    )


async def run(stack: BenchStack, *, args: argparse.Namespace, present: tuple[str, ...], log: Any) -> dict[str, Any]:
    sizes = sorted(args.growth_sizes)
    seconds = 1.5 if args.quick else 3.0
    queries: list[tuple[str, str, str, dict[str, str]]] = []
    if "intake" in present:
        queries.append(("issue list", "intake", "/issues?limit=20", stack.headers("sun-hao")))
    if "rewards" in present:
        queries.append(("statement", "rewards", f"/accounts/{PEOPLE[7]}/statement?limit=50", stack.headers("admin")))
        queries.append(
            ("leaderboard", "rewards", "/leaderboards?period=year&metric=points&limit=20", stack.headers("admin"))
        )
    if not queries:
        return {"skipped": "neither intake nor rewards is in this checkout"}
    conn = await asyncpg.connect(stack.database_url)
    await conn.execute("SET session_replication_role = replica")
    accounts = await _person_accounts(conn) if "rewards" in present else {}
    measured: dict[str, list[tuple[int, dict[str, Any], list[float]]]] = {q[0]: [] for q in queries}
    loaded = 0
    load_seconds: dict[int, float] = {}
    try:
        for size in sizes:
            started = time.perf_counter()
            if "intake" in present:
                await _load_issues(conn, loaded, size - loaded)
                await conn.execute("ANALYZE intake.issues")
            if "rewards" in present:
                await _load_awards(conn, accounts, loaded, size - loaded)
                await conn.execute("ANALYZE rewards.transactions; ANALYZE rewards.postings; ANALYZE rewards.awards")
            loaded = size
            load_seconds[size] = round(time.perf_counter() - started, 1)
            line = []
            for name, service, path, headers in queries:
                samples = await _time(stack, service, path, headers, seconds)
                if samples.errors:
                    raise RuntimeError(f"{name} {path}: {samples.errors} {samples.first_error}")
                summary = latency_summary(samples.latencies)
                measured[name].append((size, summary, samples.latencies))
                line.append(f"{name} p99 {summary['p99_ms']} ms")
            log(f"growth {size:>9,} rows (loaded in {load_seconds[size]}s): " + ", ".join(line))
    finally:
        await conn.close()
    out: dict[str, Any] = {"load_seconds": load_seconds}
    smallest, largest = sizes[0], sizes[-1]
    for name, points in measured.items():
        first = points[0][1]
        last = points[-1][1]
        out[name] = figure(
            name=f"Growth: {name}",
            metric=f"p99 at {largest:,} rows vs at {smallest:,} rows ({next(q[2] for q in queries if q[0] == name)})",
            unit="ms",
            value=last["p99_ms"],
            baseline=first["p99_ms"],
            target=f"<= 2x p99 at {smallest:,}",
            met=last["p99_ms"] <= 2 * first["p99_ms"],
            higher_is_better=False,
            by_rows={str(size): summary for size, summary, _ in points},
        )
    out["plots"] = [
        {
            "title": "Growth: p99 of read queries by table size",
            "kind": "lines",
            "xlabel": "rows",
            "ylabel": "p99 (ms)",
            "series": {name: [(size, s["p99_ms"]) for size, s, _ in points] for name, points in measured.items()},
        }
    ]
    return out


random.seed(7)
