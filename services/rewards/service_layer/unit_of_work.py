"""The love bank's unit of work: the kernel's, with the ledger, rules and prize repositories on its connection."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.kernel.cache import Cache
from services.kernel.unit_of_work import UnitOfWork
from services.rewards.adapters.certificates_repo import CertificateRepository
from services.rewards.adapters.ledger_repo import (
    LedgerRepository,
    OpenedAccounts,
    SystemAccounts,
    system_accounts_cache,
)
from services.rewards.adapters.prizes_repo import PrizeRepository
from services.rewards.adapters.rules_repo import InForce, RulesRepository, rules_cache
from services.rewards.settings import RewardsSettings


@dataclass(frozen=True)
class RewardsComponents:
    """The love bank's process-wide parts, built once in bootstrap.py."""

    opened: OpenedAccounts = field(default_factory=OpenedAccounts)
    """People whose account this process has seen committed (they need no opening insert again)."""
    rules: Cache[InForce] = field(default_factory=rules_cache)
    """Each community's rules in force, forgotten by every instance when a version is added."""
    system_accounts: Cache[SystemAccounts] = field(default_factory=system_accounts_cache)
    """Each community's system account ids (they never change once made)."""

    def caches(self) -> list[Cache[Any]]:
        return [self.rules, self.system_accounts]


class RewardsUnitOfWork(UnitOfWork[RewardsSettings]):
    components: RewardsComponents

    @property
    def ledger(self) -> LedgerRepository:
        return LedgerRepository(self.conn, self.components.opened, self.components.system_accounts)

    @property
    def rules(self) -> RulesRepository:
        return RulesRepository(self.conn, self.components.rules)

    @property
    def prizes(self) -> PrizeRepository:
        return PrizeRepository(self.conn)

    @property
    def certificates(self) -> CertificateRepository:
        return CertificateRepository(self.conn)
