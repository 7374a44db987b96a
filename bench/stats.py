"""Percentiles and the shape every figure is reported in."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of `values`; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def latency_summary(seconds: Sequence[float]) -> dict[str, Any]:
    """p50/p90/p99/max in milliseconds, and the sample count."""
    return {
        "n": len(seconds),
        "p50_ms": round(percentile(seconds, 50) * 1000, 3),
        "p90_ms": round(percentile(seconds, 90) * 1000, 3),
        "p99_ms": round(percentile(seconds, 99) * 1000, 3),
        "max_ms": round(max(seconds) * 1000, 3) if seconds else math.nan,
    }


def ratio(value: float, baseline: float) -> float:
    if not baseline or math.isnan(baseline) or math.isnan(value):
        return math.nan
    return round(value / baseline, 3)


def figure(
    *,
    name: str,
    metric: str,
    unit: str,
    value: float,
    baseline: float,
    target: str,
    met: bool | None,
    higher_is_better: bool,
    **details: Any,
) -> dict[str, Any]:
    """One line of the results table: the figure, its baseline, their ratio, the target, met or not."""
    return {
        "name": name,
        "metric": metric,
        "unit": unit,
        "value": round(value, 3) if isinstance(value, float) and not math.isnan(value) else value,
        "baseline": round(baseline, 3) if isinstance(baseline, float) and not math.isnan(baseline) else baseline,
        "ratio": ratio(value, baseline),
        "target": target,
        "met": met,
        "higher_is_better": higher_is_better,
        **details,
    }
