"""Demo data of the notifications service for Meihu, created through its own HTTP API (idempotent).

Preferences of every demo person (language, e-mail, default quiet hours 22:00-07:00) and the
message templates. WeCom robot URLs are left empty: a community pastes its robots' URLs in
(PUT /channels/wecom/{group}) once it has created them in its group chats.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from contracts.demo import PEOPLE
from services.notifications.domain.default_templates import DEFAULTS


def _wanted(language: str, email: str, zone: str | None) -> dict[str, Any]:
    """`zone`: the one the service answers for quiet hours (the community's unless a person chose another)."""
    return {
        "language": language,
        "email": email,
        "channels": {"inbox": True, "email": True},
        "quiet_hours": {"start": "22:00:00", "end": "07:00:00", "timezone": zone},
    }


async def seed_demo(client: httpx.AsyncClient, headers: Callable[[str], dict[str, str]]) -> None:
    for person in PEOPLE:
        response = await client.get("/preferences/me", headers=headers(person.id))
        response.raise_for_status()
        current = response.json()
        wanted = _wanted(person.language, person.email, (current.get("quiet_hours") or {}).get("timezone"))
        if {key: current.get(key) for key in wanted} != wanted:
            (await client.put("/preferences/me", json=wanted, headers=headers(person.id))).raise_for_status()

    admin = headers("admin")
    response = await client.get("/templates", headers=admin)
    response.raise_for_status()
    present = {(t["key"], t["language"]) for t in response.json()}
    for key, texts in DEFAULTS.items():
        for language, (subject, body) in texts.items():
            if (key, language) not in present:
                put = await client.put(
                    f"/templates/{key}/{language}", json={"subject": subject, "body": body}, headers=admin
                )
                put.raise_for_status()
