"""Double-entry in plain Python: a transaction is a set of postings that sums to zero.

The database enforces the same rules (deferred constraint triggers, CHECKs); this module
lets the service refuse a bad transaction before it reaches the database, with a clear error.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from services.rewards.domain.errors import UnbalancedTransaction


class AccountKind(StrEnum):
    PERSON = "person"
    ISSUANCE = "issuance"
    """Where awarded points come from; its balance is minus every point ever awarded."""
    RESERVED = "reserved"
    """Points held for redemptions waiting at the counter."""
    REDEEMED = "redeemed"
    """Points spent on prizes handed over."""
    ADJUSTMENTS = "adjustments"
    """The other side of manual corrections by an admin."""


SYSTEM_ACCOUNTS: tuple[AccountKind, ...] = (
    AccountKind.ISSUANCE,
    AccountKind.RESERVED,
    AccountKind.REDEEMED,
    AccountKind.ADJUSTMENTS,
)


class TransactionKind(StrEnum):
    AWARD = "award"
    ADJUSTMENT = "adjustment"
    RESERVATION = "reservation"
    FULFILMENT = "fulfilment"
    REFUND = "refund"
    REVERSAL = "reversal"


@dataclass(frozen=True)
class Posting:
    account_id: uuid.UUID
    amount: int


@dataclass(frozen=True)
class Transfer:
    """A balanced transaction to be written: `amount` moves from `debit` to `credit`."""

    kind: TransactionKind
    community: str
    postings: tuple[Posting, ...]
    person_id: str | None = None
    memo: dict[str, str] = field(default_factory=dict)
    reason: str | None = None
    actor_id: str | None = None
    reverses: uuid.UUID | None = None
    redemption_id: uuid.UUID | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)

    def __post_init__(self) -> None:
        if len(self.postings) < 2:
            raise UnbalancedTransaction("a transaction needs at least two postings")
        if any(p.amount == 0 for p in self.postings):
            raise UnbalancedTransaction("a posting of zero points says nothing")
        if sum(p.amount for p in self.postings) != 0:
            raise UnbalancedTransaction(f"postings sum to {sum(p.amount for p in self.postings)}, not zero")

    @classmethod
    def move(
        cls, kind: TransactionKind, community: str, source: uuid.UUID, target: uuid.UUID, amount: int, **kwargs: object
    ) -> Transfer:
        """`amount` (> 0) points from `source` to `target`."""
        if amount <= 0:
            raise UnbalancedTransaction("a transfer moves a positive number of points")
        return cls(kind, community, (Posting(source, -amount), Posting(target, amount)), **kwargs)  # type: ignore[arg-type]

    def reversal(self, *, reason: str, actor_id: str) -> Transfer:
        """The transaction that undoes this one: every posting negated."""
        return Transfer(
            TransactionKind.REVERSAL,
            self.community,
            tuple(Posting(p.account_id, -p.amount) for p in self.postings),
            person_id=self.person_id,
            memo={"zh-CN": "冲正", "en": "Reversal"},
            reason=reason,
            actor_id=actor_id,
            reverses=self.id,
        )

    @property
    def accounts(self) -> list[uuid.UUID]:
        """The accounts this transfer touches (the repository locks them in its global order)."""
        return sorted({p.account_id for p in self.postings})
