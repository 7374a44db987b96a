"""The bus `make run` starts (NatsServer with users: deploy/nats/accounts.conf, as under compose and Kubernetes).

Each service connects as its own user and may publish only its own subjects, so no one on the bus can mint
points: only shifts publishes participation.completed, only intake an issue's resolution. Other systems only read,
and keep their place with durable consumers named as their user, never a service's.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from services.kernel.settings import REPO_ROOT
from services.kernel.topology import ensure_streams
from services.stack.nats import NatsServer, NatsUsers
from tests.support.infra import eventually


@pytest.fixture(scope="module")
def bus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    root = tmp_path_factory.mktemp("bus")
    server = NatsServer(root / "store", users=NatsUsers.kept_in(root / "nats-passwords.json")).start()
    yield server
    server.stop()


@asynccontextmanager
async def connected(bus: NatsServer, user: str, errors: list[str] | None = None) -> AsyncIterator[Client]:
    async def on_error(error: Exception) -> None:
        if errors is not None:
            errors.append(str(error))

    client = await nats.connect(bus.url_for(user), error_cb=on_error, max_reconnect_attempts=0)
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture(scope="module")
async def streams(bus: NatsServer) -> None:
    async with connected(bus, "operator") as operator:
        await ensure_streams(operator.jetstream())


async def stored(bus: NatsServer, stream: str, subject: str) -> int:
    async with connected(bus, "operator") as operator:
        info = await operator.jetstream().stream_info(stream, subjects_filter=subject)
    return (info.state.subjects or {}).get(subject, 0)


async def violations_publishing(bus: NatsServer, user: str, subject: str) -> list[str]:
    """Publish `subject` as `user` through JetStream: the permissions violations the server reported."""
    errors: list[str] = []
    async with connected(bus, user, errors) as client:
        with suppress(Exception):  # no PubAck comes back for a refused publish: the request times out
            await client.jetstream().publish(subject, b"{}", timeout=1)
        return list(await eventually(lambda: violations(errors), timeout=5, message=f"{user} refused {subject}"))


def violations(errors: list[str]) -> list[str]:
    return [e for e in errors if "permissions violation" in e.lower()]


async def test_a_service_publishes_its_own_events(bus: NatsServer, streams: None) -> None:
    async with connected(bus, "intake") as intake:
        ack = await intake.jetstream().publish("linli.meihu.issue.submitted", b"{}", headers={"Nats-Msg-Id": "own-1"})

    assert ack.stream == "LINLI_INTAKE"


async def test_shifts_cannot_publish_that_an_issue_was_resolved(bus: NatsServer, streams: None) -> None:
    before = await stored(bus, "LINLI_INTAKE", "linli.meihu.issue.resolved")

    assert await violations_publishing(bus, "shifts", "linli.meihu.issue.resolved")
    assert await stored(bus, "LINLI_INTAKE", "linli.meihu.issue.resolved") == before


@pytest.mark.parametrize("user", ["intake", "deliberation", "rewards", "notifications", "community", "subscriber"])
async def test_nobody_but_shifts_publishes_participation_completed(bus: NatsServer, streams: None, user: str) -> None:
    before = await stored(bus, "LINLI_SHIFTS", "linli.meihu.participation.completed")

    assert await violations_publishing(bus, user, "linli.meihu.participation.completed")
    assert await stored(bus, "LINLI_SHIFTS", "linli.meihu.participation.completed") == before


@pytest.mark.parametrize("user", ["intake", "shifts", "notifications", "community", "subscriber"])
async def test_nobody_but_rewards_publishes_points(bus: NatsServer, streams: None, user: str) -> None:
    assert await violations_publishing(bus, user, "linli.meihu.points.awarded")


async def test_another_system_keeps_its_place_with_a_durable_named_as_its_user(bus: NatsServer, streams: None) -> None:
    async with connected(bus, "intake") as intake:
        for n in range(3):
            await intake.jetstream().publish(
                "linli.meihu.issue.accepted", b"{}", headers={"Nats-Msg-Id": f"resume-{n}"}
            )
    config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.EXPLICIT)

    async with connected(bus, "subscriber") as subscriber:
        js = subscriber.jetstream()
        first = await js.pull_subscribe("linli.*.issue.accepted", durable="subscriber", config=config)
        for message in await first.fetch(2, timeout=5):
            await message.ack_sync()
    async with connected(bus, "subscriber") as subscriber:
        again = await subscriber.jetstream().pull_subscribe("linli.*.issue.accepted", durable="subscriber")
        rest = await again.fetch(5, timeout=2)

    assert [m.headers.get("Nats-Msg-Id") if m.headers else None for m in rest] == ["resume-2"]


async def test_another_system_cannot_take_a_services_durable(bus: NatsServer, streams: None) -> None:
    errors: list[str] = []
    async with connected(bus, "subscriber", errors) as subscriber:
        with suppress(Exception):
            await subscriber.jetstream().add_consumer("LINLI_INTAKE", ConsumerConfig(durable_name="rewards"), timeout=1)
        await eventually(lambda: violations(errors), timeout=5, message="subscriber refused a service's durable")

    assert "rewards" not in await consumer_names(bus, "LINLI_INTAKE")


async def consumer_names(bus: NatsServer, stream: str) -> list[str]:
    async with connected(bus, "operator") as operator:
        return [c.name for c in await operator.jetstream().consumers_info(stream)]


def test_the_passwords_stay_with_the_run_directory(tmp_path: Path) -> None:
    made = NatsUsers.kept_in(tmp_path / "nats-passwords.json")

    again = NatsUsers.kept_in(tmp_path / "nats-passwords.json")

    assert again == made
    assert (tmp_path / "nats-passwords.json").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("keep_place", [False, True])
async def test_the_example_subscriber_reads_history_as_the_read_only_user(
    bus: NatsServer, streams: None, keep_place: bool
) -> None:
    async with connected(bus, "rewards") as rewards:
        for n in range(2):
            await rewards.jetstream().publish(
                "linli.meihu.points.awarded", b'{"id": "e%d", "time": "t", "type": "points.awarded", "data": {}}' % n
            )
    command = [
        sys.executable,
        str(REPO_ROOT / "examples" / "subscriber.py"),
        "linli.*.points.>",
        "--all",
        "--count",
        "2",
    ]

    done = await asyncio.to_thread(
        subprocess.run,
        [*command, *(["--durable"] if keep_place else [])],
        env={**os.environ, "NATS_URL": bus.url_for("subscriber")},
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert done.returncode == 0, done.stderr
    assert sum("linli.meihu.points.awarded" in line for line in done.stdout.splitlines()) == 2
    assert ("subscriber" in await consumer_names(bus, "LINLI_REWARDS")) is keep_place
