"""Postgres side of the ledger: accounts, locks and balanced transactions (plain SQL, asyncpg)."""

from __future__ import annotations

import uuid

import asyncpg

from services.kernel.db import Connection
from services.rewards.domain.errors import InsufficientPoints
from services.rewards.domain.ledger import SYSTEM_ACCOUNTS, AccountKind, Transfer

_SYSTEM = """
INSERT INTO accounts (community, kind) SELECT $1, unnest($2::text[])
ON CONFLICT (community, kind, person_id) DO NOTHING
"""
_OPEN_PERSON = """
INSERT INTO accounts (community, kind, person_id, building_group, volunteer_no)
VALUES ($1, 'person', $2, $3, upper(left($1, 2)) || lpad(nextval('volunteer_numbers')::text, 6, '0'))
ON CONFLICT (community, kind, person_id) DO NOTHING
RETURNING id
"""
_INSERT_TX = """
INSERT INTO transactions (id, community, kind, person_id, memo, reason, actor_id, reverses, redemption_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
"""
_INSERT_POSTINGS = """
INSERT INTO postings (transaction_id, account_id, amount)
SELECT $1, a, m FROM unnest($2::uuid[], $3::bigint[]) AS t(a, m)
RETURNING account_id, balance_after
"""


async def system_accounts(conn: Connection, community: str) -> dict[AccountKind, uuid.UUID]:
    rows = await conn.fetch("SELECT kind, id FROM accounts WHERE community = $1 AND kind <> 'person'", community)
    if len(rows) < len(SYSTEM_ACCOUNTS):
        await conn.execute(_SYSTEM, community, [str(k) for k in SYSTEM_ACCOUNTS])
        rows = await conn.fetch("SELECT kind, id FROM accounts WHERE community = $1 AND kind <> 'person'", community)
    return {AccountKind(r["kind"]): r["id"] for r in rows}


async def person_account(conn: Connection, community: str, person_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM accounts WHERE community = $1 AND kind = 'person' AND person_id = $2", community, person_id
    )


async def open_person_account(
    conn: Connection, community: str, person_id: str, building_group: int | None = None
) -> uuid.UUID:
    """The person's account, opened on first use; learns the building group when an event tells it."""
    account_id: uuid.UUID | None = await conn.fetchval(_OPEN_PERSON, community, person_id, building_group)
    if account_id is not None:
        return account_id
    row = await person_account(conn, community, person_id)
    assert row is not None
    if building_group is not None and row["building_group"] != building_group:
        await conn.execute("UPDATE accounts SET building_group = $2 WHERE id = $1", row["id"], building_group)
    found: uuid.UUID = row["id"]
    return found


async def lock(conn: Connection, account_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Lock accounts in the one global order: person accounts by id, then system accounts by id.

    Every writer follows it (and a handler paying several people locks them all before any
    system account), so two transactions never wait on each other in a cycle."""
    rows = await conn.fetch(
        """SELECT id, balance FROM accounts WHERE id = ANY($1::uuid[])
           ORDER BY kind <> 'person', id FOR UPDATE""",
        account_ids,
    )
    return {r["id"]: r["balance"] for r in rows}


async def write(conn: Connection, transfer: Transfer) -> dict[uuid.UUID, int]:
    """Write a balanced transaction; the posting trigger moves the cached balances. Returns balances after."""
    await conn.execute(
        _INSERT_TX,
        transfer.id,
        transfer.community,
        str(transfer.kind),
        transfer.person_id,
        transfer.memo,
        transfer.reason,
        transfer.actor_id,
        transfer.reverses,
        transfer.redemption_id,
    )
    try:
        rows = await conn.fetch(
            _INSERT_POSTINGS,
            transfer.id,
            [p.account_id for p in transfer.postings],
            [p.amount for p in transfer.postings],
        )
    except asyncpg.CheckViolationError as exc:
        if exc.constraint_name == "balance_never_negative":
            raise InsufficientPoints("The balance is too low for this.") from exc
        raise
    return {r["account_id"]: r["balance_after"] for r in rows}
