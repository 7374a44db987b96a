"""Everything the love bank holds about a person, and what forgetting them does to it.

The books are written once: transactions, their postings and the awards behind them refuse UPDATE
and DELETE by trigger, and forgetting keeps it so. They name a person only by the subject id of
their token (no name, no contact), so they are kept as written (`keep` below). What else names the
person is moved to their pseudonym: the account (its balance is the sum of its postings, which
refer to the account, not to the person, so the books still balance), redemptions, certificates
and honours with their names and identity numbers cleared (honours accept exactly that change, see
the migration 20261207020000), the leaderboard totals and no-shows."""

from __future__ import annotations

from typing import Any

from services.kernel import holdings
from services.kernel.db import Connection
from services.kernel.holdings import Holding
from services.kernel.privacy import Forgetting

STATEMENT = """(SELECT a.community, a.person_id, p.transaction_id, t.kind, t.reason, p.amount, p.balance_after,
                       t.created_at
                FROM postings p JOIN accounts a ON a.id = p.account_id JOIN transactions t ON t.id = p.transaction_id
                WHERE a.kind = 'person') statement"""

HOLDINGS = (
    Holding("account", "accounts", "person_id", "anonymise", scope="community = $1 AND kind = 'person'"),
    Holding("statement", STATEMENT, "person_id", "keep", order="created_at, transaction_id"),
    Holding("awards", "awards", "person_id", "keep", order="awarded_at, id"),
    Holding("adjustments_made", "transactions", "actor_id", "keep", order="created_at, id"),
    Holding("redemptions", "redemptions", "person_id", "anonymise", order="reserved_at, id"),
    Holding("redemptions_settled", "redemptions", "settled_by", "anonymise", select="id, settled_at"),
    Holding(
        "certificates",
        "certificates",
        "person_id",
        "anonymise",
        clear={"person_name": "''", "id_document": "''", "id_number": "''", "content": "'{}'::jsonb"},
        order="issued_at, id",
    ),
    Holding("honours", "honours", "person_id", "anonymise", clear={"person_name": "NULL"}, order="granted_at, id"),
    Holding("leaderboard", "leaderboard_totals", "person_id", "anonymise", order="period, period_start"),
    Holding("no_shows", "no_shows", "person_id", "anonymise", order="recorded_at"),
    Holding("micro_wish_awards", "micro_wish_awards", "person_id", "anonymise", order="paid_at"),
)


async def export(conn: Connection, community: str, person_id: str) -> dict[str, list[dict[str, Any]]]:
    return await holdings.export(conn, HOLDINGS, community, person_id)


async def forget(conn: Connection, community: str, person_id: str, alias: str) -> Forgetting:
    return await holdings.forget(conn, HOLDINGS, community, person_id, alias, Forgetting())
