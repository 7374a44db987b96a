"""A city on one machine: the evening peak of many communities at once, through the public APIs.

An open loop (requests due at fixed times whatever the answers do; latency from the due time,
bench/loadgen.py's rule) sends the mix below for N communities, each request with the token of a
person of its community: residents reading the issue list, their inbox and their points statement,
submitting issues and signing up for shifts; post leaders confirming participation; council
members voting. N grows in steps; the figure is the largest N whose reads have p99 <= 50 ms and
whose writes have p99 <= 150 ms. Target: 1,000 communities (Hefei has about 1,500).

The per-community mix is derived from the seed's figures for Meihu (bench/README.md, "A city"):
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import orjson

from bench import loadgen
from bench.cpu import CpuMeter
from bench.http_write import issue_body
from bench.stack import BenchStack
from bench.stats import figure, latency_summary
from services.kernel.dev_issuer import issue_token

# -- the derivation (each figure a constant, so the README and the code cannot disagree) --------
RESIDENTS = 4_000
DAILY_ACTIVE_SHARE = 0.15  # residents who open the app on a given day
READS_PER_SESSION = 4  # the issue list twice (list, then back to it), the inbox, the statement
PEAK_HOUR_SHARE = 0.15  # the evening peak hour (19-20 h) carries this share of a day's use
ISSUES_PER_YEAR = 1_200  # 0.3 per resident; the 60+ council cases a year are the few that go that far
ACTIVITIES_PER_YEAR = 200  # red-post activities
VOLUNTEERS_PER_ACTIVITY = 15  # signups per activity; each activity confirmed by its leader once
COUNCIL_CASES_PER_YEAR = 60
VOTERS_PER_CASE = 9  # a residents' council's voting members

PEAK = PEAK_HOUR_SHARE / 3600  # share of a day in one second of the peak hour


def per_community_rates() -> dict[str, float]:
    """Requests per second of one community in the evening peak hour, by kind."""
    reads = RESIDENTS * DAILY_ACTIVE_SHARE * READS_PER_SESSION * PEAK
    return {
        "issue list": reads * 2 / 4,
        "inbox": reads / 4,
        "statement": reads / 4,
        "submit issue": ISSUES_PER_YEAR / 365 * PEAK,
        "sign up": ACTIVITIES_PER_YEAR * VOLUNTEERS_PER_ACTIVITY / 365 * PEAK,
        "confirm": ACTIVITIES_PER_YEAR / 365 * PEAK,
        "vote": COUNCIL_CASES_PER_YEAR * VOTERS_PER_CASE / 365 * PEAK,
    }


READS = ("issue list", "inbox", "statement")
READ_P99_MS = 50.0
WRITE_P99_MS = 150.0
ISSUES_PER_COMMUNITY = 20  # each community's list has a full first page

CATEGORIES_AND_ISSUES = """
INSERT INTO intake.issues (id, community, category, title, channel, reporter_id, status, building_group,
                           created_at, updated_at)
SELECT gen_random_uuid(), 'city-' || lpad(c::text, 4, '0'),
       (ARRAY['repairs','sanitation','neighbour_dispute','corridor_clutter'])[1 + k % 4],
       '第' || k || '号事项 / issue ' || k || ': 楼道灯不亮', 'app', 'res-' || lpad(c::text, 4, '0'),
       (ARRAY['submitted','accepted','in_progress','resolved'])[1 + k % 4], 1 + k % 6,
       now() - make_interval(mins => k * 90 + 1), now() - make_interval(mins => k * 90 + 1)
FROM generate_series($1::int, $2::int - 1) AS c, generate_series(1, $3::int) AS k
"""


def community(n: int) -> str:
    return f"city-{n:04d}"


class Tokens:
    """One resident, one post leader, one admin and the council members of each community, minted when first used."""

    def __init__(self, stack: BenchStack) -> None:
        self.stack = stack
        self._made: dict[tuple[str, str], dict[str, str]] = {}

    def headers(self, n: int, who: str) -> dict[str, str]:
        key = (community(n), who)
        if key not in self._made:
            roles = {
                "resident": ["resident"],
                "leader": ["resident", "volunteer", "post_leader"],
                "admin": ["admin", "committee"],
            }.get(who.split(":")[0], ["resident", "council_member"])
            if who.startswith("volunteer"):
                roles = ["resident", "volunteer"]
            sub = {"resident": f"res-{n:04d}", "leader": f"lead-{n:04d}", "admin": f"admin-{n:04d}"}.get(
                who, who.replace(":", "-") + f"-{n:04d}"
            )
            token = issue_token(sub, roles, name=sub, community=community(n), run_dir=self.stack.run_dir)
            self._made[key] = {"Authorization": f"Bearer {token}"}
        return self._made[key]

    def sub(self, n: int, who: str) -> str:
        return {"resident": f"res-{n:04d}", "leader": f"lead-{n:04d}"}.get(who, who.replace(":", "-") + f"-{n:04d}")


async def _send(url: str, headers: dict[str, str], method: str, path: str, body: Any = None) -> Any:
    conn = loadgen.Connection(url, headers)
    try:
        answer = await conn.request(method, path, orjson.dumps(body) if body is not None else None)
    finally:
        await conn.close()
    if answer.status >= 300:
        raise RuntimeError(f"set-up {method} {path}: {answer.status} {answer.body[:300]!r}")
    return orjson.loads(answer.body) if answer.body else None


@dataclass
class Planned:
    due: float  # seconds from the start
    kind: str
    n: int  # community
    k: int  # the kind's k-th request in this community (which volunteer, which voter)


class Fixtures:
    """What the planned writes need, made through the APIs before a step: posts and shifts, registered
    volunteers (signed up to a started shift, for the confirmations), a council with an open vote."""

    def __init__(self, stack: BenchStack, tokens: Tokens) -> None:
        self.stack = stack
        self.tokens = tokens
        self.future_shift: dict[int, str] = {}
        self.started_shift: dict[int, str] = {}
        self.motion: dict[int, str] = {}
        self.posts: set[int] = set()

    async def _post(self, n: int) -> None:
        if n in self.posts:
            return
        await _send(
            self.stack.url("shifts"),
            self.tokens.headers(n, "admin"),
            "PUT",
            "/posts/patrol",
            {"leader_ids": [self.tokens.sub(n, "leader")]},
        )
        self.posts.add(n)

    async def _shift(self, n: int, *, started: bool) -> str:
        now = datetime.now(UTC)
        starts = now - timedelta(minutes=30) if started else now + timedelta(days=1)
        body = {
            "post": "patrol",
            "title": "夜间巡逻 / night patrol",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "capacity": 1000,
        }
        made = await _send(self.stack.url("shifts"), self.tokens.headers(n, "leader"), "POST", "/shifts", body)
        return str(made["id"])

    async def _volunteer(self, n: int, who: str) -> str:
        sub = self.tokens.sub(n, who)
        body = {"name": f"志愿者 {sub}", "kind": "resident", "building_group": 1 + n % 6, "posts": ["patrol"]}
        await _send(self.stack.url("shifts"), self.tokens.headers(n, "leader"), "PUT", f"/volunteers/{sub}", body)
        return sub

    async def _council(self, n: int) -> None:
        url = self.stack.url("deliberation")
        voters = [self.tokens.sub(n, f"council:{k}") for k in range(VOTERS_PER_CASE)]
        members = [
            {
                "person_id": p,
                "name": p,
                "party": "resident",
                "position": "chair" if i == 0 else "member",
                "term_from": "2026-01-01",
            }
            for i, p in enumerate(voters)
        ]
        council = await _send(
            url, self.tokens.headers(n, "admin"), "POST", "/councils", {"kind": "consultation", "members": members}
        )
        chair = self.tokens.headers(n, "council:0")
        starts = datetime.now(UTC) + timedelta(hours=1)
        session = await _send(
            url,
            chair,
            "POST",
            f"/councils/{council['id']}/sessions",
            {"title": "临时会议 / Ad-hoc", "starts_at": starts.isoformat(), "mode": "in_person"},
        )
        await _send(url, chair, "POST", f"/sessions/{session['id']}/open")
        # An in-person session: only members recorded present may vote, so the chair records them all.
        for voter in voters:
            await _send(url, chair, "PUT", f"/sessions/{session['id']}/attendance/{voter}")
        item = await _send(
            url,
            self.tokens.headers(n, "council:1"),
            "POST",
            f"/sessions/{session['id']}/agenda-items",
            {"title": "楼道堆物清理 / Corridor clutter"},
        )
        motion = await _send(
            url,
            chair,
            "POST",
            f"/agenda-items/{item['id']}/motions",
            {"title": "同意清理楼道 / Clear the corridors", "text": "物业一周内清理"},
        )
        self.motion[n] = str(motion["id"])

    async def prepare(self, plan: list[Planned]) -> None:
        async def one(p: Planned) -> None:
            if p.kind == "sign up":
                await self._post(p.n)
                if p.n not in self.future_shift:
                    self.future_shift[p.n] = await self._shift(p.n, started=False)
                await self._volunteer(p.n, f"volunteer:{p.k}")
            elif p.kind == "confirm":
                await self._post(p.n)
                if p.n not in self.started_shift:
                    self.started_shift[p.n] = await self._shift(p.n, started=True)
                sub = await self._volunteer(p.n, f"confirmed:{p.k}")
                await _send(
                    self.stack.url("shifts"),
                    self.tokens.headers(p.n, "leader"),
                    "POST",
                    f"/shifts/{self.started_shift[p.n]}/signups",
                    {"volunteer_id": sub},
                )
            elif p.kind == "vote" and p.n not in self.motion:
                await self._council(p.n)

        # One community's fixtures one after another (its post before its shifts), communities side by side.
        by_community: dict[int, list[Planned]] = {}
        for p in plan:
            if p.kind in ("sign up", "confirm", "vote"):
                by_community.setdefault(p.n, []).append(p)
        gate = asyncio.Semaphore(8)

        async def community_fixtures(items: list[Planned]) -> None:
            async with gate:
                for p in items:
                    await one(p)

        await asyncio.gather(*(community_fixtures(items) for items in by_community.values()))

    def request(self, p: Planned) -> tuple[str, str, str, bytes | None, dict[str, str]]:
        """(service, method, path, body, headers) of a planned request."""
        t = self.tokens
        if p.kind == "issue list":
            return "intake", "GET", "/issues?limit=20", None, t.headers(p.n, "resident")
        if p.kind == "inbox":
            return "notifications", "GET", "/inbox?limit=20", None, t.headers(p.n, "resident")
        if p.kind == "statement":
            path = f"/accounts/{t.sub(p.n, 'resident')}/statement?limit=20"
            return "rewards", "GET", path, None, t.headers(p.n, "resident")
        if p.kind == "submit issue":
            return "intake", "POST", "/issues", issue_body(p.k), t.headers(p.n, "resident")
        if p.kind == "sign up":
            who = f"volunteer:{p.k}"
            body = orjson.dumps({"volunteer_id": t.sub(p.n, who)})
            return "shifts", "POST", f"/shifts/{self.future_shift[p.n]}/signups", body, t.headers(p.n, who)
        if p.kind == "confirm":
            body = orjson.dumps(
                {"participants": [{"volunteer_id": t.sub(p.n, f"confirmed:{p.k}"), "outcome": "completed"}]}
            )
            path = f"/shifts/{self.started_shift[p.n]}/confirmations"
            return "shifts", "POST", path, body, t.headers(p.n, "leader")
        voter = f"council:{p.k % VOTERS_PER_CASE}"
        body = orjson.dumps({"choice": ("for", "against", "abstain")[p.k % 3]})
        return "deliberation", "PUT", f"/motions/{self.motion[p.n]}/vote", body, t.headers(p.n, voter)


def plan(communities: int, seconds: float, seed: int) -> list[Planned]:
    """The step's requests: each kind at N x its per-community rate, evenly spaced, interleaved,
    each in a community drawn at random (a community's k-th request of a kind gets its k-th person)."""
    rng = random.Random(seed)
    out: list[Planned] = []
    counters: dict[tuple[str, int], int] = {}
    for kind, rate in per_community_rates().items():
        total = rate * communities * seconds
        count = int(total) + (1 if rng.random() < total - int(total) else 0)
        offset = rng.random()
        for i in range(count):
            n = rng.randrange(communities)
            k = counters.get((kind, n), 0)
            counters[(kind, n)] = k + 1
            out.append(Planned(due=(i + offset) * seconds / count, kind=kind, n=n, k=k))
    out.sort(key=lambda p: p.due)
    return out


async def drive(stack: BenchStack, fixtures: Fixtures, planned: list[Planned], connections: int = 64) -> dict[str, Any]:
    """Send the plan open loop; latencies (from each request's due time) and errors by kind."""
    pools: dict[str, asyncio.Queue[loadgen.Connection]] = {}
    for service in ("intake", "notifications", "rewards", "shifts", "deliberation"):
        queue: asyncio.Queue[loadgen.Connection] = asyncio.Queue()
        for _ in range(connections if service in ("intake", "notifications", "rewards") else 8):
            queue.put_nowait(loadgen.Connection(stack.url(service), {}))
        pools[service] = queue
    latencies: dict[str, list[float]] = {kind: [] for kind in per_community_rates()}
    errors: dict[str, dict[str, int]] = {}
    first_error: dict[str, str] = {}
    requests = [fixtures.request(p) for p in planned]
    start = time.perf_counter() + 0.1
    tasks: set[asyncio.Task[None]] = set()

    async def one(p: Planned, request: tuple[str, str, str, bytes | None, dict[str, str]], due: float) -> None:
        service, method, path, body, headers = request
        conn = await pools[service].get()
        try:
            answer = await conn.request(method, path, body, headers)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            await conn.close()
            errors.setdefault(p.kind, {}).setdefault(type(exc).__name__, 0)
            errors[p.kind][type(exc).__name__] += 1
            first_error.setdefault(p.kind, repr(exc)[:300])
            return
        finally:
            pools[service].put_nowait(conn)
        done = time.perf_counter()
        if 200 <= answer.status < 300:
            latencies[p.kind].append(done - due)
        else:
            errors.setdefault(p.kind, {}).setdefault(str(answer.status), 0)
            errors[p.kind][str(answer.status)] += 1
            first_error.setdefault(p.kind, answer.body[:300].decode("utf-8", "replace"))

    for p, request in zip(planned, requests, strict=True):
        due = start + p.due
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(p, request, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)
    reconnects = resent = 0
    for queue in pools.values():
        while not queue.empty():
            conn = queue.get_nowait()
            reconnects, resent = reconnects + conn.reconnects, resent + conn.resent
            await conn.close()
    reads = [x for kind in READS for x in latencies[kind]]
    writes = [x for kind, values in latencies.items() if kind not in READS for x in values]
    return {
        "reads": latency_summary(reads),
        "writes": latency_summary(writes),
        "by_kind": {kind: latency_summary(values) for kind, values in latencies.items() if values},
        "errors": errors,
        "first_error": first_error,
        "reconnects": reconnects,
        "resent": resent,
        "samples": {"reads": reads, "writes": writes},
    }


# Communities a step; the section stops at the first step that does not hold. Each step takes ~24 s
# (20 s measured, the fixtures, a 2 s warm-up, settling), so all seven stay within ~3 minutes.
STEPS = (250, 500, 1000, 1500, 2000, 3000, 4000)
QUICK_STEPS = (100, 300)


async def run(stack: BenchStack, *, args: argparse.Namespace, log: Any) -> dict[str, Any]:
    section_started = time.perf_counter()
    steps = list(QUICK_STEPS if args.quick else STEPS)
    seconds = 6.0 if args.quick else 20.0
    conn = await asyncpg.connect(stack.database_url, command_timeout=600)
    try:
        started = time.perf_counter()
        await conn.execute(CATEGORIES_AND_ISSUES, 0, max(steps), ISSUES_PER_COMMUNITY)
        await conn.execute("ANALYZE intake.issues")
        log(
            f"city: {max(steps) * ISSUES_PER_COMMUNITY:,} issues of {max(steps):,} communities loaded in {time.perf_counter() - started:.1f}s"
        )
    finally:
        await conn.close()
    tokens = Tokens(stack)
    fixtures = Fixtures(stack, tokens)
    rates = per_community_rates()
    measured: list[dict[str, Any]] = []
    held = 0
    for step, communities in enumerate(steps):
        planned = plan(communities, seconds, seed=step)
        await fixtures.prepare(planned)
        for p in planned:  # mint the tokens before the clock starts
            fixtures.request(p)
        # A short warm-up of reads (not measured): connections opened, the services' caches and tokens warm.
        warmup = [w for w in plan(communities, 2.0, seed=1000 + step) if w.kind in READS]
        await drive(stack, fixtures, warmup)
        await stack.settle()
        meter = CpuMeter(stack)
        meter.start()
        result = await drive(stack, fixtures, planned)
        cpu = meter.stop(len(planned))
        reads, writes = result["reads"], result["writes"]
        failed = sum(sum(e.values()) for e in result["errors"].values())
        ok = (
            reads["n"] > 0
            and reads["p99_ms"] <= READ_P99_MS
            and (writes["n"] == 0 or writes["p99_ms"] <= WRITE_P99_MS)
            and failed == 0
        )
        row = {
            "communities": communities,
            "requests_per_s": round(len(planned) / seconds, 1),
            "reads": reads,
            "writes": writes,
            "by_kind": result["by_kind"],
            "errors": result["errors"],
            "first_error": result["first_error"],
            "reconnects": result["reconnects"],
            "resent": result["resent"],
            "machine_busy": cpu.get("machine_busy_share"),
            "cpu_ms_per_request": cpu.get("cpu_ms_per_event_total"),
            "cpu_ms_per_request_by_part": cpu.get("cpu_ms_per_event"),
            "held": ok,
        }
        measured.append({**row, "samples": result["samples"]})
        log(
            f"city {communities:>5} communities, {row['requests_per_s']}/s: reads p99 {reads['p99_ms']} ms (n={reads['n']}), "
            f"writes p99 {writes['p99_ms']} ms (n={writes['n']}), errors {result['errors'] or 0} "
            f"(idle connections reopened {result['reconnects']}, resent {result['resent']}), "
            f"busy {row['machine_busy']}, {row['cpu_ms_per_request']} CPU ms/request: {'held' if ok else 'not held'}"
        )
        if not ok:
            break
        held = communities
    log(f"city: {held:,} communities held; the section took {time.perf_counter() - section_started:.0f}s")
    last = next((m for m in measured if m["communities"] == held), measured[0])
    return {
        "seconds": round(time.perf_counter() - section_started, 1),
        "per_community_rates_per_s": {k: round(v, 6) for k, v in rates.items()},
        "steps": [{k: v for k, v in m.items() if k != "samples"} for m in measured],
        "figure": figure(
            name="A city on one machine",
            metric=(
                f"communities held at the evening-peak mix, open loop ({seconds:.0f} s a step; read p99 <= {READ_P99_MS:.0f} ms,"
                f" write p99 <= {WRITE_P99_MS:.0f} ms). At {held:,}: {last['requests_per_s']}/s, reads p99 {last['reads']['p99_ms']} ms,"
                f" writes p99 {last['writes']['p99_ms']} ms (n={last['writes']['n']})"
            ),
            unit="communities",
            value=float(held),
            baseline=float("nan"),
            target=">= 1,000 communities",
            met=held >= 1000,
            higher_is_better=True,
            largest_step_tried=measured[-1]["communities"],
        ),
        "plots": [
            {
                "title": f"A city: read and write latency at {m['communities']:,} communities (open loop)",
                "series": {"reads": m["samples"]["reads"], "writes": m["samples"]["writes"]},
            }
            for m in measured[-2:]
        ],
    }
