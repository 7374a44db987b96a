"""Payloads shared by a figure and its baseline, so both move the same bytes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig

from contracts.envelope import CloudEvent
from contracts.events.issue import IssueSubmitted
from contracts.events.shifts import ParticipationCompleted

COMMUNITY = "meihu"
BENCH_STREAM = "BENCH"


def issue_submitted(i: int) -> CloudEvent[IssueSubmitted]:
    data = IssueSubmitted(
        issue_id=uuid.uuid4(),
        category="repairs",
        title=f"3栋2单元楼道灯不亮 / corridor light out #{i}",
        status="submitted",
        channel="app",
        reporter_id="sun-hao",
        submitted_at=datetime.now(UTC),
    )
    return CloudEvent.wrap(data, community=COMMUNITY, service="intake", subject=str(data.issue_id))


def participation_completed(i: int, volunteers: list[str], day_offset: int = 0) -> CloudEvent[ParticipationCompleted]:
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1, days=day_offset)
    data = ParticipationCompleted(
        participation_id=uuid.uuid4(),
        shift_id=uuid.uuid4(),
        volunteer_id=volunteers[i % len(volunteers)],
        post_type="patrol",
        building_group=(i % 6) + 1,
        hours=2.0,
        started_at=end - timedelta(hours=2),
        ended_at=end,
        confirmed_by="liu-yang",
        confirmed_at=end,
    )
    return CloudEvent.wrap(data, community=COMMUNITY, service="shifts", subject=str(data.participation_id))


async def ensure_bench_stream(js: JetStreamContext) -> None:
    """A stream of its own for the publish figures, configured like the services' streams
    (file storage, 120 s duplicate window), so no service consumes what the benchmark publishes."""
    config = StreamConfig(
        name=BENCH_STREAM,
        subjects=["bench.>"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        duplicate_window=120.0,
        num_replicas=1,
    )
    try:
        await js.add_stream(config=config)
    except Exception:
        await js.update_stream(config=config)


def variants(
    template: CloudEvent,  # type: ignore[type-arg]
    n: int,
    vary: Callable[[int, dict[str, Any]], None],
    *,
    offset: int = 0,
) -> list[tuple[str, bytes, str]]:
    """n copies of a validated event as (subject, JSON, id), each with a fresh id and `vary(offset + i, data)`
    applied: building 50,000 pydantic envelopes would take longer than publishing them."""
    base = template.model_dump(mode="json")
    out = []
    for i in range(n):
        event_id = str(uuid.uuid4())
        data = dict(base["data"])
        vary(offset + i, data)
        out.append((template.nats_subject, orjson.dumps({**base, "id": event_id, "data": data}), event_id))
    return out


async def publish_backlog(js: JetStreamContext, messages: list[tuple[str, bytes, str]]) -> None:
    """Publish a backlog fast (publish_async, acks awaited at the end)."""
    for subject, payload, event_id in messages:
        await js.publish_async(subject, payload, headers={"Nats-Msg-Id": event_id})
    await js.publish_async_completed()
