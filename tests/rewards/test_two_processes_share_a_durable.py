"""Two processes of one service (two pods of a Deployment) share its durable consumer: the work is split
between them and no effect is doubled, even when every event arrives twice."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from services.kernel.topology import ensure_streams
from tests.rewards.helpers import connect, participation
from tests.support.events import drained, publish
from tests.support.infra import ServiceProcess, eventually, jetstream

PEOPLE = [f"volunteer-{i:03d}" for i in range(120)]
CONSUMER = "rewards__participation_completed"


def consumed(metrics: str, outcome: str) -> float:
    pattern = rf'linli_events_consumed_total{{[^}}]*consumer="{CONSUMER}"[^}}]*outcome="{outcome}"[^}}]*}} ([0-9.e+]+)'
    return sum(float(value) for value in re.findall(pattern, metrics))


@pytest.mark.slow
async def test_two_processes_sharing_a_durable_split_the_work_and_credit_each_event_once(
    database_url: str, nats_url: str, run_dir: Path, tmp_path: Path
) -> None:
    env = {
        "DATABASE_URL": database_url,
        "NATS_URL": nats_url,
        "LINLI_JWT_PUBLIC_KEY_FILE": str(run_dir / "dev-jwt-public.pem"),
        "LINLI_CONSUMER_BATCH_SIZE": "4",  # small pulls, so both pods get some of the work
        "LINLI_OUTBOX_POLL_INTERVAL": "0.2",
    }
    pods = [ServiceProcess("services.rewards", env, tmp_path / f"rewards-{i}.log") for i in (1, 2)]
    events = [participation(person, hours=1.0) for person in PEOPLE]
    try:
        for pod in pods:
            pod.start()
        for pod in pods:
            await pod.wait_ready()
        async with jetstream(nats_url) as js:
            await ensure_streams(js)
            for event in events:
                await publish(js, event)
                await publish(js, event, msg_id=f"again-{event.id}")  # every event twice
            await eventually(lambda: drained(js, "rewards", ["participation.completed"]), timeout=60)
        async with httpx.AsyncClient() as http:
            metrics = [(await http.get(f"{pod.base_url}/metrics")).text for pod in pods]

        async with connect(database_url) as conn:
            awards = await conn.fetchval("SELECT count(*) FROM awards")
            credited = await conn.fetch(
                "SELECT person_id, balance FROM accounts WHERE kind = 'person' ORDER BY person_id"
            )
    finally:
        for pod in pods:
            pod.kill()

    applied = [consumed(text, "applied") for text in metrics]
    duplicates = [consumed(text, "duplicate") for text in metrics]
    assert all(share > 0 for share in applied), f"both pods handled events: {applied}"
    assert sum(applied) == len(events)
    assert sum(duplicates) == len(events)
    assert awards == len(events)
    assert {row["person_id"]: row["balance"] for row in credited} == dict.fromkeys(PEOPLE, 12)
