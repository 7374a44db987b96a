"""Property: any sequence of awards, duplicate deliveries, redemptions, cancellations, fulfilments and
adjustments keeps every ledger invariant. Runs on the real database through the service layer; each
example uses a community of its own, so examples never see each other's books."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.rewards.domain.errors import IllegalTransition, InsufficientPoints, OutOfStock
from services.rewards.service_layer import adjustments, awards, redemptions
from services.rewards.service_layer import participation as participations
from services.rewards.service_layer.verify import verify
from tests.rewards.helpers import ADMIN, connect, joined, participation, resolved
from tests.rewards.helpers import person as caller

PEOPLE = ("p0", "p1", "p2")
PRIZES = ((30, 2), (50, 1))  # (cost, stock)

ops = st.one_of(
    st.tuples(st.just("award"), st.sampled_from(PEOPLE), st.sampled_from([0.5, 1.0, 2.5, 4.0])),
    st.tuples(st.just("resolve"), st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=4)),
    st.tuples(st.just("redeliver"), st.integers(0, 50)),
    st.tuples(st.just("redeem"), st.sampled_from(PEOPLE), st.integers(0, len(PRIZES) - 1)),
    st.tuples(st.just("cancel"), st.integers(0, 50)),
    st.tuples(st.just("fulfil"), st.integers(0, 50)),
    st.tuples(st.just("adjust"), st.sampled_from(PEOPLE), st.integers(-40, 40).filter(bool)),
)


@dataclass
class Books:
    community: str = field(default_factory=lambda: "c" + uuid.uuid4().hex[:12])
    events: list[Any] = field(default_factory=list)
    redemptions: list[uuid.UUID] = field(default_factory=list)
    prize_ids: list[uuid.UUID] = field(default_factory=list)


async def apply(conn: Any, books: Books, op: tuple[Any, ...]) -> None:
    kind = op[0]
    try:
        async with conn.transaction():
            if kind == "award":
                event = participation(op[1], hours=op[2], community=books.community)
                books.events.append(event)
                await participations.on_participation_completed(joined(conn), event)
            elif kind == "resolve":
                issue = resolved(op[1], community=books.community)
                books.events.append(issue)
                await awards.on_issue_resolved(joined(conn), issue)
            elif kind == "redeliver" and books.events:
                again = books.events[op[1] % len(books.events)]
                handler = (
                    awards.on_issue_resolved
                    if again.type.startswith("linli.issue")
                    else participations.on_participation_completed
                )
                await handler(joined(conn), again)
            elif kind == "redeem":
                row, _ = await redemptions.reserve(joined(conn), books.community, op[1], books.prize_ids[op[2]])
                books.redemptions.append(row["id"])
            elif kind in ("cancel", "fulfil") and books.redemptions:
                target = books.redemptions[op[1] % len(books.redemptions)]
                if kind == "cancel":
                    await redemptions.cancel(joined(conn), books.community, target, caller("p0", books.community), None)
                else:
                    await redemptions.fulfil(joined(conn), books.community, target, ADMIN)
            elif kind == "adjust":
                await adjustments.adjust(joined(conn), books.community, op[1], op[2], reason="property", by=ADMIN)
    except (InsufficientPoints, OutOfStock, IllegalTransition):
        pass  # refused: the invariants below prove it changed nothing


async def check_invariants(conn: Any, books: Books) -> None:
    report = await verify(joined(conn), books.community)
    assert report["clean"], report
    assert report["sum_of_all_postings"] == 0
    for person in PEOPLE:
        balance = await conn.fetchval(
            "SELECT coalesce(max(balance), 0) FROM accounts WHERE community = $1 AND person_id = $2",
            books.community,
            person,
        )
        expected = await conn.fetchval(
            """SELECT (SELECT coalesce(sum(points), 0) FROM awards WHERE community = $1 AND person_id = $2)
                    + (SELECT coalesce(sum(p.amount), 0) FROM transactions t JOIN postings p ON p.transaction_id = t.id
                       JOIN accounts a ON a.id = p.account_id
                       WHERE t.community = $1 AND t.kind = 'adjustment' AND a.person_id = $2)
                    - (SELECT coalesce(sum(points), 0) FROM redemptions
                       WHERE community = $1 AND person_id = $2 AND status <> 'cancelled')""",
            books.community,
            person,
        )
        assert balance >= 0
        assert balance == expected
    for (_, initial), prize_id in zip(PRIZES, books.prize_ids, strict=True):
        stock, taken = await conn.fetchrow(
            """SELECT stock, (SELECT count(*) FROM redemptions WHERE prize_id = $1 AND status <> 'cancelled')
               FROM prizes WHERE id = $1""",
            prize_id,
        )
        assert stock >= 0
        assert stock + taken == initial
    # One award per (event, recipient, rule), however often an event was delivered.
    expected_awards = sum(len(set(getattr(e.data, "contributors", [None]))) for e in books.events)
    assert await conn.fetchval("SELECT count(*) FROM awards WHERE community = $1", books.community) == expected_awards


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(ops, min_size=1, max_size=20))
async def test_every_sequence_keeps_the_ledger_invariants(database_url: str, sequence: list[tuple[Any, ...]]) -> None:
    books = Books()
    async with connect(database_url) as conn:
        for i, (cost, stock) in enumerate(PRIZES):
            books.prize_ids.append(
                await conn.fetchval(
                    "INSERT INTO prizes (community, code, name_zh, name_en, cost, stock) VALUES ($1, $2, '奖品', 'Prize', $3, $4) RETURNING id",
                    books.community,
                    f"prize-{i}",
                    cost,
                    stock,
                )
            )
        for op in sequence:
            await apply(conn, books, op)
            await check_invariants(conn, books)  # after every step, not only at the end
