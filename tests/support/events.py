"""The one way tests read what a service really published: the CloudEvents in its JetStream stream."""

from __future__ import annotations

from typing import Any

import orjson
from nats.js import JetStreamContext

from tests.support.infra import jetstream


async def published_in(js: JetStreamContext, stream: str, subject: str | None = None) -> list[dict[str, Any]]:
    """Every CloudEvent in `stream` (on `subject`, if given), in stream order; none if the stream is missing."""
    try:
        info = await js.stream_info(stream)
    except Exception:
        return []
    events = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        msg = await js.get_msg(stream, seq)
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
