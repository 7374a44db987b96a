"""The three artefacts: results.json (every figure with its baseline, ratio, target, met;
machine facts; versions), RESULTS.md (the table the README embeds), latency.png."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any


def figures(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every figure record anywhere in the sections, in order."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "target" in node and "met" in node and "name" in node:
                found.append(node)
                return
            for key, value in node.items():
                if key not in ("samples", "plots"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(results.get("sections", {}))
    return found


def _strip(node: Any) -> Any:
    """results without the raw samples (they go into the plot, not the JSON)."""
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in ("samples", "plots")}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    if isinstance(node, float) and math.isnan(node):
        return None
    return node


def _plots(node: Any, out: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "plots" and isinstance(value, list):
                out.extend(value)
            else:
                _plots(value, out)
    elif isinstance(node, list):
        for value in node:
            _plots(value, out)
    return out


def _fmt(value: Any, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    text = (f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}") if isinstance(value, float) else str(value)
    return f"{text} {unit}".strip()


def markdown(results: dict[str, Any]) -> str:
    rows = figures(results)
    met = sum(1 for f in rows if f["met"] is True)
    lines = [
        "| Figure | Measure | Linli | Baseline | Ratio | Target | Met |",
        "|---|---|---:|---:|---:|---|:---:|",
    ]
    for f in rows:
        mark = {True: "yes", False: "**no**", None: "n/a"}[f["met"]]
        if f["met"] is False and f.get("reachable_here") is False:
            mark = "**no**: out of reach here (see ceiling)"
        lines.append(
            f"| {f['name']} | {f['metric']} | {_fmt(f['value'], f['unit'])} | {_fmt(f['baseline'], f['unit'])} "
            f"| {_fmt(f['ratio'])} | {f['target']} | {mark} |"
        )
    machine = results.get("machine", {})
    version = results.get("versions", {})
    opts = results.get("options", {})
    lines += [
        "",
        f"{met} of {len(rows)} targets met. Run of {results.get('started_at', '?')} in {results.get('seconds', '?')} s"
        f"{' (--quick)' if opts.get('quick') else ''}; {machine.get('usable_cpus', '?')} CPUs ({machine.get('cpu', '?')}),"
        f" {machine.get('memory_gb', '?')} GB, load average at start {machine.get('load_average_at_start', '?')};"
        f" {version.get('postgresql', '?')}, {version.get('nats-server', '?')}, Python {machine.get('python', '?')}.",
    ]
    if results.get("merged_from"):
        lines.append(
            f"Sections this run did not measure ({', '.join(opts.get('sections', []))} only) are from the run of {results['merged_from']}."
        )
    skipped = results.get("skipped") or {}
    for name, why in skipped.items():
        lines.append(f"Not measured: {name}: {why}")
    for name, error in (results.get("errors") or {}).items():
        lines.append(f"Failed: {name}: {error.strip().splitlines()[-1] if error.strip() else '?'}")
    return "\n".join(lines) + "\n"


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    plots = _plots(results.get("sections", {}), [])
    if not plots:
        plots = [{"title": "no latency samples in this run", "series": {}}]
    cols = 2
    rows = math.ceil(len(plots) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(12, 4 * rows), squeeze=False)
    for ax, spec in zip(axes.flat, plots, strict=False):
        kind = spec.get("kind", "cdf")
        if kind == "cdf":
            for label, samples in spec["series"].items():
                if not samples:
                    continue
                ordered = sorted(s * 1000 for s in samples)
                n = len(ordered)
                ax.plot(ordered, [(i + 1) / n for i in range(n)], label=f"{label} (n={n})")
            ax.set_xscale("log")
            # Labels at 1-2-5 steps (0.2, 0.5, 1, 2 ... ms): a label on every minor tick overlaps below 1 ms.
            ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
            ax.xaxis.set_minor_formatter(NullFormatter())
            ax.set_xlabel("latency (ms, log)")
            ax.set_ylabel("fraction of requests")
            ax.axhline(0.99, color="grey", lw=0.5, ls="--")
            ax.axhline(0.5, color="grey", lw=0.5, ls=":")
        elif kind == "lines":
            for label, points in spec["series"].items():
                xs = [p[0] for p in points]
                ys = [p[1] for p in points]
                ax.plot(xs, ys, marker="o", label=label)
            ax.set_xscale("log")
            ax.set_xlabel(spec.get("xlabel", ""))
            ax.set_ylabel(spec.get("ylabel", ""))
        ax.set_title(spec["title"], fontsize=10)
        if spec["series"]:
            ax.legend(fontsize=8)
        ax.grid(True, which="both", lw=0.3)
    for ax in list(axes.flat)[len(plots) :]:
        ax.axis("off")
    fig.suptitle("Linli benchmark: latency distributions (each next to its baseline)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write(results: dict[str, Any], out_dir: Path, *, plot_latency: bool = True) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    clean = _strip(results)
    clean["figures"] = figures(clean)
    clean["summary"] = {
        "targets": len(clean["figures"]),
        "met": sum(1 for f in clean["figures"] if f["met"] is True),
        "missed": [f["name"] for f in clean["figures"] if f["met"] is False],
    }
    (out_dir / "results.json").write_text(json.dumps(clean, indent=2, ensure_ascii=False, default=str) + "\n")
    (out_dir / "RESULTS.md").write_text(markdown(results))
    if plot_latency:
        plot(results, out_dir / "latency.png")
