"""Notifications' privileged actions are in its audit log, and never a subscription's secret."""

from __future__ import annotations

from services.notifications.bootstrap import create
from tests.notifications.conftest import MakeSettings
from tests.support.audit import audit_entries
from tests.support.infra import Tokens, running


async def test_a_webhook_subscription_and_its_new_secret_are_audited_without_either_secret(
    make_settings: MakeSettings, tokens: Tokens
) -> None:
    admin = tokens.headers("admin", "admin", "committee")
    async with running(create(make_settings())) as client:
        created = await client.post(
            "/subscriptions",
            json={"url": "https://x.example/hook?auth=opaque-credential", "event_types": ["issue.*"]},
            headers=admin,
        )
        assert created.status_code == 201, created.text
        subscription = created.json()
        rotated = await client.post(f"/subscriptions/{subscription['id']}/rotate-secret", json={}, headers=admin)
        assert rotated.status_code == 200, rotated.text

        entries = await audit_entries(client, admin)

    assert [(e["action"], e["subject"]) for e in entries] == [
        ("subscription.secret_rotated", subscription["id"]),
        ("subscription.created", subscription["id"]),
    ]
    assert entries[1]["details"]["receiver"] == "https://x.example/hook"
    text = str(entries)
    assert subscription["secret"] not in text
    assert rotated.json()["secret"] not in text
    assert "opaque-credential" not in text
