"""Postgres side of the ledger: accounts, locks, balanced transactions, and the award and honour rows
written with them (plain SQL, asyncpg). One repository per unit of work, on its connection."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import asyncpg

from services.kernel.cache import Cache
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
RETURNING person_id
"""
_LOCK_PEOPLE = """
SELECT id, person_id, balance, building_group, confirmed_hours FROM accounts
WHERE community = $1 AND kind = 'person' AND person_id = ANY($2::text[]) ORDER BY id FOR UPDATE
"""
_UPDATE_PEOPLE = """
UPDATE accounts a SET confirmed_hours = a.confirmed_hours + t.h, building_group = coalesce(t.g, a.building_group)
FROM unnest($1::uuid[], $2::text[]::numeric[], $3::int[]) AS t(id, h, g) WHERE a.id = t.id
"""
_ADD_HOURS = "UPDATE accounts SET confirmed_hours = confirmed_hours + $2 WHERE id = $1 RETURNING confirmed_hours"
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


# By kind, not `kind <> 'person'`: that reads every person's account of the community to find the few others.
_SYSTEM_OF = "SELECT kind, id FROM accounts WHERE community = $1 AND kind = ANY($2::text[]) AND person_id IS NULL"
_SYSTEM_KINDS = [str(k) for k in SYSTEM_ACCOUNTS]


_PERSON = "SELECT * FROM accounts WHERE community = $1 AND kind = 'person' AND person_id = $2"
_SET_GROUP = "UPDATE accounts SET building_group = $2 WHERE id = $1"
_LOCK = """
SELECT id, balance FROM accounts WHERE id = ANY($1::uuid[]) AND kind <> 'issuance'
ORDER BY kind <> 'person', id FOR UPDATE
"""
_INSERT_AWARD = """
INSERT INTO awards (community, person_id, source_event_id, source_event_type, rule_id, rule_version, cap_version,
                    computed_points, points, hours, night_hours, post_type, service_day, building_group,
                    explanation, transaction_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
ON CONFLICT ON CONSTRAINT award_once DO NOTHING
RETURNING id
"""
_EARNED_ON = "SELECT coalesce(sum(points), 0) FROM awards WHERE community = $1 AND person_id = $2 AND service_day = $3"
_ALREADY_AWARDED = """
SELECT source_event_id FROM awards WHERE source_event_id = ANY($1::uuid[]) AND rule_id = $2
"""
_EARNED = """
SELECT k.person_id, k.service_day, e.points
FROM unnest($2::text[], $3::date[]) AS k(person_id, service_day)
CROSS JOIN LATERAL (SELECT coalesce(sum(w.points), 0)::bigint AS points FROM awards w
                    WHERE w.community = $1 AND w.person_id = k.person_id AND w.service_day = k.service_day) e
"""
# A plan made while awards was nearly empty (a fresh database has no statistics until autovacuum
# analyses it, and a prepared statement keeps its plan) would read every award of the community for
# each batch. The batch's lookups are by key, one per person and day: no scan of a whole table is ever
# what they need, so the batch transaction rules it out.
_INDEXED_LOOKUPS = "SET LOCAL enable_seqscan = off"
_INSERT_AWARDS = """
INSERT INTO awards (community, person_id, source_event_id, source_event_type, rule_id, rule_version, cap_version,
                    computed_points, points, hours, night_hours, post_type, service_day, building_group,
                    explanation, transaction_id)
SELECT $1, person_id, source_event_id, $2, $3, $4, $5, computed, points, hours, night_hours, post_type, day, bg,
       explanation, transaction_id
FROM unnest($6::text[], $7::uuid[], $8::int[], $9::int[], $10::text[]::numeric[], $11::text[]::numeric[],
            $12::text[], $13::date[], $14::int[], $15::jsonb[], $16::uuid[]) WITH ORDINALITY
     AS a(person_id, source_event_id, computed, points, hours, night_hours, post_type, day, bg, explanation,
          transaction_id, n)
ORDER BY n
ON CONFLICT ON CONSTRAINT award_once DO NOTHING
RETURNING source_event_id
"""
_NO_SHOW = """
INSERT INTO no_shows (participation_id, community, person_id, shift_id, post_type, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
"""
_INSERT_HONOUR = """
INSERT INTO honours (id, community, person_id, kind, level, year, building_group, citation, granted_by, granted_at,
                     person_name)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT DO NOTHING
RETURNING id
"""
_TRANSACTION = "SELECT * FROM transactions WHERE id = $1 AND community = $2"
_REVERSED = "SELECT 1 FROM transactions WHERE reverses = $1"
_POSTINGS_OF = "SELECT account_id, amount FROM postings WHERE transaction_id = $1"


class OpenedAccounts:
    """People whose account this process has seen: they need no opening insert again.

    An award goes to a person with an account nearly always, and a conflicting insert still draws
    a volunteer number and probes the unique index. Accounts are never deleted (a trigger refuses
    it); an account remembered but not found (its opening rolled back, or the database was
    restored) is forgotten and opened then, so remembering one too early costs a lookup, never an
    award. Bounded: when full it starts again (one opening insert per person, once)."""

    def __init__(self, limit: int = 200_000) -> None:
        self._limit = limit
        self._known: set[tuple[str, str]] = set()

    def has(self, community: str, person_id: str) -> bool:
        return (community, person_id) in self._known

    def add(self, community: str, people: Iterable[str]) -> None:
        if len(self._known) >= self._limit:
            self._known.clear()
        self._known.update((community, p) for p in people)

    def forget(self, community: str, people: Iterable[str]) -> None:
        self._known.difference_update((community, p) for p in people)


SystemAccounts = dict[AccountKind, uuid.UUID]


def system_accounts_cache() -> Cache[SystemAccounts]:
    """Each community's system accounts: ids that never change once made (accounts are never deleted),
    kept per process; forgotten by a TRUNCATE of the accounts (migration 20261207030300_rewards_caches)."""
    return Cache("system_accounts")


@dataclass(frozen=True)
class PersonAccount:
    """A person's account row as read under its lock."""

    id: uuid.UUID
    person_id: str
    balance: int
    building_group: int | None
    confirmed_hours: Decimal


@dataclass(frozen=True)
class AwardRow:
    """One award to write: what a rule computed for one person and one source event, after the daily cap."""

    person_id: str
    source_event_id: uuid.UUID
    computed_points: int
    points: int
    hours: Decimal
    night_hours: Decimal
    post_type: str | None
    service_day: date
    building_group: int | None
    explanation: dict[str, str]
    transaction_id: uuid.UUID | None


class LedgerRepository:
    """Accounts, their locks and the balanced transactions between them; awards and honours.

    Lock order (a correctness rule, kept here): person accounts by id, then system accounts by id;
    the issuance account is never locked."""

    def __init__(self, conn: Connection, opened: OpenedAccounts, system: Cache[SystemAccounts] | None = None) -> None:
        self.conn = conn
        self._opened = opened
        self._system = system or system_accounts_cache()

    # -- accounts --------------------------------------------------------------------------

    async def system_accounts(self, community: str) -> SystemAccounts:
        """The community's system accounts by kind, opened on first use; from the cache once they exist.

        Accounts this transaction opens are not kept until it has committed: it may yet roll back."""

        async def load() -> SystemAccounts:
            return {
                AccountKind(r["kind"]): r["id"] for r in await self.conn.fetch(_SYSTEM_OF, community, _SYSTEM_KINDS)
            }

        accounts = await self._system.get(community, load)
        if len(accounts) == len(SYSTEM_ACCOUNTS):
            return accounts
        self._system.forget(community)
        await self.conn.execute(_SYSTEM, community, _SYSTEM_KINDS)
        rows = await self.conn.fetch(_SYSTEM_OF, community, _SYSTEM_KINDS)
        return {AccountKind(r["kind"]): r["id"] for r in rows}

    async def person_account(self, community: str, person_id: str) -> asyncpg.Record | None:
        return await self.conn.fetchrow(_PERSON, community, person_id)

    async def open_person_account(self, community: str, person_id: str, building_group: int | None = None) -> uuid.UUID:
        """The person's account, opened on first use; learns the building group when an event tells it.

        An account this process has seen committed is read, not opened again (see `OpenedAccounts`)."""
        opened = self._opened
        row = await self.person_account(community, person_id) if opened.has(community, person_id) else None
        if row is None:
            opened.forget(community, [person_id])
            account_id: uuid.UUID | None = await self.conn.fetchval(_OPEN_PERSON, community, person_id, building_group)
            if account_id is not None:
                return account_id  # opened by this transaction: remembered once another reads it
            row = await self.person_account(community, person_id)
            assert row is not None
        opened.add(community, [person_id])
        if building_group is not None and row["building_group"] != building_group:
            await self.conn.execute(_SET_GROUP, row["id"], building_group)
        found: uuid.UUID = row["id"]
        return found

    async def open_and_lock_people(
        self, community: str, building_groups: Mapping[str, int | None]
    ) -> dict[str, PersonAccount]:
        """Open the accounts of these people where missing and lock them all, in the global lock order.

        `building_groups` maps each person to the building group the events last told (None: not
        told), for new accounts; `update_people` records it on existing ones. New accounts are inserted
        in person order (two batches opening the same accounts queue on the first, never cross), then
        all are locked by id, like every other writer, before any system account."""
        conn, opened = self.conn, self._opened

        async def open_(people: list[str]) -> set[str]:
            rows = await conn.fetch(_OPEN_PEOPLE, community, people, [building_groups[p] for p in people])
            return {r["person_id"] for r in rows}

        people = sorted(building_groups)
        unknown = [p for p in people if not opened.has(community, p)]
        created = await open_(unknown) if unknown else set()
        rows = await conn.fetch(_LOCK_PEOPLE, community, people)
        if len(rows) < len(people):  # remembered, but not found
            found = {r["person_id"] for r in rows}
            gone = [p for p in people if p not in found]
            opened.forget(community, gone)
            created |= await open_(gone)
            rows = [*rows, *await conn.fetch(_LOCK_PEOPLE, community, gone)]
        opened.add(community, (r["person_id"] for r in rows if r["person_id"] not in created))
        return {r["person_id"]: PersonAccount(**dict(r)) for r in rows}

    async def update_people(
        self,
        accounts: Mapping[str, PersonAccount],
        hours_added: Mapping[str, Decimal],
        building_groups: Mapping[str, int | None],
    ) -> None:
        """One UPDATE for a batch's locked accounts: confirmed hours grown by their participation.hours
        awards, and the building group the events last told where it moved (as open_person_account)."""
        changed = [
            account
            for person, account in accounts.items()
            if hours_added.get(person)
            or (building_groups.get(person) is not None and building_groups[person] != account.building_group)
        ]
        if changed:
            await self.conn.execute(
                _UPDATE_PEOPLE,
                [a.id for a in changed],
                [str(hours_added.get(a.person_id, 0)) for a in changed],
                [building_groups.get(a.person_id) for a in changed],
            )

    async def add_confirmed_hours(self, account_id: uuid.UUID, hours: Decimal) -> Decimal:
        """Grow a locked person account's confirmed hours by a participation.hours award's; returns the total."""
        total: Decimal = await self.conn.fetchval(_ADD_HOURS, account_id, hours)
        return total

    async def lock(self, account_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
        """Lock accounts in the one global order: person accounts by id, then system accounts by id.

        Every writer follows it (and a handler paying several people locks them all before any
        system account), so two transactions never wait on each other in a cycle. The issuance
        account is never locked: it keeps no cached balance (postings to it move no row), so
        awards to different people do not queue on it."""
        rows = await self.conn.fetch(_LOCK, account_ids)
        return {r["id"]: r["balance"] for r in rows}

    # -- transactions ----------------------------------------------------------------------

    async def write(self, transfer: Transfer) -> dict[uuid.UUID, int]:
        """Write a balanced transaction; the posting trigger moves the cached balances. Returns balances after."""
        await self.conn.execute(
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
            rows = await self.conn.fetch(
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

    async def write_many(self, transfers: Sequence[Transfer]) -> dict[tuple[uuid.UUID, uuid.UUID], int]:
        """Write balanced transactions with two statements, in order (the posting trigger moves the cached
        balances row by row, so running balances follow the order). Returns the balance after each posting,
        keyed by (transaction, account). The caller holds the locks, as for `write`."""
        if not transfers:
            return {}
        await self.conn.execute(
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
            rows = await self.conn.fetch(
                _INSERT_MANY_POSTINGS, [p[0] for p in postings], [p[1] for p in postings], [p[2] for p in postings]
            )
        except asyncpg.CheckViolationError as exc:
            if exc.constraint_name == "balance_never_negative":
                raise InsufficientPoints("The balance is too low for this.") from exc
            raise
        return {(r["transaction_id"], r["account_id"]): r["balance_after"] for r in rows}

    async def transaction(self, community: str, transaction_id: uuid.UUID) -> asyncpg.Record | None:
        return await self.conn.fetchrow(_TRANSACTION, transaction_id, community)

    async def is_reversed(self, transaction_id: uuid.UUID) -> bool:
        return bool(await self.conn.fetchval(_REVERSED, transaction_id))

    async def postings_of(self, transaction_id: uuid.UUID) -> list[asyncpg.Record]:
        return list(await self.conn.fetch(_POSTINGS_OF, transaction_id))

    # -- awards ----------------------------------------------------------------------------

    async def earned_on(self, community: str, person_id: str, day: date) -> int:
        """Points the person was awarded on a service day (read under the account's lock)."""
        earned: int = await self.conn.fetchval(_EARNED_ON, community, person_id, day)
        return earned

    async def use_indexed_lookups(self) -> None:
        await self.conn.execute(_INDEXED_LOOKUPS)

    async def already_awarded(self, source_event_ids: list[uuid.UUID], rule_id: str) -> set[uuid.UUID]:
        return {r["source_event_id"] for r in await self.conn.fetch(_ALREADY_AWARDED, source_event_ids, rule_id)}

    async def earned_by_day(self, community: str, keys: list[tuple[str, date]]) -> dict[tuple[str, date], int]:
        """Points each (person, service day) was already awarded."""
        rows = await self.conn.fetch(_EARNED, community, [k[0] for k in keys], [k[1] for k in keys])
        return {(row["person_id"], row["service_day"]): row["points"] for row in rows}

    async def insert_award(
        self, community: str, source_event_type: str, rule_id: str, rule_version: int, cap_version: int, award: AwardRow
    ) -> uuid.UUID | None:
        """Write one award; None when this event already paid this person under this rule (award_once)."""
        award_id: uuid.UUID | None = await self.conn.fetchval(
            _INSERT_AWARD,
            community,
            award.person_id,
            award.source_event_id,
            source_event_type,
            rule_id,
            rule_version,
            cap_version,
            award.computed_points,
            award.points,
            award.hours,
            award.night_hours,
            award.post_type,
            award.service_day,
            award.building_group,
            award.explanation,
            award.transaction_id,
        )
        return award_id

    async def insert_awards(
        self,
        community: str,
        source_event_type: str,
        rule_id: str,
        rule_version: int,
        cap_version: int,
        awards: Sequence[AwardRow],
    ) -> set[uuid.UUID]:
        """Write awards in one statement, in order; returns the source events whose award was written."""
        rows = await self.conn.fetch(
            _INSERT_AWARDS,
            community,
            source_event_type,
            rule_id,
            rule_version,
            cap_version,
            [a.person_id for a in awards],
            [a.source_event_id for a in awards],
            [a.computed_points for a in awards],
            [a.points for a in awards],
            [str(a.hours) for a in awards],  # as text: exact, and far cheaper to encode than Decimal
            [str(a.night_hours) for a in awards],
            [a.post_type for a in awards],
            [a.service_day for a in awards],
            [a.building_group for a in awards],
            [a.explanation for a in awards],
            [a.transaction_id for a in awards],
        )
        return {r["source_event_id"] for r in rows}

    async def claim_micro_wish(
        self, community: str, wish_key: uuid.UUID, person_id: str, source_event_id: uuid.UUID, rule_id: str
    ) -> bool:
        """Take the one micro-wish payment of (wish, person) for this event; False if another path took it."""
        taken = await self.conn.fetchval(
            """INSERT INTO micro_wish_awards (community, wish_key, person_id, source_event_id, rule_id)
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING true""",
            community,
            wish_key,
            person_id,
            source_event_id,
            rule_id,
        )
        return bool(taken)

    async def record_no_show(
        self,
        community: str,
        participation_id: uuid.UUID,
        person_id: str,
        shift_id: uuid.UUID,
        post_type: str,
        recorded_at: datetime,
    ) -> None:
        await self.conn.execute(_NO_SHOW, participation_id, community, person_id, shift_id, post_type, recorded_at)

    # -- honours ---------------------------------------------------------------------------

    async def insert_honour(
        self,
        community: str,
        person_id: str,
        kind: str,
        *,
        level: int | None,
        year: int | None,
        building_group: int | None,
        citation: str | None,
        granted_by: str | None,
        granted_at: datetime,
        honour_id: uuid.UUID | None = None,
        person_name: str | None = None,
    ) -> uuid.UUID | None:
        """Write an honour; None when the person already holds it, or one with this id exists (the keys)."""
        inserted: uuid.UUID | None = await self.conn.fetchval(
            _INSERT_HONOUR,
            honour_id or uuid.uuid4(),
            community,
            person_id,
            kind,
            level,
            year,
            building_group,
            citation,
            granted_by,
            granted_at,
            person_name,
        )
        return inserted
