"""The transactional outbox: events are rows written in the same transaction as the change
they report; the relay (relay.py) publishes them to JetStream afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from contracts.envelope import CloudEvent, EventData
from services.kernel.db import Connection
from services.kernel.tracing import current_traceparent

_INSERT = """
INSERT INTO outbox (id, subject, event_type, community, payload, traceparent)
VALUES ($1, $2, $3, $4, $5, $6)
"""
_INSERT_MANY = """
INSERT INTO outbox (id, subject, event_type, community, payload, traceparent)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::text[])
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
        traceparent: str | None = None,
    ) -> CloudEvent[EventData]:
        """The event in its envelope, in the trace of the active span unless `traceparent` names another."""
        return CloudEvent.wrap(
            data,
            community=community,
            service=self.service,
            subject=str(subject),
            traceparent=traceparent or current_traceparent(),
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

    async def emit_many(self, conn: Connection, events: Sequence[CloudEvent[Any]]) -> None:
        """Record events made with `envelope` in one statement, in order; published only if the transaction commits.

        For handlers that apply many changes at once (a consumer's batch handler): one round trip
        and one relay wake-up however many events."""
        if not conn.is_in_transaction():
            raise RuntimeError("Outbox.emit_many must run inside the transaction that makes the change")
        if not events:
            return
        await conn.execute(
            _INSERT_MANY,
            [e.id for e in events],
            [e.nats_subject for e in events],
            [e.type for e in events],
            [e.community for e in events],
            [e.model_dump_json().encode() for e in events],
            [e.traceparent for e in events],
        )


async def backlog(conn: Connection) -> int:
    """Events written but not yet published."""
    count: int = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    return count
