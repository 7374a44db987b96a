"""Streams and durable consumers, declared from this one place.

Every service applies the stream definitions at start-up (idempotent create-or-update),
then creates the durable consumers it owns with explicit settings. FastStream
subscribers only bind to these consumers; they never declare anything themselves.
`linli nats apply` does the same for operators.
"""

from __future__ import annotations

from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import BadRequestError, NotFoundError

from contracts.catalogue import EMITTERS, emitter_of
from contracts.envelope import subject_filter

DLQ_STREAM = "LINLI_DLQ"
DLQ_PREFIX = "dlq"
DAY = 24 * 3600.0


def dlq_subject(service: str, consumer: str) -> str:
    return f"{DLQ_PREFIX}.{service}.{consumer}"


def stream_configs(*, replicas: int = 1, duplicate_window: float = 120.0) -> list[StreamConfig]:
    """One file-backed stream per emitting service, and the dead-letter stream."""
    configs = [
        StreamConfig(
            name=emitter.stream,
            description=f"Events emitted by the {emitter.service} service",
            subjects=[f"linli.*.{entity}.>" for entity in emitter.entities],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            discard=DiscardPolicy.OLD,
            max_age=365 * DAY,
            duplicate_window=duplicate_window,
            num_replicas=replicas,
            allow_direct=True,
        )
        for emitter in EMITTERS
    ]
    configs.append(
        StreamConfig(
            name=DLQ_STREAM,
            description="Events a consumer could not handle after its tries; replay with `linli dlq replay`",
            subjects=[f"{DLQ_PREFIX}.>"],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            max_age=90 * DAY,
            duplicate_window=duplicate_window,
            num_replicas=replicas,
            allow_direct=True,
        )
    )
    return configs


async def ensure_streams(js: JetStreamContext, *, replicas: int = 1, duplicate_window: float = 120.0) -> None:
    for config in stream_configs(replicas=replicas, duplicate_window=duplicate_window):
        try:
            await js.stream_info(config.name or "")
        except NotFoundError:
            try:
                await js.add_stream(config=config)
                continue
            except BadRequestError:  # created meanwhile by another service
                pass
        await js.update_stream(config=config)


@dataclass(frozen=True)
class ConsumerSpec:
    """A durable consumer of one event type, owned by one service for one purpose."""

    service: str
    event_name: str  # e.g. issue.referred

    @property
    def durable(self) -> str:
        return f"{self.service}__{self.event_name.replace('.', '_')}"

    @property
    def stream(self) -> str:
        return emitter_of(self.event_name).stream

    @property
    def filter_subject(self) -> str:
        return subject_filter(self.event_name)


async def ensure_consumer(js: JetStreamContext, spec: ConsumerSpec, *, ack_wait: float, max_ack_pending: int) -> None:
    """Create or update the durable consumer with the settings chosen here.

    max_deliver is unlimited on the server: the kernel itself counts tries of a poison
    message and dead-letters it, while a message that failed only because the database
    was away is retried for as long as it takes.
    """
    config = ConsumerConfig(
        name=spec.durable,
        durable_name=spec.durable,
        description=f"{spec.service} handles {spec.event_name}",
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=ack_wait,
        max_deliver=-1,
        max_ack_pending=max_ack_pending,
        filter_subject=spec.filter_subject,
    )
    # Since NATS 2.10 a create with the same name updates the settings the server allows.
    await js.add_consumer(spec.stream, config=config)


async def consumer_lag(js: JetStreamContext, spec: ConsumerSpec) -> tuple[int, int]:
    """(messages not yet delivered, delivered but not acknowledged)."""
    info = await js.consumer_info(spec.stream, spec.durable)
    return int(info.num_pending or 0), int(info.num_ack_pending or 0)
