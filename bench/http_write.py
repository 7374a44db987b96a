"""HTTP write path: intake's POST /issues (token check, validation, issue + history + outbox in
one transaction) vs bench/baseline_http.py (parse the JSON, insert one row with asyncpg), both
served by one uvicorn process on the same PostgreSQL, driven by the same load generator at
the same concurrency with the same request bytes (the baseline ignores the token).

Every consumer of issue.submitted (notifications, and community's yearly report; found from
JetStream's durable consumers, not a list kept here) is stopped while the rounds run and started
again after: the baseline has the two cores to itself and PostgreSQL, so intake gets the same;
the committees' notifications of these issues are delivered once they are back (the next section
waits for that), and their cost is the consume path's figure, not this one's.

A third series, the work floor (bench/work_floor_app.py), alternates with the two: the baseline's
bare endpoint writing exactly what POST /issues must write (issue, history, outbox event into
intake's tables, published after commit by the kernel's publisher) with no token, no validation
and nothing computed per request. Its rate and p99 are the best any POST /issues can do on this
machine, so issue 19's targets are ratios to it: POST /issues >= 0.85 of its requests/s and a p99
<= 1.3x its p99. The bare one-row insert stays in the figure's text, to show what the writes
themselves cost."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import orjson

from bench import loadgen
from bench.stack import BenchStack
from bench.stats import figure, latency_summary

REPORTER = "sun-hao"
THROUGHPUT_TARGET = 0.85
"""POST /issues' requests/s as a share of the work floor's (issue 19): the writes are the floor's, the rest must cost little."""
P99_TARGET = 1.3


async def _framework_floor(
    stack: BenchStack, headers: dict[str, str], *, concurrency: int, seconds: float, log: Any
) -> dict[str, float]:
    """Requests/s of routes that validate the same body and token and do nothing else, in the
    kernel's app (bench/floor_app.py), next to the baseline in the same minute: what the
    framework costs before any work is done."""
    floor = stack.start_module("floor", "bench.floor_app", {"LINLI_OUTBOX_RELAYS": "0"})
    await stack.wait_ready(["floor"])
    baseline = stack.services["baseline"]
    measured: dict[str, float] = {}
    try:
        for name, url, path in (
            ("baseline", baseline.url, "/rows"),
            ("fastapi", floor.url, "/floor/fastapi"),
            ("lean", floor.url, "/floor/lean"),
        ):

            def request(i: int, path: str = path) -> tuple[str, str, bytes | None]:
                return "POST", path, issue_body(i)

            samples = await loadgen.closed_loop(
                url, headers, request, concurrency=concurrency, duration=seconds, warmup=1.0
            )
            measured[name] = samples.throughput if not samples.errors else float("nan")
    finally:
        stack.terminate("floor")
    log(
        f"framework floor: baseline {measured['baseline']:.0f}/s, FastAPI no-op {measured['fastapi']:.0f}/s,"
        f" lean no-op {measured['lean']:.0f}/s"
    )
    return measured


@contextlib.asynccontextmanager
async def _paused(stack: BenchStack, names: list[str]) -> AsyncIterator[None]:
    """The services `names` stopped for the block and running (ready) again after it."""
    running = [name for name in names if stack.pid(name)]
    for name in running:
        stack.terminate(name)
    try:
        yield
    finally:
        for name in running:
            stack.start_service(name)
        if running:
            await stack.wait_ready(running)


def issue_body(i: int) -> bytes:
    return orjson.dumps(
        {
            "category": "repairs",
            "title": f"3栋2单元楼道灯不亮 / corridor light out #{i}",
            "description": "晚上楼道很黑，老人上下楼不安全。The corridor is dark at night; unsafe for the elderly.",
            "location": {"building": "3栋", "unit": "2单元", "text": "三楼楼梯口 / third-floor landing"},
            "channel": "app",
        }
    )


async def run(stack: BenchStack, *, concurrency: int, seconds: float, rounds: int, log: Any) -> dict[str, Any]:
    headers = stack.headers(REPORTER)
    baseline = stack.services.get("baseline")
    if baseline is None or not baseline.running:
        baseline = stack.start_module("baseline", "bench.baseline_http")
        await stack.wait_ready(["baseline"])

    def to_issues(i: int) -> tuple[str, str, bytes | None]:
        return "POST", "/issues", issue_body(i)

    def to_rows(i: int) -> tuple[str, str, bytes | None]:
        return "POST", "/rows", issue_body(i)

    def to_issue_rows(i: int) -> tuple[str, str, bytes | None]:
        return "POST", "/issue-rows", issue_body(i)

    floor = await _framework_floor(stack, headers, concurrency=concurrency, seconds=seconds, log=log)
    service_samples = loadgen.Samples()
    base_samples = loadgen.Samples()
    work_samples = loadgen.Samples()
    warmup = min(2.0, seconds / 2)
    work = stack.start_module("work_floor", "bench.work_floor_app")
    await stack.wait_ready(["work_floor"])
    try:
        consumers = await stack.consumers_of("issue.submitted")
        log(f"http: consumers of issue.submitted paused for the rounds: {', '.join(consumers) or 'none'}")
        async with _paused(stack, consumers):
            for round_ in range(rounds):
                # Alternate, so a noisy neighbour on the shared cores weighs on all three alike.
                b = await loadgen.closed_loop(
                    baseline.url, headers, to_rows, concurrency=concurrency, duration=seconds, warmup=warmup
                )
                s = await loadgen.closed_loop(
                    stack.url("intake"), headers, to_issues, concurrency=concurrency, duration=seconds, warmup=warmup
                )
                w = await loadgen.closed_loop(
                    work.url, headers, to_issue_rows, concurrency=concurrency, duration=seconds, warmup=warmup
                )
                for total, part in ((base_samples, b), (service_samples, s), (work_samples, w)):
                    total.add(part)
                log(
                    f"http round {round_}: baseline {b.throughput:.0f}/s, POST /issues {s.throughput:.0f}/s"
                    f" ({s.errors or 'no errors'}), work floor {w.throughput:.0f}/s ({w.errors or 'no errors'})"
                )
    finally:
        stack.terminate("work_floor")
    svc = latency_summary(service_samples.latencies)
    base = latency_summary(base_samples.latencies)
    work_lat = latency_summary(work_samples.latencies)
    work_rps = work_samples.throughput if not work_samples.errors else float("nan")
    details = {
        "concurrency": concurrency,
        "seconds": service_samples.duration,
        "service_latency": svc,
        "baseline_latency": base,
        "service_errors": service_samples.errors,
        "baseline_errors": base_samples.errors,
        "service_first_error": service_samples.first_error,
        "payload_bytes": len(issue_body(0)),
        "framework_floor_rps": floor,
        "work_floor_rps": work_rps,
        "work_floor_latency": work_lat,
        "work_floor_errors": work_samples.errors,
    }
    rps = service_samples.throughput
    base_rps = base_samples.throughput
    work_p99 = work_lat["p99_ms"]
    return {
        "throughput": figure(
            name="HTTP write path",
            metric=(
                f"POST /issues requests/s at concurrency {concurrency} vs the work floor (its writes alone, bare"
                f" endpoint, published after commit as intake does). The bare one-row insert: {base_rps:,.0f}/s"
                f" (POST /issues {rps / base_rps:.2f} of it, the floor {work_rps / base_rps:.2f}); routes doing no"
                f" work in the same app: FastAPI {floor['fastapi']:,.0f}/s, lean {floor['lean']:,.0f}/s"
                f" (baseline then {floor['baseline']:,.0f}/s)"
            ),
            unit="req/s",
            value=rps,
            baseline=work_rps,
            target=f">= {THROUGHPUT_TARGET:.0%} of the work floor",
            met=rps >= THROUGHPUT_TARGET * work_rps and not service_samples.errors,
            higher_is_better=True,
            **details,
        ),
        "p99": figure(
            name="HTTP write path",
            metric=(
                f"POST /issues p99 at concurrency {concurrency} vs the work floor's (p50 {svc['p50_ms']} vs"
                f" {work_lat['p50_ms']} ms); the bare one-row insert's p99: {base['p99_ms']} ms"
            ),
            unit="ms",
            value=svc["p99_ms"],
            baseline=work_p99,
            target=f"<= {P99_TARGET}x the work floor's p99",
            met=svc["p99_ms"] <= P99_TARGET * work_p99,
            higher_is_better=False,
        ),
        "baseline_p99_ms": base["p99_ms"],
        "plots": [
            {
                "title": f"HTTP write path, concurrency {concurrency}",
                "series": {
                    "POST /issues (intake)": service_samples.latencies,
                    "baseline: Starlette + asyncpg INSERT": base_samples.latencies,
                    "work floor: the same writes as POST /issues, bare endpoint": work_samples.latencies,
                },
            }
        ],
    }
