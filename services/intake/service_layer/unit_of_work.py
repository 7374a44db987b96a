"""Intake's unit of work: the kernel's, with the issue repository and the category reader on its connection."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.intake.adapters import categories
from services.intake.adapters.repository import IssueRepository
from services.intake.service_layer.ratelimit import SubmissionLimits
from services.intake.settings import IntakeSettings
from services.kernel.cache import Cache
from services.kernel.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class IntakeComponents:
    """Intake's process-wide parts, built once in bootstrap.py."""

    limits: SubmissionLimits
    categories: Cache[dict[str, dict[str, Any]]] = field(default_factory=categories.category_cache)
    """Each community's categories (adapters/categories.py), forgotten by the database's notifications."""


class IntakeUnitOfWork(UnitOfWork[IntakeSettings]):
    components: IntakeComponents

    @property
    def issues(self) -> IssueRepository:
        return IssueRepository(self.conn, self.outbox, self.collect)

    async def category(self, community: str, code: str) -> dict[str, Any] | None:
        """The category as the community uses it, from the per-process cache."""
        return await categories.category_in_use(self.conn, self.components.categories, community, code)
