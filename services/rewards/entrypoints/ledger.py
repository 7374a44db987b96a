"""The books for the committees and auditors: system accounts, transactions with their postings,
the audit trail of manual corrections, reversals, and the verification of every invariant."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from contracts.enums import Role
from services.kernel.app import ServiceContext, get_ctx
from services.kernel.auth import Principal, require_roles
from services.kernel.pagination import Page, decode_cursor, encode_cursor
from services.kernel.problems import Problem
from services.rewards.domain.errors import NotFoundError
from services.rewards.entrypoints.access import STAFF, community_of
from services.rewards.entrypoints.accounts import Posted
from services.rewards.service_layer import adjustments
from services.rewards.service_layer.verify import verify

router = APIRouter(tags=["ledger"])
AUDITORS = (*STAFF, Role.DISTRICT)


class ReversalRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=3, max_length=2000)


class SystemAccount(BaseModel):
    kind: str
    balance: int = Field(description="issuance: derived, minus the sum of every other account of the community.")


class PostingLine(BaseModel):
    account_kind: str
    person_id: str | None
    amount: int
    balance_after: int | None = Field(description="The account's running balance; none on issuance (derived).")


class LedgerTransaction(BaseModel):
    id: uuid.UUID
    kind: str
    person_id: str | None
    memo: dict[str, str]
    reason: str | None
    actor_id: str | None
    reverses: uuid.UUID | None
    reversed_by: uuid.UUID | None
    redemption_id: uuid.UUID | None
    created_at: datetime
    postings: list[PostingLine]


class LedgerInconsistent(Problem):
    """The books do not add up: a server-side integrity failure, so a 5xx that monitoring alerts on."""

    status, type_slug, title = 500, "ledger-inconsistent", "The ledger does not balance"


@router.get("/ledger/verify", summary="Audit the books: 200 with a report when clean, 500 problem when not")
async def ledger_verify(
    community: str | None = Query(default=None, max_length=40),
    principal: Principal = Depends(require_roles(*AUDITORS)),
    ctx: ServiceContext = Depends(get_ctx),
) -> dict[str, Any]:
    where = community_of(principal, community)
    async with ctx.pool.acquire() as conn:
        report = await verify(conn, where)
    report["community"] = where
    if not report["clean"]:
        raise LedgerInconsistent("The ledger failed verification; see the report.", report=report)
    return report


@router.get("/ledger/accounts", response_model=list[SystemAccount], summary="The community's system accounts")
async def system_accounts(
    community: str | None = Query(default=None, max_length=40),
    principal: Principal = Depends(require_roles(*AUDITORS)),
    ctx: ServiceContext = Depends(get_ctx),
) -> list[SystemAccount]:
    where = community_of(principal, community)
    rows = await ctx.pool.fetch(
        """SELECT kind, CASE WHEN kind = 'issuance'
                             THEN -(SELECT coalesce(sum(o.balance), 0) FROM accounts o
                                    WHERE o.community = $1 AND o.kind <> 'issuance')::bigint
                             ELSE balance END AS balance
           FROM accounts WHERE community = $1 AND kind <> 'person' ORDER BY kind""",
        where,
    )
    return [SystemAccount(kind=r["kind"], balance=r["balance"]) for r in rows]


@router.get("/ledger/transactions/{transaction_id}", response_model=LedgerTransaction, summary="One transaction")
async def transaction(
    transaction_id: uuid.UUID,
    principal: Principal = Depends(require_roles(*AUDITORS)),
    ctx: ServiceContext = Depends(get_ctx),
) -> LedgerTransaction:
    async with ctx.pool.acquire() as conn:
        row = await conn.fetchrow(
            """SELECT t.*, (SELECT r.id FROM transactions r WHERE r.reverses = t.id) AS reversed_by
               FROM transactions t WHERE t.id = $1""",
            transaction_id,
        )
        if row is None or not principal.can_read(row["community"]):
            raise NotFoundError("There is no such transaction.")
        postings = await conn.fetch(
            """SELECT a.kind AS account_kind, a.person_id, p.amount, p.balance_after
               FROM postings p JOIN accounts a ON a.id = p.account_id WHERE p.transaction_id = $1 ORDER BY p.id""",
            transaction_id,
        )
    fields = {k: row[k] for k in LedgerTransaction.model_fields if k != "postings"}
    return LedgerTransaction(**fields, postings=[PostingLine(**dict(p)) for p in postings])


@router.get("/ledger/corrections", response_model=Page[LedgerTransaction], summary="Audit trail: who, when, why")
async def corrections(
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(require_roles(*AUDITORS)),
    ctx: ServiceContext = Depends(get_ctx),
) -> Page[LedgerTransaction]:
    """Manual adjustments and reversals, newest first (keyset on the transaction sequence)."""
    after = decode_cursor(cursor, 1)
    async with ctx.pool.acquire() as conn:
        rows = await conn.fetch(
            """SELECT t.*, (SELECT r.id FROM transactions r WHERE r.reverses = t.id) AS reversed_by FROM transactions t
               WHERE t.community = $1 AND t.kind IN ('adjustment', 'reversal') AND ($2::bigint IS NULL OR t.seq < $2)
               ORDER BY t.seq DESC LIMIT $3""",
            principal.community,
            int(after[0]) if after else None,
            limit + 1,
        )
        postings = await conn.fetch(
            """SELECT p.transaction_id, a.kind AS account_kind, a.person_id, p.amount, p.balance_after
               FROM postings p JOIN accounts a ON a.id = p.account_id
               WHERE p.transaction_id = ANY($1::uuid[]) ORDER BY p.id""",
            [r["id"] for r in rows[:limit]],
        )
    by_tx: dict[uuid.UUID, list[PostingLine]] = {}
    for p in postings:
        by_tx.setdefault(p["transaction_id"], []).append(PostingLine(**{k: p[k] for k in PostingLine.model_fields}))
    items = [
        LedgerTransaction(
            **{k: r[k] for k in LedgerTransaction.model_fields if k != "postings"}, postings=by_tx.get(r["id"], [])
        )
        for r in rows[:limit]
    ]
    next_cursor = encode_cursor(rows[limit - 1]["seq"]) if len(rows) > limit else None
    return Page[LedgerTransaction](items=items, next_cursor=next_cursor)


@router.post(
    "/ledger/transactions/{transaction_id}/reversal",
    response_model=Posted,
    status_code=201,
    summary="Reverse a transaction",
)
async def reverse(
    transaction_id: uuid.UUID,
    body: ReversalRequest,
    principal: Principal = Depends(require_roles(Role.ADMIN)),
    ctx: ServiceContext = Depends(get_ctx),
) -> Posted:
    async with ctx.pool.acquire() as conn, conn.transaction():
        tx, balance = await adjustments.reverse(
            conn, principal.community, transaction_id, reason=body.reason, actor_id=principal.sub
        )
    return Posted(transaction_id=tx, balance_after=balance)
