"""Growth: the p99 of three read queries as their tables grow to 10k, 100k and 1M rows.

Rows are bulk-loaded straight into the services' own tables (triggers off for
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
import asyncio
import time
from typing import Any

import asyncpg

from bench import loadgen
from bench.stack import BenchStack
from bench.stats import figure, latency_summary
from services.kernel.settings import ServiceSettings

PEOPLE = [f"bench-p{n:04d}" for n in range(1000)]
# The service day of the loaded awards is in the community's zone, as rewards computes it.
COMMUNITY_ZONE = ServiceSettings().time_zone


# Rows are generated inside PostgreSQL (INSERT ... SELECT FROM generate_series): the same bulk
# load as a COPY, without building and shipping millions of tuples from Python. Their ids are
# ascending (valid v4-shaped UUIDs numbered by row), so the primary keys grow at their right
# edge instead of taking a million random inserts; the queries measured do not look at ids.
ISSUES_SQL = """
INSERT INTO intake.issues (id, community, category, title, channel, reporter_id, status, building_group,
                           created_at, updated_at)
SELECT ('00000001-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'meihu',
       (ARRAY['repairs','sanitation','noise','neighbour_dispute','corridor_clutter','micro_wish'])[1 + n % 6],
       '第' || n || '号事项 / issue ' || n || ': 楼道灯不亮', 'app',
       'bench-p' || lpad((n % 1000)::text, 4, '0'),
       (ARRAY['submitted','accepted','in_progress','resolved','closed'])[1 + n % 5],
       1 + n % 6,
       now() - make_interval(secs => n * 30 + 60), now() - make_interval(secs => n * 30 + 60)
FROM generate_series($1::bigint, $2::bigint - 1) AS n
"""

AWARDS_SQL = """
WITH s AS (
    SELECT n, ('00000002-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid AS tx, 'bench-p' || lpad((n % 1000)::text, 4, '0') AS person,
           10 + n % 30 AS points, now() - make_interval(secs => (n * 31) % (360 * 86400) + 60) AS at
    FROM generate_series($1::bigint, $2::bigint - 1) AS n
), t AS (
    INSERT INTO rewards.transactions (id, community, kind, person_id, memo, created_at)
    SELECT tx, 'meihu', 'award', person, '{"zh-CN": "服务积分", "en": "Service points"}'::jsonb, at FROM s
), p AS (
    INSERT INTO rewards.postings (transaction_id, account_id, amount, balance_after, created_at)
    SELECT s.tx, a.id, s.points, s.points * (1 + s.n / 1000), s.at
    FROM s JOIN rewards.accounts a ON a.community = 'meihu' AND a.kind = 'person' AND a.person_id = s.person
)
INSERT INTO rewards.awards (community, person_id, source_event_id, source_event_type, rule_id, rule_version,
                            computed_points, points, hours, post_type, service_day, building_group, explanation,
                            transaction_id, awarded_at)
SELECT 'meihu', person, ('00000003-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid,
       'linli.participation.completed.v1', 'service.hours', 1, points, points,
       2.0, 'patrol', (at AT TIME ZONE $3::text)::date, 1 + n % 6,
       '{"zh-CN": "红色岗位服务 2 小时", "en": "Red-post service, 2 hours"}'::jsonb, tx, at
FROM s
"""

# rewards keeps leaderboard totals with a row trigger on awards (migration leaderboard_totals);
# the load runs with triggers off, so it adds the loaded awards' totals itself, as the trigger would.
TOTALS_CTE = """, lt AS (
    INSERT INTO rewards.leaderboard_totals AS t (community, period, period_start, person_id, points, hours)
    SELECT 'meihu', period, period_start, person, sum(points), sum(2.0)
    FROM (
        SELECT person, points, 'week' AS period,
               date_trunc('week', (at AT TIME ZONE $3::text)::date)::date AS period_start FROM s
        UNION ALL SELECT person, points, 'month', date_trunc('month', (at AT TIME ZONE $3::text)::date)::date FROM s
        UNION ALL SELECT person, points, 'year', date_trunc('year', (at AT TIME ZONE $3::text)::date)::date FROM s
        UNION ALL SELECT person, points, 'all', DATE '1970-01-01' FROM s
    ) x
    GROUP BY period, period_start, person
    ON CONFLICT (community, period, period_start, person_id)
    DO UPDATE SET points = t.points + EXCLUDED.points, hours = t.hours + EXCLUDED.hours
)"""

ACCOUNTS_SQL = """
INSERT INTO rewards.accounts (community, kind, person_id, building_group)
SELECT 'meihu', 'person', 'bench-p' || lpad(n::text, 4, '0'), 1 + n % 6 FROM generate_series(0, 999) AS n
ON CONFLICT DO NOTHING
"""


async def _connect(database_url: str) -> asyncpg.Connection:
    conn: asyncpg.Connection = await asyncpg.connect(database_url, command_timeout=600)
    # Triggers off for the load (the ledger's per-row balance triggers); rows are consistent by construction.
    await conn.execute("SET session_replication_role = replica")
    return conn


SECONDARY_INDEXES = """
SELECT format('%I.%I', schemaname, indexname) AS name, indexdef FROM pg_indexes
WHERE format('%s.%s', schemaname, tablename) = ANY($1::text[])
  AND indexname NOT IN (SELECT conname FROM pg_constraint)
"""


async def _load(database_url: str, sql: str, tables: list[str], start: int, end: int, *params: object) -> None:
    """Insert rows [start, end). A big step drops the secondary indexes first and builds them
    again afterwards (a sorted build is several times faster than a million random inserts);
    constraint indexes (primary keys, UNIQUE) stay and are maintained row by row."""
    conn = await _connect(database_url)
    try:
        rebuild = await conn.fetch(SECONDARY_INDEXES, tables) if end - start >= 200_000 else []
        await conn.execute("SET maintenance_work_mem = '256MB'")
        for index in rebuild:
            await conn.execute(f"DROP INDEX {index['name']}")
        step = 250_000
        for low in range(start, end, step):
            await conn.execute(sql, low, min(low + step, end), *params)
        for index in rebuild:
            await conn.execute(index["indexdef"])
        for table in tables:
            await conn.execute(f"ANALYZE {table}")
    finally:
        await conn.close()


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
    awards_sql, with_totals = AWARDS_SQL, False
    if "rewards" in present:
        conn = await _connect(stack.database_url)
        try:
            await conn.execute(ACCOUNTS_SQL)
            with_totals = bool(await conn.fetchval("SELECT to_regclass('rewards.leaderboard_totals') IS NOT NULL"))
        finally:
            await conn.close()
        if with_totals:
            head, tail = AWARDS_SQL.split("\nINSERT INTO rewards.awards", 1)
            awards_sql = head + TOTALS_CTE + "\nINSERT INTO rewards.awards" + tail
    measured: dict[str, list[tuple[int, dict[str, Any], list[float]]]] = {q[0]: [] for q in queries}
    loaded = 0
    load_seconds: dict[int, float] = {}
    for size in sizes:
        started = time.perf_counter()
        loads = []
        if "intake" in present:
            loads.append(_load(stack.database_url, ISSUES_SQL, ["intake.issues"], loaded, size))
        if "rewards" in present:
            tables = ["rewards.transactions", "rewards.postings", "rewards.awards"]
            if with_totals:
                tables.append("rewards.leaderboard_totals")
            loads.append(_load(stack.database_url, awards_sql, tables, loaded, size, COMMUNITY_ZONE))
        await asyncio.gather(*loads)  # one connection each: the two loads use both cores
        loaded = size
        load_seconds[size] = round(time.perf_counter() - started, 1)
        line = []
        for name, service, path, headers in queries:
            samples = await _time(stack, service, path, headers, seconds)
            if samples.errors:
                raise RuntimeError(f"{name} {path}: {samples.errors} {samples.first_error}")
            summary = latency_summary(samples.latencies)
            # What the query answered, so an empty answer (e.g. totals the load did not fill) shows.
            answer = (await loadgen.batch(stack.url(service), headers, [("GET", path, None)], concurrency=1))[0]
            body = answer.json() if answer.status == 200 else None
            items = body.get("items") if isinstance(body, dict) else body
            summary["items_returned"] = len(items) if isinstance(items, list) else None
            if not summary["items_returned"]:
                raise RuntimeError(f"{name} {path} answered no rows at {size:,}: {answer.status} {answer.body[:200]!r}")
            measured[name].append((size, summary, samples.latencies))
            line.append(f"{name} p99 {summary['p99_ms']} ms")
        log(f"growth {size:>9,} rows (loaded in {load_seconds[size]}s): " + ", ".join(line))
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
