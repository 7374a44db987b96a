"""The database itself keeps the books honest: immutability, balance, no overdraft, exactly-once awards."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from services.rewards.domain.errors import AlreadyExists, InsufficientPoints
from services.rewards.domain.ledger import AccountKind, Posting, TransactionKind, Transfer
from services.rewards.service_layer import adjustments, bank
from services.rewards.service_layer import participation as participations
from services.rewards.service_layer.verify import verify
from tests.rewards.helpers import ADMIN, balance, connect, joined, ledger, participation


async def _award_two_hours(database_url: str) -> None:
    async with connect(database_url) as conn, conn.transaction():
        await participations.on_participation_completed(joined(conn), participation("wang-fang"))


async def test_ledger_tables_refuse_update_and_delete(database_url: str) -> None:
    await _award_two_hours(database_url)
    async with connect(database_url) as conn:
        for statement in (
            "UPDATE postings SET amount = amount + 1",
            "DELETE FROM postings",
            "UPDATE transactions SET memo = '{}'",
            "DELETE FROM transactions",
            "UPDATE awards SET points = 0",
            "DELETE FROM awards",
            "TRUNCATE postings CASCADE",
        ):
            with pytest.raises(asyncpg.PostgresError, match=r"refused|immutable"):
                await conn.execute(statement)
        assert await balance(conn, "wang-fang") == 24


async def test_a_cached_balance_cannot_be_set_by_hand(database_url: str) -> None:
    await _award_two_hours(database_url)
    async with connect(database_url) as conn:
        with pytest.raises(asyncpg.PostgresError, match="only through postings"):
            await conn.execute("UPDATE accounts SET balance = 1000 WHERE person_id = 'wang-fang'")


async def test_an_unbalanced_transaction_is_refused_at_commit(database_url: str) -> None:
    await _award_two_hours(database_url)
    async with connect(database_url) as conn:
        account = await ledger(conn).open_person_account("meihu", "wang-fang")
        tx = uuid.uuid4()

        async def one_sided() -> None:
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO transactions (id, community, kind, person_id) VALUES ($1, 'meihu', 'award', 'x')", tx
                )
                await conn.execute(
                    "INSERT INTO postings (transaction_id, account_id, amount) VALUES ($1, $2, 100)", tx, account
                )

        with pytest.raises(asyncpg.CheckViolationError, match="not balanced"):
            await one_sided()
        assert await balance(conn, "wang-fang") == 24


async def test_a_person_balance_cannot_go_negative_even_past_the_code(database_url: str) -> None:
    await _award_two_hours(database_url)
    async with connect(database_url) as conn:
        system = await ledger(conn).system_accounts("meihu")
        account = await ledger(conn).open_person_account("meihu", "wang-fang")
        transfer = Transfer(
            TransactionKind.ADJUSTMENT,
            "meihu",
            (Posting(account, -25), Posting(system[AccountKind.ADJUSTMENTS], 25)),
            reason="test",
            actor_id="admin",
        )
        with pytest.raises(InsufficientPoints):
            async with conn.transaction():
                await ledger(conn).write(transfer)  # no guard in code: the CHECK refuses it
        with pytest.raises(InsufficientPoints):
            async with conn.transaction():
                await bank.post(ledger(conn), transfer, guarded=account)
        assert await balance(conn, "wang-fang") == 24


async def test_the_award_key_is_unique_in_the_database(database_url: str) -> None:
    event = participation("wang-fang")
    async with connect(database_url) as conn:
        for _ in range(3):
            async with conn.transaction():
                await participations.on_participation_completed(joined(conn), event)
        assert await conn.fetchval("SELECT count(*) FROM awards") == 1
        assert await conn.fetchval("SELECT count(*) FROM transactions") == 1
        assert await balance(conn, "wang-fang") == 24
        row = await conn.fetchrow("SELECT * FROM awards")
        assert row is not None
        with pytest.raises(asyncpg.UniqueViolationError):
            await conn.execute(
                """INSERT INTO awards (community, person_id, source_event_id, source_event_type, rule_id, rule_version,
                   computed_points, points, service_day, explanation)
                   VALUES ('meihu', $1, $2, 'x', $3, 1, 0, 0, current_date, '{}')""",
                row["person_id"],
                row["source_event_id"],
                row["rule_id"],
            )


async def test_a_reversal_undoes_an_award_once_and_keeps_the_books_clean(database_url: str) -> None:
    await _award_two_hours(database_url)
    async with connect(database_url) as conn:
        tx = await conn.fetchval("SELECT id FROM transactions")
        async with conn.transaction():
            _, after = await adjustments.reverse(joined(conn), "meihu", tx, reason="wrong shift", by=ADMIN)
        assert after == 0
        with pytest.raises(AlreadyExists):
            async with conn.transaction():
                await adjustments.reverse(joined(conn), "meihu", tx, reason="again", by=ADMIN)
        report = await verify(joined(conn), None)
        assert report["clean"], report
        assert report["counts"]["transactions"] == 2
