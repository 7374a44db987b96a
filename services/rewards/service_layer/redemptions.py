"""Prizes and redemptions: reserve (person -> reserved), fulfil (reserved -> redeemed) or cancel (refund).

Lock order, always: the prize row (stock), then the redemption row, then accounts in id order.
The stock is taken with one conditional UPDATE (`stock > 0`), the points under the account
lock; a failure of either rolls back both, so a 409 changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from contracts.events.rewards import PointsRedeemed, PointsRefunded, RedemptionReserved
from services.kernel.identity import Principal
from services.rewards.domain.errors import (
    AlreadyExists,
    IllegalTransition,
    InsufficientPoints,
    NotAllowed,
    NotFoundError,
    OutOfStock,
    PrizeUnavailable,
)
from services.rewards.domain.ledger import AccountKind, TransactionKind, Transfer
from services.rewards.service_layer import bank
from services.rewards.service_layer.unit_of_work import RewardsUnitOfWork

_SETTLED_ZH = {"fulfilled": "这笔兑换的奖品已经发放。", "cancelled": "这笔兑换已经取消，积分已退回。"}


def _name(prize: asyncpg.Record) -> dict[str, str]:
    return {"zh-CN": prize["name_zh"], "en": prize["name_en"]}


async def create_prize(uow: RewardsUnitOfWork, by: Principal, values: dict[str, Any]) -> asyncpg.Record:
    """A new prize of the catalogue; its code is unique in the community."""
    async with uow:
        row = await uow.prizes.get(await uow.prizes.create(by.community, values))
        assert row is not None
        await uow.audit("prize.added", row["id"], by, values)
        return row


async def restock(uow: RewardsUnitOfWork, by: Principal, prize_id: uuid.UUID, add: int) -> asyncpg.Record:
    """Add (or, negative, write off) stock; never below zero."""
    async with uow:
        await uow.prizes.restock(by.community, prize_id, add)
        row = await uow.prizes.get(prize_id)
        assert row is not None
        await uow.audit("prize.restocked", prize_id, by, {"add": add, "stock": row["stock"]})
        return row


async def reserve(
    uow: RewardsUnitOfWork, community: str, person_id: str, prize_id: uuid.UUID, idempotency_key: str | None = None
) -> tuple[asyncpg.Record, bool]:
    """Reserve one prize for a person: stock and points both, or neither. Returns (redemption, created).

    With an idempotency key, a repeated request returns the first one's redemption; requests with the
    same key are serialised by a transaction-scoped advisory lock (the UNIQUE index is the backstop)."""
    async with uow:
        prizes, ledger = uow.prizes, uow.ledger
        if idempotency_key is not None:
            await prizes.serialise_key(f"{community}/{person_id}/{idempotency_key}")
            earlier = await prizes.redemption_by_key(community, person_id, idempotency_key)
            if earlier is not None:
                if earlier["prize_id"] != prize_id:
                    raise AlreadyExists("This Idempotency-Key was used for another prize.")
                return earlier, False
        prize = await prizes.take_one(community, prize_id)
        if prize is None:
            await _why_not(uow, community, prize_id)
        assert prize is not None
        account = await ledger.person_account(community, person_id)
        if account is None:
            raise InsufficientPoints(
                f"The balance is 0 points; this needs {prize['cost']}.", balance=0, needed=prize["cost"]
            )
        system = await ledger.system_accounts(community)
        redemption_id = uuid.uuid4()
        memo = {"zh-CN": f"兑换预留：{prize['name_zh']}", "en": f"Reserved for redemption: {prize['name_en']}"}
        transfer = Transfer.move(
            TransactionKind.RESERVATION,
            community,
            account["id"],
            system[AccountKind.RESERVED],
            prize["cost"],
            person_id=person_id,
            memo=memo,
            redemption_id=redemption_id,
        )
        await bank.post(ledger, transfer, guarded=account["id"])
        now = uow.now()
        row = await prizes.insert_redemption(
            redemption_id, community, person_id, prize, transfer.id, now, idempotency_key
        )
        await uow.emit(
            RedemptionReserved(
                redemption_id=redemption_id,
                person_id=person_id,
                prize_id=prize_id,
                prize_name=_name(prize),
                points=prize["cost"],
                pickup_code=row["pickup_code"],
                reserved_at=now,
            ),
            community=community,
            subject=redemption_id,
        )
        return row, True


async def _why_not(uow: RewardsUnitOfWork, community: str, prize_id: uuid.UUID) -> None:
    prize = await uow.prizes.why_not(community, prize_id)
    if prize is None:
        raise NotFoundError("There is no such prize.")
    if not prize["active"]:
        raise PrizeUnavailable("This prize cannot be redeemed at this time.")
    raise OutOfStock("This prize is out of stock.", stock=prize["stock"])


async def _settle(
    uow: RewardsUnitOfWork, community: str, redemption_id: uuid.UUID, to: str, actor: str, reason: str | None
) -> tuple[asyncpg.Record, asyncpg.Record, Transfer, dict[uuid.UUID, int]]:
    prizes, ledger = uow.prizes, uow.ledger
    current = await prizes.redemption(community, redemption_id)
    if current is None:
        raise NotFoundError("There is no such redemption.")
    prize = await prizes.lock(current["prize_id"])  # the lock order: prize, redemption, accounts
    assert prize is not None
    redemption = await prizes.lock_redemption(redemption_id)
    assert redemption is not None
    if redemption["status"] != "reserved":
        raise IllegalTransition(
            f"The redemption is already {redemption['status']}.",
            detail_zh=_SETTLED_ZH.get(redemption["status"], "这笔兑换已经办结。"),
            current=redemption["status"],
            allowed=[],
        )
    system = await ledger.system_accounts(community)
    points = redemption["points"]
    if to == "fulfilled":
        memo = {"zh-CN": f"兑换领取：{prize['name_zh']}", "en": f"Redeemed at the counter: {prize['name_en']}"}
        transfer = Transfer.move(
            TransactionKind.FULFILMENT,
            community,
            system[AccountKind.RESERVED],
            system[AccountKind.REDEEMED],
            points,
            person_id=redemption["person_id"],
            memo=memo,
            redemption_id=redemption_id,
        )
    else:
        account = await ledger.person_account(community, redemption["person_id"])
        assert account is not None
        memo = {
            "zh-CN": f"兑换取消退回：{prize['name_zh']}",
            "en": f"Redemption cancelled, refunded: {prize['name_en']}",
        }
        transfer = Transfer.move(
            TransactionKind.REFUND,
            community,
            system[AccountKind.RESERVED],
            account["id"],
            points,
            person_id=redemption["person_id"],
            memo=memo,
            redemption_id=redemption_id,
        )
        await prizes.give_back_one(prize["id"])
    balances = await bank.post(ledger, transfer)
    updated = await prizes.settle(redemption_id, to, transfer.id, actor, reason)
    return updated, prize, transfer, balances


async def fulfil(uow: RewardsUnitOfWork, community: str, redemption_id: uuid.UUID, by: Principal) -> asyncpg.Record:
    """Hand the prize over at the counter: the reserved points are spent."""
    async with uow:
        redemption, prize, _, _ = await _settle(uow, community, redemption_id, "fulfilled", by.sub, None)
        await uow.audit(
            "redemption.fulfilled",
            redemption_id,
            by,
            {"person_id": redemption["person_id"], "prize_id": prize["id"], "points": redemption["points"]},
        )
        await uow.emit(
            PointsRedeemed(
                redemption_id=redemption_id,
                person_id=redemption["person_id"],
                prize_id=prize["id"],
                prize_name=_name(prize),
                points=redemption["points"],
                redeemed_at=redemption["settled_at"],
            ),
            community=community,
            subject=redemption_id,
        )
        return redemption


async def cancel(
    uow: RewardsUnitOfWork,
    community: str,
    redemption_id: uuid.UUID,
    by: Principal,
    reason: str | None,
    *,
    staff: bool = True,
) -> asyncpg.Record:
    """Cancel a reservation and refund its points and stock; only its holder or (`staff`) the committees may."""
    async with uow:
        owner = await uow.prizes.redemption(community, redemption_id)
        if owner is None:
            raise NotFoundError("There is no such redemption.")
        if owner["person_id"] != by.sub and not staff:
            raise NotAllowed("Only the holder or the committees may cancel a redemption.")
        redemption, prize, _, balances = await _settle(uow, community, redemption_id, "cancelled", by.sub, reason)
        if owner["person_id"] != by.sub:  # the committees cancelling someone's reservation
            await uow.audit(
                "redemption.cancelled",
                redemption_id,
                by,
                {"person_id": owner["person_id"], "prize_id": prize["id"], "reason": reason},
            )
        account = await uow.ledger.person_account(community, redemption["person_id"])
        assert account is not None
        await uow.emit(
            PointsRefunded(
                redemption_id=redemption_id,
                person_id=redemption["person_id"],
                prize_id=prize["id"],
                points=redemption["points"],
                balance_after=balances[account["id"]],
                refunded_at=redemption["settled_at"],
            ),
            community=community,
            subject=redemption_id,
        )
        return redemption
