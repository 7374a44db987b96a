"""The auditor: recompute the books from the postings and compare with what is cached.

The issuance account caches no balance (migration 20261130100000): its balance is minus the sum
of the others, so `sum_of_all_postings` = 0 together with every other account's cached balance
matching its postings is what proves it."""

from __future__ import annotations

from typing import Any

from services.kernel.db import Connection

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


async def verify(conn: Connection, community: str | None) -> dict[str, Any]:
    """A report of every check; `clean` is true when nothing was found. Runs in one REPEATABLE READ snapshot."""
    report: dict[str, Any] = {}
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        for name, sql in CHECKS.items():
            report[name] = [dict(r) for r in await conn.fetch(sql, community)]
        total = await conn.fetchval(
            """SELECT coalesce(sum(p.amount), 0)::bigint FROM postings p JOIN accounts a ON a.id = p.account_id
               WHERE ($1::text IS NULL OR a.community = $1)""",
            community,
        )
        counts = await conn.fetchrow(
            """SELECT (SELECT count(*) FROM transactions WHERE $1::text IS NULL OR community = $1) AS transactions,
                      (SELECT count(*) FROM postings p JOIN accounts a ON a.id = p.account_id
                        WHERE $1::text IS NULL OR a.community = $1) AS postings,
                      (SELECT count(*) FROM accounts WHERE $1::text IS NULL OR community = $1) AS accounts""",
            community,
        )
    report["sum_of_all_postings"] = total
    report["counts"] = dict(counts) if counts else {}
    report["clean"] = total == 0 and not any(report[name] for name in CHECKS)
    return report
