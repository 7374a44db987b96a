"""`python -m bench [--quick] [--only kernel,http,e2e,growth,consume,city,start,web] [--merge] [--commit]`: run, then
write the artefacts: to a run folder of its own (bench/runs/<time>/, not tracked) unless `--commit` asks to
refresh the committed bench/RESULTS.md, results.json and latency.png (`make bench-commit`)."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from bench import report
from bench.machine import machine_facts, versions

HERE = Path(__file__).resolve().parent
SECTIONS = ("kernel", "http", "e2e", "growth", "consume", "city", "start", "web")
RUNS = HERE / "runs"


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small counts and short runs (a smoke run, ~2 min)")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}")
    parser.add_argument("--events", type=int, default=None, help="backlog for the consume paths (default 50000)")
    parser.add_argument("--publish-events", type=int, default=None, help="events for the publish path (default 20000)")
    parser.add_argument("--duration", type=float, default=None, help="seconds per HTTP measurement round (default 8)")
    parser.add_argument(
        "--growth-sizes", default=None, help="row counts for the growth figures (default 10000,100000,1000000)"
    )
    parser.add_argument(
        "--drain-window", type=float, default=None, help="seconds a service's drain is sampled for (default 45)"
    )
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--out", type=Path, default=None, help="where the artefacts go (default: a new bench/runs/<time>/)"
    )
    parser.add_argument(
        "--commit",
        action="store_true",
        help="refresh the committed bench/RESULTS.md, results.json and latency.png (make bench-commit)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each consume path; the median is the figure")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the sections of the existing results.json this run does not measure (latency.png is left as it is)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the run directory (logs of every process)")
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = HERE if args.commit else RUNS / time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    quick = args.quick
    args.events = args.events or (5_000 if quick else 30_000)
    args.publish_events = args.publish_events or (5_000 if quick else 20_000)
    args.duration = args.duration or (3.0 if quick else 8.0)
    args.drain_window = args.drain_window or (15.0 if quick else 45.0)
    sizes = args.growth_sizes or ("1000,10000" if quick else "10000,100000,1000000")
    args.growth_sizes = [int(s) for s in sizes.split(",")]
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(args.only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {sorted(unknown)}")
    return args


async def main(args: argparse.Namespace) -> dict[str, Any]:
    from bench import kernel_paths, stack_paths

    started = time.time()
    base = Path(tempfile.mkdtemp(prefix="linli-bench-"))
    results: dict[str, Any] = {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "options": {
            "quick": args.quick,
            "sections": args.only,
            "consume_events": args.events,
            "publish_events": args.publish_events,
            "http_seconds_per_round": args.duration,
            "concurrency": args.concurrency,
            "drain_window_seconds": args.drain_window,
            "growth_sizes": args.growth_sizes,
            "rounds": args.rounds,
        },
        "machine": machine_facts(),
        "versions": versions(),
        "sections": {},
        "errors": {},
    }
    _log(f"run directory {base}")
    try:
        if "kernel" in args.only:
            try:
                results["sections"]["kernel"] = await kernel_paths.run(
                    base / "kernel",
                    publish_events=args.publish_events,
                    consume_events=args.events,
                    window=args.drain_window,
                    log=_log,
                    rounds=args.rounds,
                )
            except Exception as exc:
                results["errors"]["kernel"] = "".join(traceback.format_exception(exc))
                _log(f"kernel phase failed: {exc!r}")
        args.kernel_results = results["sections"].get("kernel")
        stack_sections = [s for s in args.only if s not in ("kernel", "web")]
        if stack_sections:
            try:
                stack_results = await stack_paths.run(base / "stack", args=args, sections=stack_sections, log=_log)
                for name, error in stack_results.pop("errors", {}).items():
                    results["errors"][name] = error
                results["skipped"] = stack_results.pop("skipped", {})
                results["sections"].update(stack_results)
            except Exception as exc:
                results["errors"]["stack"] = "".join(traceback.format_exception(exc))
                _log(f"stack phase failed: {exc!r}")
        if "web" in args.only:
            # Its own phase: the app served as `make run` serves it, against a fresh stack, in Chromium.
            from bench import web_budget

            try:
                results["sections"]["web"] = await web_budget.run(base / "web", quick=args.quick, log=_log)
            except Exception as exc:
                results["errors"]["web"] = "".join(traceback.format_exception(exc))
                _log(f"web phase failed: {exc!r}")
    finally:
        results["seconds"] = round(time.time() - started, 1)
        if args.keep:
            _log(f"logs kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    return results


def run(argv: list[str]) -> int:
    args = parse(argv)
    results = asyncio.run(main(args))
    previous = args.out / "results.json"
    if not previous.exists():
        previous = HERE / "results.json"  # a run folder merges with the committed figures
    if args.merge and previous.exists():
        earlier = json.loads(previous.read_text())
        results["sections"] = {**earlier.get("sections", {}), **results["sections"]}
        results["merged_from"] = earlier.get("started_at")
    report.write(results, args.out, plot_latency=not args.merge)
    _log(f"done in {results['seconds']}s: {args.out / 'results.json'}, RESULTS.md, latency.png")
    print(report.markdown(results))
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
