"""Keyset (cursor) pagination: the cursor is the sort key of the last item, opaque to clients.

No OFFSET: a page deep in a million rows costs what the first page costs.
"""

from __future__ import annotations

import base64
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


def decode_cursor(cursor: str | None, arity: int) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, orjson.JSONDecodeError) as exc:
        raise BadRequest("The cursor is not one this API gave out.", parameter="cursor") from exc
    if not isinstance(values, list) or len(values) != arity:
        raise BadRequest("The cursor is not one this API gave out.", parameter="cursor")
    return values
