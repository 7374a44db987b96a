"""The dead-letter stream, for operators: list what failed and replay it after a fix.

Replay republishes the original CloudEvent, unchanged, to its original subject. Its
Nats-Msg-Id is new (`<event id>:replay:<dlq seq>`) so JetStream's duplicate window does
not drop it, while consumers that already handled the event skip it by its event id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nats.js import JetStreamContext
from nats.js.api import RawStreamMsg
from nats.js.errors import NotFoundError

from services.kernel.topology import DLQ_PREFIX, DLQ_STREAM


@dataclass(frozen=True)
class DeadLetter:
    seq: int
    subject: str
    original_subject: str
    consumer: str
    tries: int
    error: str
    event_id: str | None
    time: datetime | None
    data: bytes
    headers: dict[str, str]


async def list_dead_letters(js: JetStreamContext, service: str | None = None, limit: int = 1000) -> list[DeadLetter]:
    info = await js.stream_info(DLQ_STREAM)
    first, last = int(info.state.first_seq), int(info.state.last_seq)
    wanted = f"{DLQ_PREFIX}.{service}." if service else f"{DLQ_PREFIX}."
    out: list[DeadLetter] = []
    seq = first
    while seq <= last and len(out) < limit and info.state.messages:
        try:
            msg = await js.get_msg(DLQ_STREAM, seq=seq, subject=f"{wanted}>", next=True)
        except NotFoundError:
            break
        if msg.seq is None:
            break
        seq = int(msg.seq) + 1
        out.append(_to_dead_letter(msg))
    return out


def _to_dead_letter(msg: RawStreamMsg) -> DeadLetter:
    headers: dict[str, str] = dict(msg.headers or {})
    original_id = headers.get("Linli-Event-Id") or headers.get("Linli-Original-Nats-Msg-Id")
    return DeadLetter(
        seq=int(msg.seq or 0),
        subject=msg.subject or "",
        original_subject=headers.get("Linli-Original-Subject", ""),
        consumer=headers.get("Linli-Consumer", ""),
        tries=int(headers.get("Linli-Tries", "0")),
        error=headers.get("Linli-Error", ""),
        event_id=original_id,
        time=msg.time,
        data=bytes(msg.data or b""),
        headers=headers,
    )


async def replay(js: JetStreamContext, seq: int) -> DeadLetter:
    """Publish dead letter `seq` to its original subject again, then remove it from the DLQ."""
    msg = await js.get_msg(DLQ_STREAM, seq=seq)
    letter = _to_dead_letter(msg)
    if not letter.original_subject:
        raise ValueError(f"dead letter {seq} does not name its original subject")
    headers = {"Nats-Msg-Id": f"{letter.event_id or 'unknown'}:replay:{seq}", "Linli-Replayed-From": str(seq)}
    if "Linli-Original-traceparent" in letter.headers:
        headers["traceparent"] = letter.headers["Linli-Original-traceparent"]
    await js.publish(letter.original_subject, letter.data, headers=headers)
    await js.delete_msg(DLQ_STREAM, seq)
    return letter


async def dead_letter_count(js: JetStreamContext, service: str) -> int:
    try:
        info = await js.stream_info(DLQ_STREAM, subjects_filter=f"{DLQ_PREFIX}.{service}.>")
    except NotFoundError:
        return 0
    return sum((info.state.subjects or {}).values())
