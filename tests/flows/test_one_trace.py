"""One trace from a resident's request to the notification it causes, across two real services.

POST /issues (intake's HTTP span) -> the outbox row keeps its traceparent -> intake's relay
publishes (a producer span, child of the request) -> NATS headers -> notifications consumes
(a consumer span, child of the publish) -> the inbox message's notification.delivered is
published by notifications' relay (child of the consume). Spans are read from an in-memory
exporter; the services run in this process, so the kernel's tracer is swapped for the test's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.intake.bootstrap import create as create_intake
from services.intake.settings import IntakeSettings
from services.kernel.tracing import spans_recorded_by
from services.notifications.bootstrap import create as create_notifications
from services.notifications.settings import NotificationSettings
from tests.support.infra import Tokens, eventually, running, settings_for


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with spans_recorded_by(provider):
        yield exporter


@pytest.fixture
async def services(
    database_url: str, nats_url: str, run_dir: Path, exporter: InMemorySpanExporter
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    async with AsyncExitStack() as apps:
        intake = await apps.enter_async_context(
            running(create_intake(settings_for(database_url, nats_url, run_dir, kind=IntakeSettings)))
        )
        notifications = await apps.enter_async_context(
            running(create_notifications(settings_for(database_url, nats_url, run_dir, kind=NotificationSettings)))
        )
        yield intake, notifications


async def test_a_request_and_the_notification_it_causes_share_one_trace_with_parent_links(
    services: tuple[httpx.AsyncClient, httpx.AsyncClient], exporter: InMemorySpanExporter, tokens: Tokens
) -> None:
    intake, _ = services

    response = await intake.post(
        "/issues",
        json={"category": "sanitation", "title": "3栋门口垃圾堆放", "description": "垃圾已经三天没有清运。"},
        headers=tokens.headers("wang-fang", "resident", building_group=3),
    )
    assert response.status_code == 201, response.text

    async def finished() -> list[ReadableSpan]:
        spans = list(exporter.get_finished_spans())
        delivered = [s for s in spans if s.kind is SpanKind.PRODUCER and "notification.delivered" in s.name]
        return spans if delivered else []

    spans = await eventually(finished, message="notifications published notification.delivered")
    request = one(spans, SpanKind.SERVER, "POST /issues")
    publish = one(spans, SpanKind.PRODUCER, "issue.submitted")
    consume = one(spans, SpanKind.CONSUMER, "issue.submitted", durable="notifications")
    delivered = one(spans, SpanKind.PRODUCER, "notification.delivered")

    assert {s.context.trace_id for s in (request, publish, consume, delivered)} == {request.context.trace_id}
    assert parent_of(publish) == request.context.span_id
    assert parent_of(consume) == publish.context.span_id
    assert parent_of(delivered) == consume.context.span_id


def one(spans: list[ReadableSpan], kind: SpanKind, name_part: str, durable: str = "") -> ReadableSpan:
    """The first span of `kind` whose name holds `name_part` (of the consumer group starting `durable`)."""
    found = [
        s
        for s in spans
        if s.kind is kind
        and name_part in s.name
        and str((s.attributes or {}).get("messaging.consumer.group.name", "")).startswith(durable)
    ]
    assert found, f"no {kind.name} span for {name_part}: {[s.name for s in spans]}"
    return found[0]


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent else None
