"""Keyset (cursor) pagination: the cursor is the sort key of the last item, opaque to clients.

No OFFSET: a page deep in a million rows costs what the first page costs.
"""

from __future__ import annotations

import base64
import uuid
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import orjson
from pydantic import BaseModel

from services.kernel.problems import BadRequest

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(values), default=str)).decode().rstrip("=")


def decode_keyset(cursor: str | None, *kinds: type[Any]) -> tuple[Any, ...] | None:
    """The sort key a cursor carries, each value converted by its kind (`datetime`, `uuid.UUID`, `int`...).

    The one keyset decoder of every list: a cursor of the wrong shape or with values that do not
    convert is a 400 problem naming the parameter, never a 500."""
    values = decode_cursor(cursor, len(kinds))
    if values is None:
        return None
    try:
        return tuple(_convert(kind, value) for kind, value in zip(kinds, values, strict=True))
    except (TypeError, ValueError) as exc:
        raise _bad_cursor() from exc


def _convert(kind: type[Any], value: Any) -> Any:
    if kind is datetime:
        return datetime.fromisoformat(str(value))
    if kind is date:
        return date.fromisoformat(str(value))
    if kind is uuid.UUID:
        return uuid.UUID(str(value))
    return kind(value)


def encode_keyset(*values: Any) -> str:
    """The cursor of a sort key (datetimes as ISO 8601, UUIDs as text): what decode_keyset reads back."""
    return encode_cursor(*(v.isoformat() if isinstance(v, datetime | date) else v for v in values))


def decode_cursor(cursor: str | None, arity: int) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, orjson.JSONDecodeError) as exc:
        raise _bad_cursor() from exc
    if not isinstance(values, list) or len(values) != arity:
        raise _bad_cursor()
    return values


def _bad_cursor() -> BadRequest:
    return BadRequest("The cursor is not one this API gave out.", parameter="cursor")


def keyset_page(rows: list[Any], limit: int, *keys: str) -> tuple[list[Any], str | None]:
    """Cut the extra row fetched to learn whether there is a next page; the cursor is the last row's sort key.

    `rows` are mappings (asyncpg records or dicts) fetched with LIMIT limit + 1."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_keyset(*(last[k] for k in keys))
