"""A person exports their preferences (e-mail address included) and inbox; forgetting them deletes
both, with the e-mails queued for them and the delivery log: nothing here is a record others need."""

from __future__ import annotations

from typing import Any

from services.notifications.bootstrap import create
from tests.notifications.conftest import MakeSettings
from tests.notifications.support import points_awarded, publish, wrap
from tests.support.infra import Tokens, eventually, running
from tests.support.privacy import exported, forgotten, kinds_with_rows, mentions

PERSON = "yang-min"


async def test_a_person_exports_preferences_and_inbox_and_forgetting_deletes_them(
    make_settings: MakeSettings, tokens: Tokens, nats_url: str
) -> None:
    async with running(create(make_settings())) as client:
        me = tokens.headers(PERSON, "volunteer", name="杨敏")
        admin = tokens.headers("admin", "admin", "committee")
        saved = await client.put(
            "/preferences/me", json={"language": "en", "email": "yang.min@example.org"}, headers=me
        )
        assert saved.status_code == 200, saved.text
        await publish(nats_url, wrap(points_awarded(PERSON, 12), "rewards"))

        async def both_channels() -> list[dict[str, Any]]:
            messages: list[dict[str, Any]] = (await exported(client, me))["data"]["messages"]
            return messages if {m["channel"] for m in messages} == {"inbox", "email"} else []

        messages = await eventually(both_channels, message="the inbox item and the e-mail")
        mine = await exported(client, me)

        assert mine["service"] == "notifications"
        assert mine["data"]["preferences"][0]["email"] == "yang.min@example.org"
        assert [m["address"] for m in messages if m["channel"] == "email"] == ["yang.min@example.org"]

        done = await forgotten(client, admin, PERSON)

        assert set(done["deleted"]) >= {"preferences", "messages"}
        left = await exported(client, admin, PERSON)
        assert kinds_with_rows(left) == set()
        assert (await client.get("/inbox", headers=me)).json()["items"] == []
        assert mentions((await client.get(f"/preferences/{PERSON}", headers=admin)).json(), "yang.min") == []
        assert (await forgotten(client, admin, PERSON))["deleted"] == {}
