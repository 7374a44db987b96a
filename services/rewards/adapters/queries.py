"""The love bank's reads for the routes: plain SQL on a connection from `uow.read()`; nothing here changes a row."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg

from services.kernel.db import Connection
from services.rewards.adapters.prizes_repo import PRIZE

# -- accounts -------------------------------------------------------------------------------

_PERSON = "SELECT * FROM accounts WHERE community = $1 AND kind = 'person' AND person_id = $2"
_ACCOUNT_TOTALS = """
SELECT (SELECT coalesce(sum(points), 0) FROM redemptions
         WHERE community = $1 AND person_id = $2 AND status = 'reserved')::bigint AS reserved,
       (SELECT coalesce(sum(points), 0) FROM awards WHERE community = $1 AND person_id = $2)::bigint AS earned,
       (SELECT count(*) FROM no_shows WHERE community = $1 AND person_id = $2) AS no_shows
"""
_HOURS_OF = """
SELECT coalesce(max(confirmed_hours), 0) FROM accounts WHERE community = $1 AND kind = 'person' AND person_id = $2
"""
_STATEMENT = """
SELECT p.id AS posting_id, p.transaction_id, t.kind, p.amount, p.balance_after, t.memo, t.reason,
       t.actor_id, t.redemption_id, p.created_at AS at
FROM postings p JOIN transactions t ON t.id = p.transaction_id
WHERE p.account_id = $1 AND ($2::bigint IS NULL OR p.id < $2)
ORDER BY p.id DESC LIMIT $3
"""
_AWARDS_OF = """
SELECT * FROM awards WHERE community = $1 AND person_id = $2
  AND ($3::timestamptz IS NULL OR (awarded_at, id) < ($3, $4::uuid))
ORDER BY awarded_at DESC, id DESC LIMIT $5
"""
_AWARD = "SELECT * FROM awards WHERE id = $1"


async def person_account(conn: Connection, community: str, person_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(_PERSON, community, person_id)


async def account_totals(conn: Connection, community: str, person_id: str) -> asyncpg.Record:
    """Points reserved by open redemptions, points ever awarded, no-shows counted."""
    row = await conn.fetchrow(_ACCOUNT_TOTALS, community, person_id)
    assert row is not None
    return row


async def confirmed_hours(conn: Connection, community: str, person_id: str) -> Decimal:
    """Hours of every participation.hours award of the person: the account's running total, kept by the award writers."""
    hours: Decimal = await conn.fetchval(_HOURS_OF, community, person_id)
    return hours


async def statement(
    conn: Connection, account_id: uuid.UUID, after: tuple[Any, ...] | None, limit: int
) -> list[asyncpg.Record]:
    """Postings of an account, newest first, with their running balances (limit + 1 rows: is there more?)."""
    return list(await conn.fetch(_STATEMENT, account_id, after[0] if after else None, limit + 1))


async def awards_of(
    conn: Connection, community: str, person_id: str, after: tuple[Any, ...] | None, limit: int
) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            _AWARDS_OF, community, person_id, after[0] if after else None, after[1] if after else None, limit + 1
        )
    )


async def award(conn: Connection, award_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(_AWARD, award_id)


# -- the ledger -----------------------------------------------------------------------------

_SYSTEM_BALANCES = """
SELECT kind, CASE WHEN kind = 'issuance'
                  THEN -(SELECT coalesce(sum(o.balance), 0) FROM accounts o
                         WHERE o.community = $1 AND o.kind <> 'issuance')::bigint
                  ELSE balance END AS balance
FROM accounts WHERE community = $1 AND kind <> 'person' ORDER BY kind
"""
_TRANSACTION = """
SELECT t.*, (SELECT r.id FROM transactions r WHERE r.reverses = t.id) AS reversed_by
FROM transactions t WHERE t.id = $1
"""
_POSTINGS = """
SELECT p.transaction_id, a.kind AS account_kind, a.person_id, p.amount, p.balance_after
FROM postings p JOIN accounts a ON a.id = p.account_id
WHERE p.transaction_id = ANY($1::uuid[]) ORDER BY p.id
"""
_CORRECTIONS = """
SELECT t.*, (SELECT r.id FROM transactions r WHERE r.reverses = t.id) AS reversed_by FROM transactions t
WHERE t.community = $1 AND t.kind IN ('adjustment', 'reversal') AND ($2::bigint IS NULL OR t.seq < $2)
ORDER BY t.seq DESC LIMIT $3
"""


async def system_balances(conn: Connection, community: str) -> list[asyncpg.Record]:
    """The community's system accounts; issuance's balance derived (minus every other account's)."""
    return list(await conn.fetch(_SYSTEM_BALANCES, community))


async def transaction(conn: Connection, transaction_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(_TRANSACTION, transaction_id)


async def postings(conn: Connection, transaction_ids: list[uuid.UUID]) -> list[asyncpg.Record]:
    """The postings of these transactions with their accounts, in posting order."""
    return list(await conn.fetch(_POSTINGS, transaction_ids))


async def corrections(
    conn: Connection, community: str, after: tuple[Any, ...] | None, limit: int
) -> list[asyncpg.Record]:
    """Manual adjustments and reversals, newest first (limit + 1 rows)."""
    return list(await conn.fetch(_CORRECTIONS, community, after[0] if after else None, limit + 1))


# -- prizes and redemptions -----------------------------------------------------------------

_REDEMPTIONS = """
SELECT * FROM redemptions WHERE community = $1
  AND ($2::text IS NULL OR person_id = $2) AND ($3::text IS NULL OR status = $3)
  AND ($4::text IS NULL OR pickup_code = $4)
  AND ($5::timestamptz IS NULL OR (reserved_at, id) < ($5, $6::uuid))
ORDER BY reserved_at DESC, id DESC LIMIT $7
"""


async def prizes(conn: Connection, community: str) -> list[asyncpg.Record]:
    return list(await conn.fetch(PRIZE + " WHERE community = $1 ORDER BY cost, code", community))


async def redemptions(
    conn: Connection,
    community: str,
    *,
    person_id: str | None,
    status: str | None,
    pickup_code: str | None,
    after: tuple[Any, ...] | None,
    limit: int,
) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            _REDEMPTIONS,
            community,
            person_id,
            status,
            pickup_code,
            after[0] if after else None,
            after[1] if after else None,
            limit + 1,
        )
    )


# -- honours, leaderboards, certificates ----------------------------------------------------

_HONOURS = """
SELECT * FROM honours WHERE community = $1 AND ($2::text IS NULL OR person_id = $2)
  AND ($3::int IS NULL OR year = $3) ORDER BY granted_at DESC, id LIMIT 500
"""
_HONOUR = "SELECT * FROM honours WHERE id = $1"
_CANDIDATES = """
WITH totals AS (
    SELECT w.person_id, acc.building_group, sum(w.points)::bigint AS points, sum(w.hours) AS hours
    FROM awards w JOIN accounts acc
      ON acc.community = w.community AND acc.kind = 'person' AND acc.person_id = w.person_id
    WHERE w.community = $1 AND extract(year FROM w.service_day) = $2
      AND ($3::int IS NULL OR acc.building_group = $3)
    GROUP BY w.person_id, acc.building_group
)
SELECT * FROM (
    SELECT a.*, rank() OVER (PARTITION BY {partition} ORDER BY a.points DESC, a.hours DESC) AS rank,
           EXISTS (SELECT 1 FROM honours h WHERE h.community = $1 AND h.person_id = a.person_id
                   AND h.kind = $5 AND h.year = $2) AS granted
    FROM totals a
) ranked WHERE rank <= $4
ORDER BY building_group NULLS LAST, rank, person_id
"""
# The period's totals come through the primary key and are sorted (no index orders them by a
# total: every award would rewrite its entries, see migration leaderboard_updates_in_place);
# the accounts are read for the building group filter when one is asked, else for the top only.
_LEADERBOARD = """
WITH top AS (
    SELECT t.person_id, t.points, t.hours FROM leaderboard_totals t
    WHERE t.community = $1 AND t.period = $2 AND t.period_start = $3
      AND ($4::int IS NULL OR EXISTS (
          SELECT 1 FROM accounts g WHERE g.community = $1 AND g.kind = 'person'
                                     AND g.person_id = t.person_id AND g.building_group = $4))
    ORDER BY {order}, t.person_id LIMIT $5)
SELECT t.person_id, a.building_group, t.points, t.hours::float8 AS hours
FROM top t JOIN accounts a ON a.community = $1 AND a.kind = 'person' AND a.person_id = t.person_id
ORDER BY {order}, t.person_id
"""
_ORDERS = {"points": "t.points DESC, t.hours DESC", "hours": "t.hours DESC, t.points DESC"}
_CERTIFICATE = "SELECT * FROM certificates WHERE id = $1"
_CERTIFICATES_OF = "SELECT * FROM certificates WHERE community = $1 AND person_id = $2 ORDER BY issued_at DESC, id"


async def honours(conn: Connection, community: str, person_id: str | None, year: int | None) -> list[asyncpg.Record]:
    return list(await conn.fetch(_HONOURS, community, person_id, year))


async def honour(conn: Connection, honour_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(_HONOUR, honour_id)


async def candidates(
    conn: Connection, community: str, kind: str, year: int, building_group: int | None, limit: int, *, by_group: bool
) -> list[asyncpg.Record]:
    """People ranked by points earned in the year, then confirmed hours; `by_group`: ranked per building group."""
    sql = _CANDIDATES.format(partition="a.building_group" if by_group else "NULL::int")
    return list(await conn.fetch(sql, community, year, building_group, limit, kind))


async def leaderboard(
    conn: Connection, community: str, period: str, start: date, metric: str, building_group: int | None, limit: int
) -> list[asyncpg.Record]:
    """The period's top earners, by points then hours (or hours then points)."""
    sql = _LEADERBOARD.format(order=_ORDERS[metric])
    return list(await conn.fetch(sql, community, period, start, building_group, limit))


async def certificate(conn: Connection, certificate_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(_CERTIFICATE, certificate_id)


async def certificates_of(conn: Connection, community: str, person_id: str) -> list[asyncpg.Record]:
    return list(await conn.fetch(_CERTIFICATES_OF, community, person_id))


# -- the audit ------------------------------------------------------------------------------

CHECKS: dict[str, str] = {
    "unbalanced_transactions": """
        SELECT t.id::text AS transaction_id, coalesce(sum(p.amount), 0)::bigint AS total, count(p.id) AS postings
        FROM transactions t LEFT JOIN postings p ON p.transaction_id = t.id
        WHERE ($1::text IS NULL OR t.community = $1)
        GROUP BY t.id HAVING coalesce(sum(p.amount), 0) <> 0 OR count(p.id) < 2 LIMIT 100""",
    "cached_balance_mismatches": """
        SELECT a.id::text AS account_id, a.kind, a.person_id, a.balance AS cached,
               coalesce(d.derived, 0)::bigint AS derived
        FROM accounts a LEFT JOIN (SELECT account_id, sum(amount) AS derived FROM postings GROUP BY account_id) d
          ON d.account_id = a.id
        WHERE ($1::text IS NULL OR a.community = $1) AND a.kind <> 'issuance'
          AND a.balance <> coalesce(d.derived, 0) LIMIT 100""",
    "negative_person_balances": """
        SELECT id::text AS account_id, person_id, balance FROM accounts
        WHERE ($1::text IS NULL OR community = $1) AND kind IN ('person', 'reserved') AND balance < 0 LIMIT 100""",
    "running_balance_breaks": """
        SELECT id AS posting_id, account_id::text, balance_after, running FROM (
            SELECT p.id, p.account_id, p.balance_after,
                   (sum(p.amount) OVER (PARTITION BY p.account_id ORDER BY p.id))::bigint AS running
            FROM postings p JOIN accounts a ON a.id = p.account_id
            WHERE ($1::text IS NULL OR a.community = $1) AND a.kind <> 'issuance'
        ) s WHERE balance_after IS DISTINCT FROM running LIMIT 100""",
    "reserved_mismatch": """
        SELECT a.community, a.balance AS reserved_account,
               coalesce((SELECT sum(points) FROM redemptions r
                         WHERE r.community = a.community AND r.status = 'reserved'), 0)::bigint AS open_reservations
        FROM accounts a WHERE a.kind = 'reserved' AND ($1::text IS NULL OR a.community = $1)
          AND a.balance <> coalesce((SELECT sum(points) FROM redemptions r
                                     WHERE r.community = a.community AND r.status = 'reserved'), 0)""",
}
_SUM_OF_POSTINGS = """
SELECT coalesce(sum(p.amount), 0)::bigint FROM postings p JOIN accounts a ON a.id = p.account_id
WHERE ($1::text IS NULL OR a.community = $1)
"""
_COUNTS = """
SELECT (SELECT count(*) FROM transactions WHERE $1::text IS NULL OR community = $1) AS transactions,
       (SELECT count(*) FROM postings p JOIN accounts a ON a.id = p.account_id
         WHERE $1::text IS NULL OR a.community = $1) AS postings,
       (SELECT count(*) FROM accounts WHERE $1::text IS NULL OR community = $1) AS accounts
"""


async def audit(conn: Connection, community: str | None) -> dict[str, Any]:
    """What every check found, the sum of all postings and the counts, read in one REPEATABLE READ snapshot."""
    report: dict[str, Any] = {}
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        for name, sql in CHECKS.items():
            report[name] = [dict(r) for r in await conn.fetch(sql, community)]
        report["sum_of_all_postings"] = await conn.fetchval(_SUM_OF_POSTINGS, community)
        counts = await conn.fetchrow(_COUNTS, community)
    report["counts"] = dict(counts) if counts else {}
    return report
