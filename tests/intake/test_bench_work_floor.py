"""The benchmark's work floor (bench/work_floor_app.py) is only a ceiling of POST /issues if it writes
what POST /issues writes: an issue intake reads like any other, its first history entry, and a valid
issue.submitted published after commit as intake's are. If intake's tables or events change, this fails
before the benchmark reports a ceiling of something else."""

from __future__ import annotations

import httpx
import orjson
import pytest

from bench import http_write, work_floor_app
from contracts.envelope import envelope_of
from contracts.events.issue import IssueSubmitted
from tests.intake.support import COMMITTEE, as_, stream_events
from tests.support.infra import Tokens, eventually


async def test_work_floor_writes_an_issue_history_and_event_as_post_issues_does(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("NATS_URL", nats_url)
    app = work_floor_app.app
    async with (
        work_floor_app.lifespan(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://floor") as floor,
    ):
        answer = await floor.post("/issue-rows", content=http_write.issue_body(7))
    sent = orjson.loads(http_write.issue_body(7))
    assert answer.status_code == 201, answer.text
    issue_id = answer.json()["id"]

    read = (await client.get(f"/issues/{issue_id}", headers=as_(tokens, COMMITTEE))).json()
    assert (read["status"], read["category"], read["title"]) == ("submitted", "repairs", sent["title"])
    assert read["location"] == {**sent["location"], "lat": None, "long": None}
    found = (await client.get("/issues", params={"q": "楼道灯"}, headers=as_(tokens, COMMITTEE))).json()["items"]
    assert issue_id in [i["id"] for i in found]  # its search terms are stored and indexed like any issue's
    history = (await client.get(f"/issues/{issue_id}/history", headers=as_(tokens, COMMITTEE))).json()["items"]
    assert [(h["from_status"], h["to_status"]) for h in history] == [(None, "submitted")]

    async def published() -> bool:
        return any(e.get("subject") == issue_id for e in await stream_events(nats_url))

    await eventually(published, message="the work floor's event published after its commit")
    raw = next(e for e in await stream_events(nats_url) if e.get("subject") == issue_id)
    event = envelope_of(IssueSubmitted).model_validate(raw)
    assert str(event.id) == history[0]["event_id"]
    assert str(event.data.issue_id) == issue_id
