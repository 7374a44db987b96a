"""Helpers of the privacy tests: a service's export of a person, and what in it still names them."""

from __future__ import annotations

from typing import Any

import httpx


async def exported(client: httpx.AsyncClient, headers: dict[str, str], person: str = "me") -> dict[str, Any]:
    """The service's export: the caller's own (`me`) or a named person's (an admin's headers)."""
    response = await client.get(f"/people/{person}/export", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    answer: dict[str, Any] = response.json()
    return answer


async def forgotten(client: httpx.AsyncClient, headers: dict[str, str], person: str) -> dict[str, Any]:
    response = await client.post(f"/people/{person}/forget", headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def mentions(value: Any, *needles: str) -> list[str]:
    """Every string anywhere in `value` (keys too) that contains one of `needles`."""
    found: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            found += mentions(k, *needles) + mentions(v, *needles)
    elif isinstance(value, list):
        for v in value:
            found += mentions(v, *needles)
    elif isinstance(value, str) and any(n in value for n in needles):
        found.append(value)
    return found


def kinds_with_rows(export: dict[str, Any]) -> set[str]:
    return {kind for kind, rows in export["data"].items() if rows}
