"""OpenTelemetry set-up and the W3C trace context that rides in envelopes and NATS headers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

_configured = False
_recording = False
_tracer: trace.Tracer | None = None


def configure_tracing(service: str, otlp_endpoint: str | None) -> None:
    """Install a tracer provider once per process; export over OTLP/HTTP when an endpoint is set."""
    global _configured, _recording
    if _configured:
        return
    # Without an exporter no one reads a recorded span: spans then still carry valid trace and
    # span ids (into envelopes, NATS headers and logs) but record nothing, which is most of their cost.
    sampler = None if otlp_endpoint else ALWAYS_OFF
    provider = TracerProvider(resource=Resource.create({"service.name": f"linli-{service}"}), sampler=sampler)
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{otlp_endpoint}/v1/traces")))
    trace.set_tracer_provider(provider)
    _recording = bool(otlp_endpoint)
    _configured = True


@contextmanager
def spans_recorded_by(provider: TracerProvider) -> Iterator[None]:
    """Record every span started inside the block with `provider`, then restore what was set.

    OpenTelemetry lets a process set its global provider once; a test that reads the spans of
    services running in its own process (an in-memory exporter) swaps the kernel's tracer instead."""
    global _configured, _recording, _tracer
    before = _configured, _recording, _tracer
    _configured, _recording, _tracer = True, True, provider.get_tracer("linli")
    try:
        yield
    finally:
        _configured, _recording, _tracer = before


def recording() -> bool:
    """Whether spans are recorded and exported (an OTLP endpoint is configured)."""
    return _recording


def tracer() -> trace.Tracer:
    """The process's tracer, made once (get_tracer builds a new one on every call)."""
    global _tracer
    if _tracer is None:
        _tracer = trace.get_tracer("linli")
    return _tracer


def current_traceparent() -> str | None:
    """The traceparent of the active span, to be stored with an event.

    Written as the W3C trace-context propagator writes it (version 00), without going through the
    propagators: every event of every request asks, and `propagate.inject` walks the composite
    propagator and the baggage for a header only this one field is kept of."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"


def context_from(traceparent: str | None) -> Context | None:
    """The context a consumer or relay continues, from a stored or received traceparent."""
    if not traceparent:
        return None
    return propagate.extract({"traceparent": traceparent})


def current_ids() -> tuple[str | None, str | None]:
    """(trace id, span id) of the active span, hex, for log lines."""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None, None
    return format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")
