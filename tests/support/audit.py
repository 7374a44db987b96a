"""Reading a service's audit log the way an admin does: GET /audit."""

from __future__ import annotations

from typing import Any

import httpx


async def audit_entries(client: httpx.AsyncClient, admin: dict[str, str], **filters: Any) -> list[dict[str, Any]]:
    """The entries an admin reads at GET /audit (newest first), with the filters given."""
    response = await client.get("/audit", params=filters, headers=admin)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
