"""The one way tests read what a service really published: the CloudEvents in its JetStream stream."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from nats.js import JetStreamContext
from nats.js.api import PubAck
from nats.js.errors import NotFoundError

from contracts.envelope import CloudEvent
from services.kernel.topology import ConsumerSpec
from tests.support.infra import jetstream


async def published_in(js: JetStreamContext, stream: str, subject: str | None = None) -> list[dict[str, Any]]:
    """Every CloudEvent in `stream` (on `subject`, if given), in stream order; none if the stream is missing."""
    try:
        info = await js.stream_info(stream)
    except Exception:
        return []
    events: list[dict[str, Any]] = []
    if info.state.messages == 0:  # an empty stream's first_seq is 0, which get_msg refuses
        return events
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            msg = await js.get_msg(stream, seq)
        except NotFoundError:  # a message deleted inside the range (a replayed dead letter)
            continue
        if msg.data and (subject is None or msg.subject == subject):
            events.append(orjson.loads(msg.data))
    return events


async def published(nats_url: str, stream: str, subject: str | None = None) -> list[dict[str, Any]]:
    """`published_in` on a connection of its own."""
    async with jetstream(nats_url) as js:
        return await published_in(js, stream, subject)


def stream_of(service: str) -> str:
    """The stream a service publishes to (`LINLI_INTAKE`...)."""
    return f"LINLI_{service.upper()}"


async def publish(js: JetStreamContext, event: CloudEvent[Any], msg_id: str | None = None) -> PubAck:
    """Publish an event as its emitter's relay would; a different msg_id gets past JetStream's duplicate window
    (the way to send the same event twice)."""
    ack: PubAck = await js.publish(
        event.nats_subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": msg_id or str(event.id)}
    )
    return ack


async def drained(js: JetStreamContext, service: str, event_names: Iterable[str]) -> bool:
    """True once each of the service's durable consumers of these events has nothing pending or unacknowledged."""
    for name in event_names:
        spec = ConsumerSpec(service, name)
        info = await js.consumer_info(spec.stream, spec.durable)
        if info.num_pending or info.num_ack_pending:
            return False
    return True
