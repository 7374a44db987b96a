"""What a service holds about a person, as data: each service's adapters list their tables
(`Holding`: where the person is named, how to scope it to the community, what forgetting does to
it), and `export` and `forget` here run that list. So every table that names a person is written
down once, next to the service's other SQL, and export and forgetting cannot disagree about it.

Forgetting either deletes the person's rows or keeps them under the pseudonym with the named
columns cleared (a matter's history, a vote's count, a participation's hours must be kept). Both
are idempotent: the second run matches no row. Run inside the service's unit of work, so a
service forgets a person in one transaction or not at all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from services.kernel.db import Connection
from services.kernel.privacy import Forgetting, affected


@dataclass(frozen=True)
class Holding:
    """One place a person is named: `table`.`person` (an SQL column), within `scope` (an SQL condition
    on $1, the community). `forget`: delete the rows, anonymise them (the person's column set to the
    pseudonym and each `clear` column to its SQL expression) or `keep` them as they are (they name
    nobody else's data and must stay, e.g. the immutable ledger). `select`: the exported columns."""

    kind: str
    table: str
    person: str
    forget: Literal["delete", "anonymise", "keep"]
    clear: Mapping[str, str] = field(default_factory=dict)
    scope: str = "community = $1"
    select: str = "*"
    order: str = ""
    export: bool = True

    @property
    def where(self) -> str:
        return f"({self.scope}) AND {self.person} = $2"


async def export(
    conn: Connection, holdings: Sequence[Holding], community: str, person_id: str
) -> dict[str, list[dict[str, Any]]]:
    """Each kind of record naming the person, as rows (a kind with none is an empty list)."""
    data: dict[str, list[dict[str, Any]]] = {}
    for h in holdings:
        if not h.export:
            continue
        order = f" ORDER BY {h.order}" if h.order else ""
        rows = await conn.fetch(f"SELECT {h.select} FROM {h.table} WHERE {h.where}{order}", community, person_id)
        data.setdefault(h.kind, []).extend(dict(r) for r in rows)
    return data


async def forget(
    conn: Connection, holdings: Sequence[Holding], community: str, person_id: str, alias: str, done: Forgetting
) -> Forgetting:
    """Delete or anonymise every row naming the person, in the order listed (children before parents)."""
    for h in holdings:
        if h.forget == "delete":
            done.delete(
                h.kind, affected(await conn.execute(f"DELETE FROM {h.table} WHERE {h.where}", community, person_id))
            )
        elif h.forget == "anonymise":
            sets = ", ".join([f"{h.person} = $3", *(f"{column} = {value}" for column, value in h.clear.items())])
            status = await conn.execute(f"UPDATE {h.table} SET {sets} WHERE {h.where}", community, person_id, alias)
            done.anonymise(h.kind, affected(status))
    return done
