"""The books for the committees and auditors: system accounts, transactions with their postings,
the audit trail of manual corrections, reversals, and the verification of every invariant."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from contracts.enums import Role
from services.kernel.auth import Principal, require_roles
from services.kernel.pagination import Page, decode_keyset, keyset_page
from services.kernel.problems import Problem
from services.rewards.adapters import queries
from services.rewards.domain.errors import NotFoundError
from services.rewards.entrypoints.access import STAFF, community_of
from services.rewards.entrypoints.accounts import Posted
from services.rewards.entrypoints.deps import get_uow
from services.rewards.service_layer import adjustments
from services.rewards.service_layer.unit_of_work import RewardsUnitOfWork
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


def _posting(row: Any) -> PostingLine:
    return PostingLine(**{k: row[k] for k in PostingLine.model_fields})


def _transaction(row: Any, postings: list[PostingLine]) -> LedgerTransaction:
    return LedgerTransaction(
        **{k: row[k] for k in LedgerTransaction.model_fields if k != "postings"}, postings=postings
    )


@router.get("/ledger/verify", summary="Audit the books: 200 with a report when clean, 500 problem when not")
async def ledger_verify(
    community: str | None = Query(default=None, max_length=40),
    principal: Principal = Depends(require_roles(*AUDITORS)),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> dict[str, Any]:
    where = community_of(principal, community)
    report = await verify(uow, where)
    report["community"] = where
    if not report["clean"]:
        raise LedgerInconsistent("The ledger failed verification; see the report.", report=report)
    return report


@router.get("/ledger/accounts", response_model=list[SystemAccount], summary="The community's system accounts")
async def system_accounts(
    community: str | None = Query(default=None, max_length=40),
    principal: Principal = Depends(require_roles(*AUDITORS)),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> list[SystemAccount]:
    where = community_of(principal, community)
    async with uow.read() as conn:
        rows = await queries.system_balances(conn, where)
    return [SystemAccount(kind=r["kind"], balance=r["balance"]) for r in rows]


@router.get("/ledger/transactions/{transaction_id}", response_model=LedgerTransaction, summary="One transaction")
async def transaction(
    transaction_id: uuid.UUID,
    principal: Principal = Depends(require_roles(*AUDITORS)),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> LedgerTransaction:
    async with uow.read() as conn:
        row = await queries.transaction(conn, transaction_id)
        if row is None or not principal.can_read(row["community"]):
            raise NotFoundError("There is no such transaction.")
        postings = await queries.postings(conn, [transaction_id])
    return _transaction(row, [_posting(p) for p in postings])


@router.get("/ledger/corrections", response_model=Page[LedgerTransaction], summary="Audit trail: who, when, why")
async def corrections(
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(require_roles(*AUDITORS)),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> Page[LedgerTransaction]:
    """Manual adjustments and reversals, newest first (keyset on the transaction sequence)."""
    after = decode_keyset(cursor, int)
    async with uow.read() as conn:
        rows: list[Any] = await queries.corrections(conn, principal.community, after, limit)
        page, next_cursor = keyset_page(rows, limit, "seq")
        postings = await queries.postings(conn, [r["id"] for r in page])
    by_tx: dict[uuid.UUID, list[PostingLine]] = {}
    for p in postings:
        by_tx.setdefault(p["transaction_id"], []).append(_posting(p))
    items = [_transaction(r, by_tx.get(r["id"], [])) for r in page]
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
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> Posted:
    tx, balance = await adjustments.reverse(uow, principal.community, transaction_id, reason=body.reason, by=principal)
    return Posted(transaction_id=tx, balance_after=balance)
