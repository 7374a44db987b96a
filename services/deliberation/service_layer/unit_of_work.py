"""Deliberation's unit of work: the kernel's, with the deliberation repository on its connection.

The service has no process-wide parts (no caches or hubs): its components are None."""

from __future__ import annotations

from services.deliberation.adapters.repository import DeliberationRepository
from services.deliberation.settings import DeliberationSettings
from services.kernel.unit_of_work import UnitOfWork


class DeliberationUnitOfWork(UnitOfWork[DeliberationSettings]):
    @property
    def repo(self) -> DeliberationRepository:
        return DeliberationRepository(self.conn)
