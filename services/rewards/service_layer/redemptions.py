"""Prizes and redemptions: reserve (person -> reserved), fulfil (reserved -> redeemed) or cancel (refund).

Lock order, always: the prize row (stock), then the redemption row, then accounts in id order.
The stock is taken with one conditional UPDATE (`stock > 0`), the points under the account
lock; a failure of either rolls back both, so a 409 changes nothing.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime

import asyncpg

from contracts.events.rewards import PointsRedeemed, PointsRefunded, RedemptionReserved
from services.kernel.db import Connection
from services.kernel.outbox import Outbox
from services.rewards.adapters import ledger_repo
from services.rewards.domain.errors import (
    AlreadyExists,
    IllegalTransition,
    InsufficientPoints,
    NotFoundError,
    OutOfStock,
    PrizeUnavailable,
)
from services.rewards.domain.ledger import AccountKind, TransactionKind, Transfer
from services.rewards.service_layer import bank

OUTBOX = Outbox("rewards")

_TAKE_STOCK = """
UPDATE prizes SET stock = stock - 1
WHERE id = $1 AND community = $2 AND stock > 0
  AND (active_from IS NULL OR active_from <= now()) AND (active_until IS NULL OR active_until > now())
RETURNING id, cost, name_zh, name_en
"""


def _name(prize: asyncpg.Record) -> dict[str, str]:
    return {"zh-CN": prize["name_zh"], "en": prize["name_en"]}


async def reserve(
    conn: Connection, community: str, person_id: str, prize_id: uuid.UUID, idempotency_key: str | None = None
) -> tuple[asyncpg.Record, bool]:
    """Reserve one prize for a person: stock and points both, or neither. Returns (redemption, created).

    With an idempotency key, a repeated request returns the first one's redemption; requests with the
    same key are serialised by a transaction-scoped advisory lock (the UNIQUE index is the backstop)."""
    if idempotency_key is not None:
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{community}/{person_id}/{idempotency_key}"
        )
        earlier = await conn.fetchrow(
            "SELECT * FROM redemptions WHERE community = $1 AND person_id = $2 AND idempotency_key = $3",
            community,
            person_id,
            idempotency_key,
        )
        if earlier is not None:
            if earlier["prize_id"] != prize_id:
                raise AlreadyExists("This Idempotency-Key was used for another prize.")
            return earlier, False
    prize = await conn.fetchrow(_TAKE_STOCK, prize_id, community)
    if prize is None:
        await _why_not(conn, community, prize_id)
    assert prize is not None
    account = await ledger_repo.person_account(conn, community, person_id)
    if account is None:
        raise InsufficientPoints(
            f"The balance is 0 points; this needs {prize['cost']}.", balance=0, needed=prize["cost"]
        )
    system = await ledger_repo.system_accounts(conn, community)
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
    await bank.post(conn, transfer, guarded=account["id"])
    now = datetime.now(UTC)
    row = await _insert(conn, redemption_id, community, person_id, prize, transfer.id, now, idempotency_key)
    await OUTBOX.emit(
        conn,
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


async def _insert(
    conn: Connection,
    redemption_id: uuid.UUID,
    community: str,
    person_id: str,
    prize: asyncpg.Record,
    tx: uuid.UUID,
    now: datetime,
    idempotency_key: str | None,
) -> asyncpg.Record:
    # A pickup code is unique among open reservations; on the rare collision draw again.
    for _ in range(20):
        code = f"{secrets.randbelow(1_000_000):06d}"
        try:
            async with conn.transaction():
                row = await conn.fetchrow(
                    """
                    INSERT INTO redemptions (id, community, person_id, prize_id, points, status, pickup_code,
                                             reserve_tx, reserved_at, idempotency_key)
                    VALUES ($1, $2, $3, $4, $5, 'reserved', $6, $7, $8, $9) RETURNING *
                    """,
                    redemption_id,
                    community,
                    person_id,
                    prize["id"],
                    prize["cost"],
                    code,
                    tx,
                    now,
                    idempotency_key,
                )
                assert row is not None
                return row
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name != "redemptions_open_code":
                raise
            continue
    raise RuntimeError("could not draw a free pickup code")


async def _why_not(conn: Connection, community: str, prize_id: uuid.UUID) -> None:
    prize = await conn.fetchrow(
        """SELECT stock, (active_from IS NULL OR active_from <= now())
                  AND (active_until IS NULL OR active_until > now()) AS active
           FROM prizes WHERE id = $1 AND community = $2""",
        prize_id,
        community,
    )
    if prize is None:
        raise NotFoundError("There is no such prize.")
    if not prize["active"]:
        raise PrizeUnavailable("This prize cannot be redeemed at this time.")
    raise OutOfStock("This prize is out of stock.", stock=prize["stock"])


async def _settle(
    conn: Connection, community: str, redemption_id: uuid.UUID, to: str, actor: str, reason: str | None
) -> tuple[asyncpg.Record, asyncpg.Record, Transfer, dict[uuid.UUID, int]]:
    current = await conn.fetchrow(
        "SELECT * FROM redemptions WHERE id = $1 AND community = $2", redemption_id, community
    )
    if current is None:
        raise NotFoundError("There is no such redemption.")
    prize = await conn.fetchrow("SELECT * FROM prizes WHERE id = $1 FOR UPDATE", current["prize_id"])
    assert prize is not None
    redemption = await conn.fetchrow("SELECT * FROM redemptions WHERE id = $1 FOR UPDATE", redemption_id)
    assert redemption is not None
    if redemption["status"] != "reserved":
        raise IllegalTransition(
            f"The redemption is already {redemption['status']}.", current=redemption["status"], allowed=[]
        )
    system = await ledger_repo.system_accounts(conn, community)
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
        account = await ledger_repo.person_account(conn, community, redemption["person_id"])
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
        await conn.execute("UPDATE prizes SET stock = stock + 1 WHERE id = $1", prize["id"])
    balances = await bank.post(conn, transfer)
    updated = await conn.fetchrow(
        """UPDATE redemptions SET status = $2, settle_tx = $3, settled_at = now(), settled_by = $4, cancel_reason = $5
           WHERE id = $1 AND status = 'reserved' RETURNING *""",
        redemption_id,
        to,
        transfer.id,
        actor,
        reason,
    )
    assert updated is not None
    return updated, prize, transfer, balances


async def fulfil(conn: Connection, community: str, redemption_id: uuid.UUID, actor: str) -> asyncpg.Record:
    redemption, prize, _, _ = await _settle(conn, community, redemption_id, "fulfilled", actor, None)
    await OUTBOX.emit(
        conn,
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
    conn: Connection, community: str, redemption_id: uuid.UUID, actor: str, reason: str | None
) -> asyncpg.Record:
    redemption, prize, _, balances = await _settle(conn, community, redemption_id, "cancelled", actor, reason)
    account = await ledger_repo.person_account(conn, community, redemption["person_id"])
    assert account is not None
    await OUTBOX.emit(
        conn,
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
