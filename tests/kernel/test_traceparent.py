"""The traceparent stored with an event is the one the W3C trace-context propagator would send."""

from __future__ import annotations

from opentelemetry import propagate
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.kernel.tracing import current_traceparent, span, spans_recorded_by, tracer


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


REMOTE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def _ids(traceparent: str | None) -> tuple[str, str]:
    assert traceparent is not None
    _, trace_id, span_id, _ = traceparent.split("-")
    return trace_id, span_id


def test_an_unrecorded_span_continues_the_callers_trace_with_a_span_id_of_its_own() -> None:
    with span("consume", kind=SpanKind.CONSUMER, context=propagate.extract({"traceparent": REMOTE})):
        trace_id, span_id = _ids(current_traceparent())

    assert trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert span_id not in ("00f067aa0ba902b7", "0" * 16)


def test_an_unrecorded_span_inside_another_is_in_its_trace_and_the_outer_one_is_back_after() -> None:
    with span("POST /issues", kind=SpanKind.SERVER):
        outer = _ids(current_traceparent())
        with span("publish", kind=SpanKind.PRODUCER):
            inner = _ids(current_traceparent())
        after = _ids(current_traceparent())

    assert inner[0] == outer[0]
    assert inner[1] != outer[1]
    assert after == outer
    assert current_traceparent() is None


def test_a_recorded_span_is_the_tracers_and_is_exported() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))

    with spans_recorded_by(provider), span("POST /issues", kind=SpanKind.SERVER) as current:
        current.set_attribute("http.response.status_code", 201)

    assert [(s.name, s.attributes) for s in exporter.get_finished_spans()] == [
        ("POST /issues", {"http.response.status_code": 201})
    ]
