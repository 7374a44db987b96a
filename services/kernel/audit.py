"""The audit log: who did which privileged action to what, and when, in every service.

The kernel's migration gives every service's schema an `audit_log` table that refuses UPDATE,
DELETE and TRUNCATE (20261207010000_audit_log.sql). A command appends to it with
`await uow.audit(action, subject, actor, details)` inside its open unit of work, so the entry
commits with the action or not at all. Admins read their own community's entries at
GET /audit (one router, audit_api.py, mounted by the kernel on every service).

Details say what was decided (a decision, an amount, a reason), never a secret: a detail whose
name looks like one (secret, token, password, api key, pickup code) is refused outright, so a
careless caller fails in its tests instead of writing a key into a table nobody can clean.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from services.kernel.db import Connection
from services.kernel.identity import Principal

SECRET_WORDS = ("secret", "token", "password", "api_key", "apikey", "pickup", "private_key")
"""A detail named with one of these is refused: the audit log keeps no secrets."""

_INSERT = (
    "INSERT INTO audit_log (at, community, actor, actor_roles, action, subject, details)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)"
)


class AuditEntry(BaseModel):
    """One privileged action as the audit log keeps it."""

    seq: int = Field(description="The entry's place in the log (later entries have larger numbers)")
    at: datetime
    actor: str = Field(description="Who acted: the principal's sub")
    actor_roles: list[str]
    action: str = Field(description="What was done, e.g. issue.reviewed, prize.restocked")
    subject: str | None = Field(description="The object acted on (an id or a code)")
    details: dict[str, Any]


def refuse_secrets(details: Mapping[str, Any], path: str = "") -> None:
    """Raise ValueError if any key of `details` (at any depth) names a secret."""
    for key, value in details.items():
        name = str(key).lower()
        if any(word in name for word in SECRET_WORDS):
            raise ValueError(f"audit details may not carry a secret: {path}{key}")
        if isinstance(value, Mapping):
            refuse_secrets(value, f"{path}{key}.")
        elif isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, Mapping):
                    refuse_secrets(item, f"{path}{key}[].")


async def record(
    conn: Connection,
    *,
    at: datetime,
    action: str,
    subject: str | uuid.UUID | None,
    actor: Principal,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Append one entry, on `conn`, which must be inside the action's transaction."""
    if not conn.is_in_transaction():
        raise RuntimeError("An audit entry is written in the action's transaction: open the unit of work first")
    values = dict(details or {})
    refuse_secrets(values)
    await conn.execute(
        _INSERT,
        at,
        actor.community,
        actor.sub,
        sorted(actor.roles),
        action,
        None if subject is None else str(subject),
        _plain(values),
    )


def _plain(value: Any) -> Any:
    """Details as JSON values: UUIDs, dates and enums as their text."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


async def entries(
    conn: Connection,
    community: str,
    *,
    action: str | None,
    actor: str | None,
    since: datetime | None,
    before: int | None,
    limit: int,
) -> list[dict[str, Any]]:
    """A community's entries, newest first, after the keyset `before` (a seq), LIMIT limit + 1."""
    rows = await conn.fetch(
        "SELECT seq, at, actor, actor_roles, action, subject, details FROM audit_log"
        " WHERE community = $1 AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR actor = $3)"
        " AND ($4::timestamptz IS NULL OR at >= $4) AND ($5::bigint IS NULL OR seq < $5)"
        " ORDER BY seq DESC LIMIT $6",
        community,
        action,
        actor,
        since,
        before,
        limit + 1,
    )
    return [dict(r) for r in rows]
