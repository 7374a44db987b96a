"""Selections in PostgreSQL: the aggregate with its nominations, ballots and their marks."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from contracts.enums import SelectionCategory
from services.community.domain.selections import Nomination, NominationStatus, Selection, SelectionState
from services.kernel.db import Connection

_INSERT = """
INSERT INTO selections (id, community, category, year, title_zh, title_en, seats, who_may_nominate, who_may_vote,
                        nominations_close_at, voting_closes_at, state, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
"""
_GET = "SELECT * FROM selections WHERE id = $1 FOR UPDATE"
_GET_SHARED = "SELECT * FROM selections WHERE id = $1 FOR SHARE"
_NOMINATIONS = "SELECT * FROM selection_nominations WHERE selection_id = $1 ORDER BY nominated_at, id"
_SAVE = """
UPDATE selections SET state = $2, votes_cast = $3, concluded_by = $4, concluded_at = $5 WHERE id = $1
"""
_INSERT_NOMINATION = """
INSERT INTO selection_nominations (id, selection_id, candidate_id, candidate_name, building_group, reason,
                                   nominated_by, nominated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (selection_id, candidate_id) DO NOTHING
RETURNING id
"""
_SAVE_CHECK = """
UPDATE selection_nominations SET status = $2, checked_by = $3, checked_at = $4, rejection_reason = $5 WHERE id = $1
"""
_INSERT_BALLOT = """
INSERT INTO selection_ballots (selection_id, voter_id, cast_at) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING
RETURNING voter_id
"""
_INSERT_MARKS = """
INSERT INTO selection_marks (selection_id, voter_id, nomination_id) SELECT $1, $2, unnest($3::uuid[])
"""
_TALLY = """
SELECT n.id, count(m.nomination_id)::int AS votes
FROM selection_nominations n LEFT JOIN selection_marks m ON m.nomination_id = n.id
WHERE n.selection_id = $1 GROUP BY n.id
"""
_BALLOTS = "SELECT count(*)::int FROM selection_ballots WHERE selection_id = $1"
_SAVE_RESULT = "UPDATE selection_nominations SET votes = $2, winner = $3 WHERE id = $1"


def _nomination(row: Any) -> Nomination:
    return Nomination(
        id=row["id"],
        candidate_id=row["candidate_id"],
        candidate_name=row["candidate_name"],
        building_group=row["building_group"],
        reason=row["reason"],
        nominated_by=row["nominated_by"],
        nominated_at=row["nominated_at"],
        status=NominationStatus(row["status"]),
        checked_by=row["checked_by"],
        checked_at=row["checked_at"],
        rejection_reason=row["rejection_reason"],
    )


class SelectionRepository:
    """Loads a selection with a row lock (so its steps, checks and close are serialised) and saves it."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def insert(self, s: Selection) -> None:
        await self.conn.execute(
            _INSERT,
            s.id,
            s.community,
            s.category.value,
            s.year,
            s.title["zh-CN"],
            s.title["en"],
            s.seats,
            s.who_may_nominate,
            s.who_may_vote,
            s.nominations_close_at,
            s.voting_closes_at,
            s.state.value,
            s.created_by,
            s.created_at,
        )

    async def get_for_update(self, selection_id: uuid.UUID, *, shared: bool = False) -> Selection | None:
        """The selection locked for a step (FOR UPDATE), or `shared` for a ballot: ballots run side
        by side, and the close waits until those in flight are in before it counts."""
        row = await self.conn.fetchrow(_GET_SHARED if shared else _GET, selection_id)
        if row is None:
            return None
        nominations = [_nomination(r) for r in await self.conn.fetch(_NOMINATIONS, selection_id)]
        return Selection(
            id=row["id"],
            community=row["community"],
            category=SelectionCategory(row["category"]),
            year=row["year"],
            title={"zh-CN": row["title_zh"], "en": row["title_en"]},
            seats=row["seats"],
            who_may_nominate=list(row["who_may_nominate"]),
            who_may_vote=list(row["who_may_vote"]),
            nominations_close_at=row["nominations_close_at"],
            voting_closes_at=row["voting_closes_at"],
            created_by=row["created_by"],
            created_at=row["created_at"],
            state=SelectionState(row["state"]),
            votes_cast=row["votes_cast"],
            concluded_by=row["concluded_by"],
            concluded_at=row["concluded_at"],
            nominations=nominations,
        )

    async def selection_of_nomination(self, nomination_id: uuid.UUID) -> uuid.UUID | None:
        found: uuid.UUID | None = await self.conn.fetchval(
            "SELECT selection_id FROM selection_nominations WHERE id = $1", nomination_id
        )
        return found

    async def save(self, s: Selection) -> None:
        await self.conn.execute(_SAVE, s.id, s.state.value, s.votes_cast, s.concluded_by, s.concluded_at)
        for ranked in s.results:
            await self.conn.execute(_SAVE_RESULT, ranked.nomination.id, ranked.votes, ranked.winner)

    async def add_nomination(self, selection_id: uuid.UUID, n: Nomination) -> bool:
        """False when the candidate is already nominated (the unique key, whoever came first)."""
        added = await self.conn.fetchval(
            _INSERT_NOMINATION,
            n.id,
            selection_id,
            n.candidate_id,
            n.candidate_name,
            n.building_group,
            n.reason,
            n.nominated_by,
            n.nominated_at,
        )
        return added is not None

    async def save_check(self, n: Nomination) -> None:
        await self.conn.execute(_SAVE_CHECK, n.id, n.status.value, n.checked_by, n.checked_at, n.rejection_reason)

    async def cast(
        self, selection_id: uuid.UUID, voter_id: str, nominations: Sequence[uuid.UUID], at: datetime
    ) -> bool:
        """The ballot and its marks; False when this person has voted already (the key decides)."""
        if await self.conn.fetchval(_INSERT_BALLOT, selection_id, voter_id, at) is None:
            return False
        await self.conn.execute(_INSERT_MARKS, selection_id, voter_id, list(nominations))
        return True

    async def tally(self, selection_id: uuid.UUID) -> tuple[dict[uuid.UUID, int], int]:
        """Votes per nomination and ballots cast: read only when the vote closes."""
        rows = await self.conn.fetch(_TALLY, selection_id)
        return {r["id"]: r["votes"] for r in rows}, int(await self.conn.fetchval(_BALLOTS, selection_id))
