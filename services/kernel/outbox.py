"""The transactional outbox: events are rows written in the same transaction as the change
they report; the relay (relay.py) publishes them to JetStream afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from contracts.envelope import CloudEvent, EventData
from services.kernel.db import Connection
from services.kernel.publisher import captured
from services.kernel.tracing import current_traceparent

_COLUMNS = "id, subject, event_type, community, payload, traceparent"
_TYPES = ("uuid", "text", "text", "text", "bytea", "text")
_INSERT = f"INSERT INTO outbox ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
OutboxRow = tuple[uuid.UUID, str, str, str, bytes, str | None]


def outbox_row(event: CloudEvent[Any]) -> OutboxRow:
    """The values of an event's outbox row, in the order of the INSERTs below.

    Inside a transaction whose rows are published after commit (publisher.py), the row is noted
    for that publish: whatever statement writes it, the rows and the publish cannot drift apart."""
    row = (
        event.id,
        event.nats_subject,
        event.type,
        event.community,
        event.model_dump_json().encode(),
        event.traceparent,
    )
    captured(row)
    return row


def insert_from_arrays(first_param: int) -> str:
    """An INSERT of outbox rows given as six array parameters, $first_param onwards (see `as_arrays`).

    For a change written as one statement (e.g. the new row and its events in data-modifying
    CTEs): a single statement is atomic by itself, so the change needs neither BEGIN nor COMMIT,
    and the events still commit with it or not at all."""
    arrays = ", ".join(f"${first_param + i}::{t}[]" for i, t in enumerate(_TYPES))
    return f"INSERT INTO outbox ({_COLUMNS}) SELECT * FROM unnest({arrays})"


def as_arrays(events: Sequence[CloudEvent[Any]]) -> list[list[Any]]:
    """The six parameters of `insert_from_arrays` for `events` (each may be empty)."""
    rows = [outbox_row(e) for e in events]
    return [[row[i] for row in rows] for i in range(len(_TYPES))]


_INSERT_MANY = insert_from_arrays(1)


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
        await conn.execute(_INSERT, *outbox_row(event))
        return event

    async def emit_many(self, conn: Connection, events: Sequence[CloudEvent[Any]]) -> None:
        """Record events made with `envelope` in one statement, in order; published only if the transaction commits.

        For handlers that apply many changes at once (a consumer's batch handler): one round trip
        and one relay wake-up however many events."""
        if not conn.is_in_transaction():
            raise RuntimeError("Outbox.emit_many must run inside the transaction that makes the change")
        if not events:
            return
        await conn.execute(_INSERT_MANY, *as_arrays(events))


async def backlog(conn: Connection) -> int:
    """Events written but not yet published."""
    count: int = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    return count
