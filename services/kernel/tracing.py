"""OpenTelemetry set-up and the W3C trace context that rides in envelopes and NATS headers."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from opentelemetry import context as otel_context
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


@contextmanager
def span(
    name: str, *, kind: trace.SpanKind, context: Context | None = None, links: Sequence[trace.Link] = ()
) -> Iterator[trace.Span]:
    """The active span for the block: a child of `context` (or of the active span), as the tracer would start it.

    Unrecorded (no exporter), a span is only its ids: the trace it continues and a new span id,
    which events, NATS headers and log lines carry on. The SDK builds even that through the
    sampler, a sampling result and two nested context managers, about 25 us of every request
    and every consumed event (profiled for issue 19), so it is made here directly, as the SDK
    would make it under its ALWAYS_OFF sampler: the parent's trace id and trace state, a random
    span id, not sampled."""
    if _recording:
        with tracer().start_as_current_span(name, context=context, kind=kind, links=links) as recorded:
            yield recorded
        return
    parent = trace.get_current_span(context).get_span_context()
    unrecorded = trace.NonRecordingSpan(
        trace.SpanContext(
            parent.trace_id if parent.is_valid else _random_id(128),
            _random_id(64),
            is_remote=False,
            trace_flags=trace.TraceFlags(trace.TraceFlags.DEFAULT),
            trace_state=parent.trace_state if parent.is_valid else None,
        )
    )
    token = otel_context.attach(trace.set_span_in_context(unrecorded, context))
    try:
        yield unrecorded
    finally:
        otel_context.detach(token)


def _random_id(bits: int) -> int:
    """A non-zero id of `bits` bits, from the generator the SDK's RandomIdGenerator uses."""
    while not (value := random.getrandbits(bits)):
        pass
    return value


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
