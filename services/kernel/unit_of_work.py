"""The unit of work: one transaction of one service, with everything a command needs inside it.

A unit of work holds the connection and its transaction, the service's outbox, its clock,
its community time zone and its typed settings. Service-layer functions open it with
`async with uow:`; routes get a fresh one per request (`entrypoints`' dependency), consumers
get one joined to the transaction that also records the event as processed. So a command
is written once and runs the same way whoever calls it.

Aggregates record the events their changes cause; `collect(aggregate)` hands them to the
unit of work, which writes them to the outbox just before it commits, so a change and the
events it causes commit together or not at all.

Opening a unit of work that is already open joins it: the inner `async with` neither begins
nor commits (a command may call another command). A unit of work made on a connection that
is already in a transaction (the consumer's) never commits or rolls back: its owner does;
on leaving it only writes the collected events.

`read()` is the door for queries that change nothing: a pooled connection without BEGIN and
COMMIT (reads skip the domain and pay no transaction round trips), or the open transaction's
own connection when called inside one.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar
from zoneinfo import ZoneInfo

import asyncpg
from asyncpg.transaction import Transaction

from contracts.envelope import CloudEvent, EventData
from services.kernel import audit as audit_log
from services.kernel.clock import Clock
from services.kernel.db import Connection
from services.kernel.events import RecordsEvents
from services.kernel.identity import Principal
from services.kernel.outbox import Outbox
from services.kernel.publisher import OutboxPublisher, Row, capturing, end_capture, start_capture
from services.kernel.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


class UnitOfWork(Generic[S]):
    """One service transaction: `conn`, `outbox`, `clock`, `zone` and `settings`, opened with `async with`."""

    def __init__(
        self,
        *,
        pool: Callable[[], asyncpg.Pool] | None,
        outbox: Outbox,
        clock: Clock,
        settings: S,
        components: Any = None,
        conn: Connection | None = None,
        publisher: OutboxPublisher | None = None,
    ) -> None:
        self._pool = pool
        self.publisher = publisher
        """Publishes the outbox rows this unit of work commits right after the commit (the relay is the safety net)."""
        self._rows: list[Row] = []
        self._capture: Any = None
        self.components = components
        """The service's process-wide parts (caches...), for repositories that use them; typed by subclasses."""
        self.outbox = outbox
        self.clock = clock
        self.settings = settings
        self.zone: ZoneInfo = settings.zone
        self._conn = conn
        self._joined = conn is not None
        self._depth = 0
        self._transaction: Transaction | None = None
        self._release: Callable[[], Any] | None = None
        self._collected: list[RecordsEvents] = []
        self.committed = 0
        """How many times this unit of work committed (tests and fakes read it)."""

    # -- the transaction -------------------------------------------------------------------

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("The unit of work is not open: use `async with uow:`")
        return self._conn

    @property
    def is_open(self) -> bool:
        return self._depth > 0 or self._joined

    async def __aenter__(self) -> Self:
        if self._depth == 0 and not self._joined:
            await self._begin()
        self._depth += 1
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._depth -= 1
        if self._depth > 0:
            return
        if error is not None:
            self._collected.clear()
            if not self._joined:
                await self._rollback()
            return
        await self.flush()
        if not self._joined:
            await self._commit()

    async def _begin(self) -> None:
        if self._pool is None:
            raise RuntimeError("This unit of work has no pool to take a connection from")
        pool = self._pool()
        conn = await pool.acquire()
        self._conn = conn
        self._release = lambda: pool.release(conn)
        try:
            self._transaction = conn.transaction()
            await self._transaction.start()
        except BaseException:
            await self._give_back()
            raise
        if self.publisher is not None:
            self._rows, self._capture = start_capture()

    async def _commit(self) -> None:
        # The place in the publish queue is taken before the commit, once the row locks are held:
        # two units of work changing one aggregate are published in the order they commit.
        place = self.publisher.reserve(self._rows) if self.publisher is not None else None
        committed = False
        try:
            assert self._transaction is not None
            await self._transaction.commit()
            committed = True
            self.committed += 1
        finally:
            if self.publisher is not None:
                self.publisher.settle(place, committed)
            await self._give_back()

    async def _rollback(self) -> None:
        try:
            if self._transaction is not None:
                with contextlib.suppress(Exception):  # a broken connection has nothing to roll back
                    await self._transaction.rollback()
        finally:
            await self._give_back()

    async def _give_back(self) -> None:
        capture, self._capture = self._capture, None
        self._rows = []
        if capture is not None:
            end_capture(capture)
        release, self._release = self._release, None
        self._transaction, self._conn = None, None
        if release is not None:
            await release()

    @contextlib.asynccontextmanager
    async def one_statement(self) -> AsyncIterator[Self]:
        """Open for a change written as ONE statement (data-modifying CTEs with its outbox rows).

        A single statement is atomic by itself, so it needs no BEGIN and COMMIT: two round trips
        saved on the busiest writes. Inside an open transaction it is simply part of it. Events
        must be written by that statement: anything collected here is refused, since no
        transaction would carry it."""
        if self._conn is not None:
            yield self
            return
        if self._pool is None:
            raise RuntimeError("This unit of work has no pool to take a connection from")
        async with self._pool().acquire() as conn:
            self._conn = conn
            try:
                with capturing() as rows:
                    yield self
                if [event for aggregate in self._collected for event in aggregate.pull_events()]:
                    raise RuntimeError("one_statement: events were recorded that no statement wrote")
                if self.publisher is not None:
                    self.publisher.committed(rows)  # the statement was its own transaction: committed
            finally:
                self._conn = None
                self._collected.clear()

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[Connection]:
        """A connection for queries: the open transaction's, or a pooled one without a transaction."""
        if self._conn is not None:
            yield self._conn
            return
        if self._pool is None:
            raise RuntimeError("This unit of work has no pool to take a connection from")
        async with self._pool().acquire() as conn:
            yield conn

    # -- time ------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The service's now (UTC, aware), from its injected clock."""
        return self.clock.now()

    def local_now(self) -> datetime:
        """Now on the community's wall clock."""
        return self.clock.now().astimezone(self.zone)

    # -- the audit log ---------------------------------------------------------------------

    async def audit(
        self,
        action: str,
        subject: str | uuid.UUID | None,
        actor: Principal,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Append a privileged action to the audit log, in this transaction: it commits with the action or not at all.

        `details` say what was decided, never a secret (see services/kernel/audit.py)."""
        await audit_log.record(self.conn, at=self.now(), action=action, subject=subject, actor=actor, details=details)

    # -- events ----------------------------------------------------------------------------

    def collect(self, *aggregates: RecordsEvents) -> None:
        """Write what these aggregates recorded into the outbox when the unit of work commits."""
        for aggregate in aggregates:
            if not any(aggregate is seen for seen in self._collected):
                self._collected.append(aggregate)

    async def emit(
        self, data: EventData, *, community: str, subject: str | uuid.UUID, event_id: uuid.UUID | None = None
    ) -> CloudEvent[EventData]:
        """Record one event now, in this transaction (for changes made without an aggregate)."""
        return await self.outbox.emit(self.conn, data, community=community, subject=subject, event_id=event_id)

    async def emit_many(self, events: Sequence[CloudEvent[Any]]) -> None:
        """Record events already wrapped with `outbox.envelope`, in one statement (batch handlers)."""
        await self.outbox.emit_many(self.conn, events)

    async def flush(self) -> None:
        """Write the collected aggregates' events now (done on commit; call it to read them back earlier)."""
        pending = [event for aggregate in self._collected for event in aggregate.pull_events()]
        self._collected.clear()
        if len(pending) == 1:
            event = pending[0]
            await self.emit(event.data, community=event.community, subject=event.subject, event_id=event.event_id)
        elif pending:
            await self.emit_many(
                [
                    self.outbox.envelope(e.data, community=e.community, subject=e.subject, event_id=e.event_id)
                    for e in pending
                ]
            )


class UnitOfWorkFactory(Generic[S]):
    """Makes a service's units of work: fresh ones for routes and loops, joined ones for consumers.

    Built once per app by the kernel (app.py) from the service's definition; a service with its
    own unit-of-work class (repositories as attributes) names it in its ServiceDefinition."""

    def __init__(
        self,
        kind: type[UnitOfWork[S]],
        *,
        pool: Callable[[], asyncpg.Pool],
        outbox: Outbox,
        clock: Clock,
        settings: S,
        components: Any = None,
        publisher: OutboxPublisher | None = None,
    ) -> None:
        self.kind = kind
        self.components = components
        self.publisher = publisher
        self._pool = pool
        self.outbox = outbox
        self.clock = clock
        self.settings = settings

    def __call__(self) -> UnitOfWork[S]:
        return self.kind(
            pool=self._pool,
            outbox=self.outbox,
            clock=self.clock,
            settings=self.settings,
            components=self.components,
            publisher=self.publisher,
        )

    def joined(self, conn: Connection) -> UnitOfWork[S]:
        """A unit of work inside `conn`'s open transaction, which its owner commits."""
        return self.kind(
            pool=self._pool,
            outbox=self.outbox,
            clock=self.clock,
            settings=self.settings,
            components=self.components,
            conn=conn,
        )
