"""Deliberation's privileged actions are in its audit log: councils set up, sessions opened and concluded."""

from __future__ import annotations

import httpx

from tests.deliberation.helpers import make_council, sql
from tests.support.audit import audit_entries
from tests.support.infra import Tokens


async def test_setting_up_a_council_and_opening_its_session_are_audited_without_the_feed_token(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    council = await make_council(client, tokens)
    session = await council.next_session()
    await council.open_with(session["id"], ["zhang-wei", "li-na"])

    entries = await audit_entries(client, tokens.headers("admin", "admin"))

    assert [e["action"] for e in entries][-2:] == ["session.opened", "council.created"]
    created = entries[-1]
    assert (created["subject"], created["actor"]) == (council.id, "admin")
    assert created["details"]["kind"] == "consultation"
    assert "session.attendance_recorded" in [e["action"] for e in entries]  # the chair recording others
    feed_token = await sql(database_url).fetchval("SELECT feed_token FROM councils")
    assert feed_token not in str(entries)
