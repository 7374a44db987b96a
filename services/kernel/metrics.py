"""Prometheus metrics of the kernel. Gauges that describe outside state (lag, backlog) are
collected at scrape time, so /metrics always tells the truth of that moment."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter("linli_http_requests_total", "HTTP requests answered", ["service", "method", "route", "status"])
HTTP_LATENCY = Histogram(
    "linli_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
# By event type (a few dozen, fixed by contracts/): the dashboards' matters raised and resolved
# per day and love-bank awards per hour are these counts, with no domain metric of their own.
EVENTS_PUBLISHED = Counter("linli_outbox_published_total", "Events the relay published", ["service", "event_type"])
EVENTS_CONSUMED = Counter(
    "linli_events_consumed_total", "Events a consumer handled", ["service", "consumer", "outcome"]
)
DEAD_LETTERS = Counter("linli_dead_letters_total", "Events sent to the dead-letter stream", ["service", "consumer"])
CONSUME_LATENCY = Histogram(
    "linli_event_handle_duration_seconds",
    "Time to handle one event (transaction included)",
    ["service", "consumer"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5),
)
