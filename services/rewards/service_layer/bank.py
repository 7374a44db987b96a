"""Posting to the ledger: lock the accounts, refuse an overdraft with a clear error, write."""

from __future__ import annotations

import uuid

from services.rewards.adapters.ledger_repo import LedgerRepository
from services.rewards.domain.errors import InsufficientPoints
from services.rewards.domain.ledger import Transfer


async def post(
    ledger: LedgerRepository, transfer: Transfer, *, guarded: uuid.UUID | None = None
) -> dict[uuid.UUID, int]:
    """Write `transfer` inside the unit of work's transaction.

    `guarded` is an account that must not go below zero: checked here under the row lock
    for a clear 409, and again by the database's CHECK whatever this code does."""
    balances = await ledger.lock(transfer.accounts)
    if guarded is not None:
        change = sum(p.amount for p in transfer.postings if p.account_id == guarded)
        if balances[guarded] + change < 0:
            raise InsufficientPoints(
                f"The balance is {balances[guarded]} points; this needs {-change}.",
                balance=balances[guarded],
                needed=-change,
            )
    return await ledger.write(transfer)
