"""The yearly report's facts in Postgres: written once per (event, figure), read back as figures of a year."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

from services.community.domain.yearly_report import FIGURES, Fact, Measure
from services.kernel.db import Connection

_RECORD = """
INSERT INTO report_facts (event_id, figure, community, year, counts, amount, event_type)
SELECT $1, f.figure, $2, f.year, f.counts, f.amount, $3
FROM unnest($4::text[], $5::smallint[], $6::text[], $7::numeric[]) AS f (figure, year, counts, amount)
ON CONFLICT (event_id, figure) DO NOTHING
"""

# One pass over the year's facts: each figure measured as its definition says.
_FIGURES = """
SELECT figure,
       count(*)                                   AS events,
       count(DISTINCT counts)                     AS things,
       coalesce(sum(amount), 0)                   AS total
FROM report_facts
WHERE community = $1 AND year = $2
GROUP BY figure
"""

_YEARS = "SELECT DISTINCT year FROM report_facts WHERE community = $1 ORDER BY year DESC"

_MEASURES = {figure.key: figure.measure for figure in FIGURES}


async def record(conn: Connection, event_id: uuid.UUID, event_type: str, community: str, facts: Sequence[Fact]) -> None:
    if not facts:
        return
    await conn.execute(
        _RECORD,
        event_id,
        community,
        event_type,
        [f.figure for f in facts],
        [f.year for f in facts],
        [f.counts for f in facts],
        [f.amount for f in facts],
    )


async def figures(conn: Connection, community: str, year: int) -> dict[str, Decimal]:
    values: dict[str, Decimal] = {}
    for row in await conn.fetch(_FIGURES, community, year):
        measure = _MEASURES.get(row["figure"])
        if measure is Measure.COUNT:
            values[row["figure"]] = Decimal(row["events"])
        elif measure is Measure.DISTINCT:
            values[row["figure"]] = Decimal(row["things"])
        elif measure is Measure.SUM:
            values[row["figure"]] = Decimal(row["total"])
    return values


async def years(conn: Connection, community: str) -> list[int]:
    return [row["year"] for row in await conn.fetch(_YEARS, community)]
