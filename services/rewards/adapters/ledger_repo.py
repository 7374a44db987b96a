"""Postgres side of the ledger: accounts, locks and balanced transactions (plain SQL, asyncpg)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

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
_OPEN_PEOPLE = """
INSERT INTO accounts (community, kind, person_id, building_group, volunteer_no)
SELECT $1, 'person', p, g, upper(left($1, 2)) || lpad(nextval('volunteer_numbers')::text, 6, '0')
FROM unnest($2::text[], $3::int[]) WITH ORDINALITY AS t(p, g, n) ORDER BY n
ON CONFLICT (community, kind, person_id) DO NOTHING
"""
_LOCK_PEOPLE = """
SELECT id, person_id, balance, building_group, confirmed_hours FROM accounts
WHERE community = $1 AND kind = 'person' AND person_id = ANY($2::text[]) ORDER BY id FOR UPDATE
"""
_SET_GROUPS = """
UPDATE accounts a SET building_group = t.g FROM unnest($1::uuid[], $2::int[]) AS t(id, g) WHERE a.id = t.id
"""
_INSERT_TXS = """
INSERT INTO transactions (id, community, kind, person_id, memo, reason, actor_id, reverses, redemption_id)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::text[],
                     $8::uuid[], $9::uuid[])
"""
_INSERT_MANY_POSTINGS = """
INSERT INTO postings (transaction_id, account_id, amount)
SELECT t, a, m FROM unnest($1::uuid[], $2::uuid[], $3::bigint[]) WITH ORDINALITY AS p(t, a, m, n) ORDER BY n
RETURNING transaction_id, account_id, balance_after
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


@dataclass(frozen=True)
class PersonAccount:
    """A person's account row as read under its lock."""

    id: uuid.UUID
    person_id: str
    balance: int
    building_group: int | None
    confirmed_hours: Decimal


async def open_and_lock_people(
    conn: Connection, community: str, building_groups: Mapping[str, int | None]
) -> dict[str, PersonAccount]:
    """Open the accounts of these people where missing and lock them all, in the global lock order.

    `building_groups` maps each person to the building group the events last told (None: not told);
    an account learns it as open_person_account would. New accounts are inserted in person order
    (two batches opening the same accounts queue on the first, never cross), then all are locked by
    id, like every other writer, before any system account."""
    people = sorted(building_groups)
    await conn.execute(_OPEN_PEOPLE, community, people, [building_groups[p] for p in people])
    rows = await conn.fetch(_LOCK_PEOPLE, community, people)
    accounts = {r["person_id"]: PersonAccount(**dict(r)) for r in rows}
    moved = {
        accounts[p].id: group
        for p, group in building_groups.items()
        if group is not None and accounts[p].building_group != group
    }
    if moved:
        await conn.execute(_SET_GROUPS, list(moved), list(moved.values()))
    return accounts


async def lock(conn: Connection, account_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Lock accounts in the one global order: person accounts by id, then system accounts by id.

    Every writer follows it (and a handler paying several people locks them all before any
    system account), so two transactions never wait on each other in a cycle. The issuance
    account is never locked: it keeps no cached balance (postings to it move no row), so
    awards to different people do not queue on it."""
    rows = await conn.fetch(
        """SELECT id, balance FROM accounts WHERE id = ANY($1::uuid[]) AND kind <> 'issuance'
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


async def write_many(conn: Connection, transfers: Sequence[Transfer]) -> dict[tuple[uuid.UUID, uuid.UUID], int]:
    """Write balanced transactions with two statements, in order (the posting trigger moves the cached
    balances row by row, so running balances follow the order). Returns the balance after each posting,
    keyed by (transaction, account). The caller holds the locks, as for `write`."""
    if not transfers:
        return {}
    await conn.execute(
        _INSERT_TXS,
        [t.id for t in transfers],
        [t.community for t in transfers],
        [str(t.kind) for t in transfers],
        [t.person_id for t in transfers],
        [t.memo for t in transfers],
        [t.reason for t in transfers],
        [t.actor_id for t in transfers],
        [t.reverses for t in transfers],
        [t.redemption_id for t in transfers],
    )
    postings = [(t.id, p.account_id, p.amount) for t in transfers for p in t.postings]
    try:
        rows = await conn.fetch(
            _INSERT_MANY_POSTINGS, [p[0] for p in postings], [p[1] for p in postings], [p[2] for p in postings]
        )
    except asyncpg.CheckViolationError as exc:
        if exc.constraint_name == "balance_never_negative":
            raise InsufficientPoints("The balance is too low for this.") from exc
        raise
    return {(r["transaction_id"], r["account_id"]): r["balance_after"] for r in rows}
