"""Through the HTTP API and real NATS: the paths an issue takes, each step in the history and on NATS."""

from __future__ import annotations

import httpx

from tests.intake.support import (
    COMMITTEE,
    NEIGHBOUR,
    RESIDENT,
    act,
    as_,
    decision_adopted,
    events_of,
    publish,
    sql,
    stream_events,
    submit,
)
from tests.support.infra import Tokens, eventually


async def status_of(client: httpx.AsyncClient, tokens: Tokens, issue_id: str) -> str:
    response = await client.get(f"/issues/{issue_id}", headers=as_(tokens, COMMITTEE))
    return str(response.json()["status"])


async def test_referred_issue_is_started_by_the_councils_decision_and_closed_by_its_reporter(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str
) -> None:
    issue = await submit(client, tokens)
    await act(client, tokens, issue["id"], "review", {"decision": "refer", "note": "需要议事会协商"})
    decision = decision_adopted(issue["id"])
    await publish(nats_url, decision)

    async def started() -> bool:
        return await status_of(client, tokens, issue["id"]) == "in_progress"

    await eventually(started, message="issue in progress after decision.adopted")
    resolved = await act(
        client, tokens, issue["id"], "resolve", {"summary": "楼道已清空", "contributors": ["liu-yang", "wang-fang"]}
    )
    assert resolved["decision_id"] == str(decision.decision_id)
    closed = await act(client, tokens, issue["id"], "confirm", {"satisfaction": 5}, who=RESIDENT)
    assert closed["status"] == "closed"
    assert closed["satisfaction"] == 5

    history = (await client.get(f"/issues/{issue['id']}/history", headers=as_(tokens, RESIDENT))).json()["items"]
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        (None, "submitted"),
        ("submitted", "referred"),
        ("referred", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "closed"),
    ]
    expected = ["issue.submitted", "issue.referred", "issue.started", "issue.resolved", "issue.closed"]

    async def all_on_nats() -> bool:
        return await events_of(nats_url, issue["id"]) == expected

    await eventually(all_on_nats, message="every step's CloudEvent on NATS")
    events = {e["type"]: e for e in await stream_events(nats_url) if e["subject"] == issue["id"]}
    started_event = events["linli.issue.started.v1"]["data"]
    assert started_event["decision_id"] == str(decision.decision_id)
    closed_event = events["linli.issue.closed.v1"]["data"]
    assert closed_event["contributors"] == ["liu-yang", "wang-fang"]
    assert closed_event["resolved_event_id"] == events["linli.issue.resolved.v1"]["id"]
    assert closed_event["satisfaction"] == 5
    assert [h["event_id"] for h in history] == [events[f"linli.{t}.v1"]["id"] for t in expected]


async def test_accepted_issue_is_started_resolved_and_illegal_steps_answer_409(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    issue = await submit(client, tokens)
    await act(client, tokens, issue["id"], "review", {"decision": "accept"})

    refused = await client.post(f"/issues/{issue['id']}/resolve", json={"summary": "x"}, headers=as_(tokens, COMMITTEE))

    assert refused.status_code == 409
    problem = refused.json()
    assert refused.headers["content-type"] == "application/problem+json"
    assert problem["current_state"] == "accepted"
    assert problem["allowed_next"] == ["in_progress"]
    await act(client, tokens, issue["id"], "start")
    done = await act(client, tokens, issue["id"], "resolve", {"summary": "搬走了", "contributors": ["liu-yang"]})
    assert done["status"] == "resolved"
    assert done["contributors"] == ["liu-yang"]
    again = await client.post(
        f"/issues/{issue['id']}/review", json={"decision": "accept"}, headers=as_(tokens, COMMITTEE)
    )
    assert again.status_code == 409
    assert again.json()["allowed_next"] == ["closed", "reopened"]


async def test_rejection_needs_a_reason_and_a_bad_review_changes_nothing(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    issue = await submit(client, tokens)

    no_reason = await client.post(
        f"/issues/{issue['id']}/review", json={"decision": "reject"}, headers=as_(tokens, COMMITTEE)
    )

    assert no_reason.status_code == 400
    assert await status_of(client, tokens, issue["id"]) == "submitted"
    rejected = await act(client, tokens, issue["id"], "review", {"decision": "reject", "note": "属于物业合同纠纷"})
    assert rejected["status"] == "rejected"
    assert rejected["status_note"] == "属于物业合同纠纷"


async def test_only_committees_review_start_and_resolve(client: httpx.AsyncClient, tokens: Tokens) -> None:
    issue = await submit(client, tokens)
    for action, body in (("review", {"decision": "accept"}), ("start", {}), ("resolve", {"summary": "x"})):
        response = await client.post(f"/issues/{issue['id']}/{action}", json=body, headers=as_(tokens, RESIDENT))
        assert response.status_code == 403, action
    assert await status_of(client, tokens, issue["id"]) == "submitted"


async def test_duplicate_is_merged_and_its_reporter_follows_the_original(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str
) -> None:
    original = await submit(client, tokens, NEIGHBOUR)
    duplicate = await submit(client, tokens, RESIDENT)

    merged = await act(
        client, tokens, duplicate["id"], "review", {"decision": "duplicate", "duplicate_of": original["id"]}
    )

    assert merged["status"] == "duplicate"
    assert merged["duplicate_of"] == original["id"]
    followed = (await client.get(f"/issues/{original['id']}", headers=as_(tokens, COMMITTEE))).json()
    assert followed["followers"] == [RESIDENT[0]]

    async def on_nats() -> bool:
        return "issue.duplicate" in await events_of(nats_url, duplicate["id"])

    await eventually(on_nats, message="issue.duplicate on NATS")
    missing = await client.post(
        f"/issues/{original['id']}/review",
        json={"decision": "duplicate", "duplicate_of": "00000000-0000-0000-0000-000000000000"},
        headers=as_(tokens, COMMITTEE),
    )
    assert missing.status_code == 400


async def test_reporter_reopens_within_seven_days_and_work_restarts(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    issue = await submit(client, tokens)
    await act(client, tokens, issue["id"], "review", {"decision": "accept"})
    await act(client, tokens, issue["id"], "start")
    await act(client, tokens, issue["id"], "resolve", {"summary": "清理完毕", "contributors": ["liu-yang"]})

    neighbour = await client.post(f"/issues/{issue['id']}/reopen", json={"reason": "x"}, headers=as_(tokens, NEIGHBOUR))
    assert neighbour.status_code == 403
    reopened = await act(client, tokens, issue["id"], "reopen", {"reason": "又堆满了"}, who=RESIDENT)
    assert reopened["status"] == "reopened"
    restarted = await act(client, tokens, issue["id"], "start")
    assert restarted["status"] == "in_progress"

    await act(client, tokens, issue["id"], "resolve", {"summary": "再次清理", "contributors": ["liu-yang"]})
    await sql(database_url).execute(
        "UPDATE issues SET resolved_at = now() - interval '8 days' WHERE id = $1", issue["id"]
    )
    late = await client.post(f"/issues/{issue['id']}/reopen", json={"reason": "late"}, headers=as_(tokens, RESIDENT))
    assert late.status_code == 409
    assert late.json()["current_state"] == "resolved"
    assert late.json()["allowed_next"] == ["closed"]


async def test_review_queue_hints_at_open_issues_of_the_same_category_in_the_same_building(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    first = await submit(client, tokens, NEIGHBOUR)
    await submit(client, tokens, RESIDENT, location={"building": "3栋"})
    await submit(client, tokens, RESIDENT, category="noise")
    latest = await submit(client, tokens, RESIDENT)

    response = await client.get("/review-queue", params={"limit": 10}, headers=as_(tokens, COMMITTEE))

    assert response.status_code == 200
    by_id = {i["id"]: i for i in response.json()["items"]}
    assert [h["id"] for h in by_id[latest["id"]]["possible_duplicates"]] == [first["id"]]
    assert len(by_id) == 4
    forbidden = await client.get("/review-queue", headers=as_(tokens, RESIDENT))
    assert forbidden.status_code == 403
