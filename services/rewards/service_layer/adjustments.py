"""Manual corrections by an admin: an adjustment (with a reason) or the reversal of a transaction.

Both are new, balanced transactions: the books are never edited. Who, when and why are
columns of the immutable transaction row (actor_id, created_at, reason): that is the audit trail.
"""

from __future__ import annotations

import uuid

import asyncpg

from contracts.events.rewards import PointsAdjusted
from services.kernel.identity import Principal
from services.rewards.domain.errors import AlreadyExists, InvalidValues, NotAllowed, NotFoundError
from services.rewards.domain.ledger import AccountKind, Posting, TransactionKind, Transfer
from services.rewards.service_layer import bank
from services.rewards.service_layer.unit_of_work import RewardsUnitOfWork

NOT_REVERSIBLE = ("reversal", "reservation", "fulfilment", "refund")
"""Redemption transactions are settled through the redemption (cancel), never reversed by hand."""


async def adjust(
    uow: RewardsUnitOfWork, community: str, person_id: str, points: int, *, reason: str, by: Principal
) -> tuple[uuid.UUID, int]:
    """Add (points > 0) or take away (points < 0) points by hand; never below zero."""
    actor_id = by.sub
    if points == 0:
        raise InvalidValues("An adjustment of zero points changes nothing.")
    if person_id == actor_id:
        raise NotAllowed(
            "Nobody adjusts their own balance: another admin makes the adjustment.",
            detail_zh="不能调整自己的积分，请由其他管理员办理。",
            reason="own-balance",
        )
    async with uow:
        system = await uow.ledger.system_accounts(community)
        account = await uow.ledger.open_person_account(community, person_id)
        memo = {"zh-CN": f"人工调整：{reason[:200]}", "en": f"Manual adjustment: {reason[:200]}"}
        source, target = (
            (system[AccountKind.ADJUSTMENTS], account) if points > 0 else (account, system[AccountKind.ADJUSTMENTS])
        )
        transfer = Transfer.move(
            TransactionKind.ADJUSTMENT,
            community,
            source,
            target,
            abs(points),
            person_id=person_id,
            memo=memo,
            reason=reason,
            actor_id=actor_id,
        )
        balances = await bank.post(uow.ledger, transfer, guarded=account)
        await _emit(uow, community, transfer.id, person_id, points, balances[account], reason, actor_id)
        await uow.audit(
            "points.adjusted",
            person_id,
            by,
            {"points": points, "reason": reason, "transaction_id": transfer.id, "balance_after": balances[account]},
        )
        return transfer.id, balances[account]


async def reverse(
    uow: RewardsUnitOfWork, community: str, transaction_id: uuid.UUID, *, reason: str, by: Principal
) -> tuple[uuid.UUID, int | None]:
    """Undo a transaction by posting its mirror image; a transaction is reversed at most once (UNIQUE)."""
    actor_id = by.sub
    async with uow:
        ledger = uow.ledger
        original = await ledger.transaction(community, transaction_id)
        if original is None:
            raise NotFoundError("There is no such transaction.")
        if original["kind"] in NOT_REVERSIBLE:
            raise InvalidValues(f"A {original['kind']} transaction cannot be reversed; cancel the redemption instead.")
        if await ledger.is_reversed(transaction_id):
            raise AlreadyExists("This transaction has already been reversed.")
        postings = await ledger.postings_of(transaction_id)
        account = await ledger.person_account(community, original["person_id"]) if original["person_id"] else None
        transfer = Transfer(
            TransactionKind.REVERSAL,
            community,
            tuple(Posting(p["account_id"], -p["amount"]) for p in postings),
            person_id=original["person_id"],
            memo={"zh-CN": f"冲正：{reason[:200]}", "en": f"Reversal: {reason[:200]}"},
            reason=reason,
            actor_id=actor_id,
            reverses=transaction_id,
        )
        try:  # two reversals at once: the second is refused by `reverses` UNIQUE
            balances = await bank.post(ledger, transfer, guarded=account["id"] if account else None)
        except asyncpg.UniqueViolationError as exc:
            raise AlreadyExists("This transaction has already been reversed.") from exc
        balance_after = None
        if account is not None:
            change = sum(p.amount for p in transfer.postings if p.account_id == account["id"])
            balance_after = balances[account["id"]]
            await _emit(uow, community, transfer.id, original["person_id"], change, balance_after, reason, actor_id)
        await uow.audit(
            "transaction.reversed",
            transaction_id,
            by,
            {"reason": reason, "reversal_id": transfer.id, "person_id": original["person_id"]},
        )
        return transfer.id, balance_after


async def _emit(
    uow: RewardsUnitOfWork,
    community: str,
    transaction_id: uuid.UUID,
    person_id: str,
    points: int,
    balance_after: int,
    reason: str,
    actor_id: str,
) -> None:
    await uow.emit(
        PointsAdjusted(
            transaction_id=transaction_id,
            person_id=person_id,
            points=points,
            balance_after=balance_after,
            reason=reason,
            adjusted_by=actor_id,
            adjusted_at=uow.now(),
        ),
        community=community,
        subject=person_id,
    )
