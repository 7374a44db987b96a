"""The traceparent stored with an event is the one the W3C trace-context propagator would send."""

from __future__ import annotations

from opentelemetry import propagate
from opentelemetry.sdk.trace import TracerProvider

from services.kernel.tracing import current_traceparent, spans_recorded_by, tracer


def test_outside_any_span_there_is_no_traceparent() -> None:
    assert current_traceparent() is None


def test_inside_a_span_the_traceparent_is_the_propagators() -> None:
    with spans_recorded_by(TracerProvider()), tracer().start_as_current_span("POST /issues"):
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        stored = current_traceparent()

    assert stored == carrier["traceparent"]


def test_a_continued_trace_keeps_its_trace_id() -> None:
    remote = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    with (
        spans_recorded_by(TracerProvider()),
        tracer().start_as_current_span("consume", context=propagate.extract({"traceparent": remote})),
    ):
        stored = current_traceparent()

    assert stored is not None
    assert stored.split("-")[1] == "4bf92f3577b34da6a3ce929d0e0e4736"
