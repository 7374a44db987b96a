"""A unit of work that touches no database, for fast service-layer tests (cosmicpython's fake tier).

A service's fake subclasses it and puts in-memory repositories where the real one has
Postgres ones; the service-layer function under test cannot tell the difference. What it
would have written to the outbox lands in `published`, in order, on commit only; what it would
have appended to the audit log lands in `audited`, on commit only too."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Generic, Self, TypeVar

from contracts.envelope import CloudEvent
from services.kernel.audit import refuse_secrets
from services.kernel.clock import SettableClock
from services.kernel.identity import Principal
from services.kernel.outbox import Outbox
from services.kernel.settings import ServiceSettings
from services.kernel.unit_of_work import UnitOfWork

S = TypeVar("S", bound=ServiceSettings)


class FakeUnitOfWork(UnitOfWork[S], Generic[S]):
    def __init__(self, service: str, settings: S, *, at: datetime) -> None:
        super().__init__(pool=None, outbox=Outbox(service), clock=SettableClock(at), settings=settings)
        self.published: list[CloudEvent[Any]] = []
        self._pending: list[CloudEvent[Any]] = []
        self.audited: list[tuple[str, str | None, str, dict[str, Any]]] = []
        """(action, subject, actor sub, details) of each audit entry committed, oldest first."""
        self._pending_audit: list[tuple[str, str | None, str, dict[str, Any]]] = []
        self.rolled_back = 0

    @property
    def events(self) -> list[Any]:
        """The payloads published so far, oldest first."""
        return [event.data for event in self.published]

    async def _begin(self) -> None:
        self._pending = []
        self._pending_audit = []

    async def _commit(self) -> None:
        self.published.extend(self._pending)
        self.audited.extend(self._pending_audit)
        self._pending, self._pending_audit = [], []
        self.committed += 1

    async def _rollback(self) -> None:
        self._pending, self._pending_audit = [], []
        self.rolled_back += 1

    @contextlib.asynccontextmanager
    async def one_statement(self) -> AsyncIterator[Self]:
        """A single statement commits alone: here, the changes it made are published at once."""
        async with self:
            yield self

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[Any]:
        yield None  # fakes read through their in-memory repositories, never a connection

    async def emit(self, data: Any, *, community: str, subject: Any, event_id: Any = None) -> CloudEvent[Any]:
        event = self.outbox.envelope(data, community=community, subject=subject, event_id=event_id)
        self._pending.append(event)
        return event

    async def emit_many(self, events: Sequence[CloudEvent[Any]]) -> None:
        self._pending.extend(events)

    async def audit(
        self, action: str, subject: Any, actor: Principal, details: Mapping[str, Any] | None = None
    ) -> None:
        if not self.is_open:
            raise RuntimeError("An audit entry is written in the action's transaction: open the unit of work first")
        refuse_secrets(details or {})
        self._pending_audit.append((action, None if subject is None else str(subject), actor.sub, dict(details or {})))
