"""Reading what the shifts service really published to JetStream."""

from __future__ import annotations

from typing import Any

import orjson
from nats.js import JetStreamContext

STREAM = "LINLI_SHIFTS"


async def published(js: JetStreamContext, subject: str) -> list[dict[str, Any]]:
    """Every CloudEvent in the shifts stream on `subject`, in stream order."""
    info = await js.stream_info(STREAM)
    events = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        msg = await js.get_msg(STREAM, seq)
        if msg.subject == subject and msg.data:
            events.append(orjson.loads(msg.data))
    return events
