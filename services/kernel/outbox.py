"""The transactional outbox: events are rows written in the same transaction as the change
they report; the relay (relay.py) publishes them to JetStream afterwards."""

from __future__ import annotations

import uuid
from datetime import datetime

from contracts.envelope import CloudEvent, EventData
from services.kernel.db import Connection
from services.kernel.tracing import current_traceparent

_INSERT = """
INSERT INTO outbox (id, subject, event_type, community, payload, traceparent)
VALUES ($1, $2, $3, $4, $5, $6)
"""


class Outbox:
    """Writes a service's events into its outbox table. Call inside the caller's transaction."""

    def __init__(self, service: str) -> None:
        self.service = service

    def envelope(
        self,
        data: EventData,
        *,
        community: str,
        subject: str | uuid.UUID,
        event_id: uuid.UUID | None = None,
        time: datetime | None = None,
    ) -> CloudEvent[EventData]:
        return CloudEvent.wrap(
            data,
            community=community,
            service=self.service,
            subject=str(subject),
            traceparent=current_traceparent(),
            event_id=event_id,
            time=time,
        )

    async def emit(
        self,
        conn: Connection,
        data: EventData,
        *,
        community: str,
        subject: str | uuid.UUID,
        event_id: uuid.UUID | None = None,
    ) -> CloudEvent[EventData]:
        """Record one event; it is published only if the surrounding transaction commits."""
        if not conn.is_in_transaction():
            raise RuntimeError("Outbox.emit must run inside the transaction that makes the change")
        event = self.envelope(data, community=community, subject=subject, event_id=event_id)
        await conn.execute(
            _INSERT,
            event.id,
            event.nats_subject,
            event.type,
            event.community,
            event.model_dump_json().encode(),
            event.traceparent,
        )
        return event

    async def emit_many(
        self, conn: Connection, items: list[tuple[EventData, str, str | uuid.UUID]]
    ) -> list[CloudEvent[EventData]]:
        """Record several events (data, community, subject) with one round trip."""
        if not conn.is_in_transaction():
            raise RuntimeError("Outbox.emit_many must run inside the transaction that makes the change")
        events = [self.envelope(d, community=c, subject=s) for d, c, s in items]
        await conn.executemany(
            _INSERT,
            [(e.id, e.nats_subject, e.type, e.community, e.model_dump_json().encode(), e.traceparent) for e in events],
        )
        return events


async def backlog(conn: Connection) -> int:
    """Events written but not yet published."""
    count: int = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    return count
