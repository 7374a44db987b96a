"""Reading JetStream from outside the services: what a stream holds, and how often a consumer delivered."""

from __future__ import annotations

import contextlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

import orjson
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from tests.chaos import waiting

# A consumer created just after a cluster node died may have no leader yet, and its pull requests get
# 503 (no responders) until it has one: a read waits up to this long for its consumer's leader.
SETTLE_SECONDS = 30.0


@dataclass(frozen=True)
class Stored:
    seq: int
    subject: str
    headers: dict[str, str]
    data: bytes

    def json(self) -> dict[str, Any]:
        try:
            value = orjson.loads(self.data)
        except orjson.JSONDecodeError:
            return {}
        return value if isinstance(value, dict) else {}


async def read_stream(js: JetStreamContext, stream: str, subject: str) -> list[Stored]:
    """Every message of `stream` on `subject`, oldest first (an ephemeral consumer, no acks)."""
    try:
        info = await js.stream_info(stream, subjects_filter=subject)
    except NotFoundError:
        return []
    expected = sum((info.state.subjects or {}).values())
    if expected == 0:
        return []
    config = ConsumerConfig(
        deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, inactive_threshold=30.0, max_ack_pending=-1
    )
    sub = await js.pull_subscribe(subject, durable=None, stream=stream, config=config)
    out: list[Stored] = []
    try:
        if await waiting.until(lambda: _has_leader(sub), SETTLE_SECONDS) is None:
            raise TimeoutError(f"{stream}: the reading consumer had no leader after {SETTLE_SECONDS:.0f} s")
        while len(out) < expected:
            try:
                batch = await sub.fetch(512, timeout=2)
            except NatsTimeout:
                break
            for msg in batch:
                out.append(Stored(int(msg.metadata.sequence.stream), msg.subject, dict(msg.headers or {}), msg.data))
    finally:
        with contextlib.suppress(Exception):
            await sub.unsubscribe()
    return out


async def _has_leader(sub: Any) -> bool:
    cluster = (await sub.consumer_info()).cluster
    return cluster is None or cluster.leader is not None


async def event_ids(js: JetStreamContext, stream: str, subject: str) -> Counter[str]:
    """How many times each CloudEvent id is stored on a subject (1 each when nothing is doubled)."""
    return Counter(str(m.json().get("id")) for m in await read_stream(js, stream, subject))


async def stored_count(js: JetStreamContext, stream: str, subject: str) -> int:
    try:
        info = await js.stream_info(stream, subjects_filter=subject)
    except NotFoundError:
        return 0
    return sum((info.state.subjects or {}).values())


@dataclass(frozen=True)
class Deliveries:
    """A durable consumer's delivery count versus the distinct messages it was given.

    `delivered.consumer_seq` grows by one for every delivery, redeliveries included, while
    `delivered.stream_seq` is the highest stream message delivered; once everything is acked,
    deliveries minus the matching messages is the number of redeliveries."""

    deliveries: int
    messages: int
    pending: int
    ack_pending: int

    @property
    def redeliveries(self) -> int:
        return max(self.deliveries - self.messages, 0)


async def deliveries(js: JetStreamContext, stream: str, durable: str) -> Deliveries:
    info = await js.consumer_info(stream, durable)
    subject = info.config.filter_subject or ">"
    return Deliveries(
        deliveries=int(info.delivered.consumer_seq or 0),
        messages=await stored_count(js, stream, subject),
        pending=int(info.num_pending or 0),
        ack_pending=int(info.num_ack_pending or 0),
    )
