"""The kernel's guarantees under faults, against real NATS and PostgreSQL:
processes die between commit and ack, relays die between publish and mark, brokers and
databases go away and come back, poison arrives among good messages."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from pathlib import Path

import httpx
import pytest
from nats.js.errors import NotFoundError

from services.kernel import dlq
from services.kernel.migrate import migrate
from services.kernel.topology import DLQ_STREAM, ConsumerSpec, ensure_streams
from services.stack.nats import NatsServer
from services.stack.postgres import PostgresServer
from tests.kernel.helpers import effect_count, effect_titles, probe_rows, submitted
from tests.kernel.probe import MIGRATIONS, create
from tests.support.infra import ServiceProcess, Tokens, eventually, jetstream, running, settings_for

SPEC = ConsumerSpec("probe", "issue.submitted")


def probe_process(database_url: str, nats_url: str, run_dir: Path, tmp_path: Path, **env: str) -> ServiceProcess:
    return ServiceProcess(
        "tests.kernel.probe",
        {
            "DATABASE_URL": database_url,
            "NATS_URL": nats_url,
            "LINLI_JWT_PUBLIC_KEY_FILE": str(run_dir / "dev-jwt-public.pem"),
            "LINLI_CONSUMER_ACK_WAIT": "2",
            "LINLI_CONSUMER_BACKOFF_BASE": "0.05",
            "LINLI_LOG_LEVEL": "WARNING",
            **env,
        },
        tmp_path / "probe.log",
    )


async def test_consumer_killed_after_commit_before_ack_applies_the_effect_once(
    database_url: str, nats_url: str, run_dir: Path, tokens: Tokens, tmp_path: Path
) -> None:
    service = probe_process(database_url, nats_url, run_dir, tmp_path)
    service.start({"LINLI_FAULTS": "consumer.after_commit"})
    await service.wait_ready()
    async with httpx.AsyncClient(base_url=service.base_url) as client:
        response = await client.post("/emit", json={"titles": ["once"]}, headers=tokens.headers("alice"))
        assert response.status_code == 202

    exit_code = await asyncio.to_thread(service.wait_exit, 30)
    assert exit_code == 137, "the fault point should have killed the process after the commit"
    assert await effect_count(database_url) == 1

    service.start()  # the same service, healthy: the unacked message is redelivered
    try:
        await service.wait_ready()
        async with jetstream(nats_url) as js:

            async def settled() -> bool:
                info = await js.consumer_info(SPEC.stream, SPEC.durable)
                return bool(info.num_pending == 0 and info.num_ack_pending == 0 and info.delivered.consumer_seq >= 2)

            await eventually(settled, timeout=30, message="redelivered and acknowledged")
    finally:
        service.terminate()
    assert await effect_titles(database_url) == ["once"]


async def test_relay_killed_after_publish_before_marking_causes_no_second_effect(
    database_url: str, nats_url: str, run_dir: Path, tokens: Tokens, tmp_path: Path
) -> None:
    # The relay itself publishes (no publish after commit), so its own crash point is reached.
    service = probe_process(database_url, nats_url, run_dir, tmp_path, LINLI_OUTBOX_PUBLISH_AFTER_COMMIT="false")
    service.start({"LINLI_FAULTS": "relay.after_publish"})
    await service.wait_ready()
    async with httpx.AsyncClient(base_url=service.base_url) as client:
        response = await client.post("/emit", json={"titles": ["relayed"]}, headers=tokens.headers("alice"))
        assert response.status_code == 202
    assert await asyncio.to_thread(service.wait_exit, 30) == 137
    unpublished = await probe_rows(database_url, "SELECT id FROM outbox WHERE published_at IS NULL")
    assert len(unpublished) == 1, "the crash came before the row was marked published"

    service.start()
    try:
        await service.wait_ready()

        async def marked() -> bool:
            return not await probe_rows(database_url, "SELECT id FROM outbox WHERE published_at IS NULL")

        await eventually(marked, timeout=20, message="the restarted relay publishes the row again")
        await eventually(lambda: effect_count(database_url), timeout=20)
        async with jetstream(nats_url) as js:
            info = await js.stream_info("LINLI_INTAKE")
    finally:
        service.terminate()
    assert info.state.messages == 1, "JetStream dropped the second publish as a duplicate"
    assert await effect_titles(database_url) == ["relayed"]


async def test_a_process_killed_between_commit_and_its_own_publish_has_the_relay_deliver_the_event_once(
    database_url: str, nats_url: str, run_dir: Path, tokens: Tokens, tmp_path: Path
) -> None:
    service = probe_process(database_url, nats_url, run_dir, tmp_path)
    service.start({"LINLI_FAULTS": "publisher.before_publish"})
    await service.wait_ready()
    await _emit_in_a_process_that_dies(service, tokens, "orphaned")
    assert await asyncio.to_thread(service.wait_exit, 30) == 137, "the process died after the commit, before publishing"
    assert len(await probe_rows(database_url, "SELECT id FROM outbox WHERE published_at IS NULL")) == 1

    service.start()  # the relay of the next start catches up before the process publishes by itself again
    try:
        await service.wait_ready()
        await eventually(lambda: effect_count(database_url), timeout=20, message="the relay delivers it")
        async with jetstream(nats_url) as js:
            info = await js.stream_info("LINLI_INTAKE")
    finally:
        service.terminate()
    assert info.state.messages == 1
    assert await effect_titles(database_url) == ["orphaned"]
    assert not await probe_rows(database_url, "SELECT id FROM outbox WHERE published_at IS NULL")


async def test_an_event_published_after_commit_and_again_by_the_relay_is_stored_and_applied_once(
    database_url: str, nats_url: str, run_dir: Path, tokens: Tokens, tmp_path: Path
) -> None:
    service = probe_process(database_url, nats_url, run_dir, tmp_path)
    service.start({"LINLI_FAULTS": "publisher.after_publish"})
    await service.wait_ready()
    await _emit_in_a_process_that_dies(service, tokens, "twice-sent")
    assert await asyncio.to_thread(service.wait_exit, 30) == 137, "the process died after publishing, before marking"
    assert len(await probe_rows(database_url, "SELECT id FROM outbox WHERE published_at IS NULL")) == 1

    service.start()  # its relay publishes the unmarked row a second time, under the same Nats-Msg-Id
    try:
        await service.wait_ready()

        async def marked() -> bool:
            return not await probe_rows(database_url, "SELECT id FROM outbox WHERE published_at IS NULL")

        await eventually(marked, timeout=20, message="the relay publishes the row again")
        await eventually(lambda: effect_count(database_url), timeout=20)
        async with jetstream(nats_url) as js:
            info = await js.stream_info("LINLI_INTAKE")
    finally:
        service.terminate()
    assert info.state.messages == 1, "JetStream dropped the second publish as a duplicate"
    assert await effect_titles(database_url) == ["twice-sent"]


async def test_commits_are_published_by_their_process_and_not_claimed_by_the_relay(
    database_url: str, nats_url: str, run_dir: Path, tokens: Tokens
) -> None:
    app = create(settings_for(database_url, nats_url, run_dir, outbox_relay_grace=600))
    async with running(app) as client:
        responses = await asyncio.gather(
            *(
                client.post(
                    "/emit", json={"titles": [f"direct-{i}-{j}" for j in range(3)]}, headers=tokens.headers("alice")
                )
                for i in range(20)
            )
        )
        assert {r.status_code for r in responses} == {202}

        async def all_applied() -> bool:
            return await effect_count(database_url) >= 60

        # With a ten-minute grace the relay claims none of them: only the publish after commit delivers.
        await eventually(all_applied, timeout=20)
    rows = await probe_rows(database_url, "SELECT attempts, published_at FROM outbox")
    assert len(rows) == 60
    assert all(r["attempts"] == 1 and r["published_at"] is not None for r in rows)


async def _emit_in_a_process_that_dies(service: ServiceProcess, tokens: Tokens, title: str) -> None:
    """POST /emit to a process armed to die right after the commit: the answer may not make it out."""
    async with httpx.AsyncClient(base_url=service.base_url) as client:
        with contextlib.suppress(httpx.TransportError):
            response = await client.post("/emit", json={"titles": [title]}, headers=tokens.headers("alice"))
            assert response.status_code == 202


async def test_an_event_republished_under_another_message_id_is_applied_once(
    database_url: str, nats_url: str, run_dir: Path
) -> None:
    event = submitted("republished")
    app = create(settings_for(database_url, nats_url, run_dir))
    async with running(app), jetstream(nats_url) as js:
        body = event.model_dump_json().encode()
        # Beyond the duplicate window JetStream stores a re-publish; only the consumer's own record stops it.
        for msg_id in ("first", "second", "third"):
            await js.publish(event.nats_subject, body, headers={"Nats-Msg-Id": msg_id})

        async def all_handled() -> bool:
            info = await js.consumer_info(SPEC.stream, SPEC.durable)
            return bool(info.num_pending == 0 and info.num_ack_pending == 0 and info.delivered.consumer_seq == 3)

        await eventually(all_handled, message="three deliveries acknowledged")
    assert await effect_titles(database_url) == ["republished"]


async def test_poison_reaches_the_dead_letter_stream_after_its_tries_while_good_messages_flow(
    database_url: str, nats_url: str, run_dir: Path
) -> None:
    app = create(settings_for(database_url, nats_url, run_dir, consumer_max_tries=3))
    good = [submitted(f"good-{i}") for i in range(20)]
    poison = submitted("poison: the handler cannot cope yet")
    invalid = submitted("x").model_dump(mode="json")
    del invalid["data"]["title"]
    async with running(app), jetstream(nats_url) as js:
        subject = "linli.meihu.issue.submitted"
        await js.publish(subject, b"{not json", headers={"Nats-Msg-Id": "malformed"})
        await js.publish(subject, str(invalid).encode(), headers={"Nats-Msg-Id": "invalid"})
        await js.publish(subject, poison.model_dump_json().encode(), headers={"Nats-Msg-Id": str(poison.id)})
        for event in good:
            await js.publish(subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.id)})

        async def three_dead() -> list[dlq.DeadLetter]:
            letters = await dlq.list_dead_letters(js, "probe")
            return letters if len(letters) == 3 else []

        letters = await eventually(three_dead, timeout=30, message="three dead letters")
        assert await effect_count(database_url) == 20
        assert all(letter.tries == 3 and letter.consumer == SPEC.durable for letter in letters)
        assert {letter.original_subject for letter in letters} == {subject}

        # The fix ships; the operator replays the letter the handler could not cope with.
        await probe_rows(database_url, "UPDATE switches SET fixed = true")
        fixable = next(letter for letter in letters if b"poison" in letter.data)
        await dlq.replay(js, fixable.seq)

        async def poison_applied() -> bool:
            return "poison: the handler cannot cope yet" in await effect_titles(database_url)

        await eventually(poison_applied, message="the replayed event applies")
        remaining = await dlq.list_dead_letters(js, "probe")
        with pytest.raises(NotFoundError):
            await js.get_msg(DLQ_STREAM, seq=fixable.seq)
    assert len(remaining) == 2
    assert (await effect_titles(database_url)).count("poison: the handler cannot cope yet") == 1


async def test_several_relays_publish_every_event_exactly_once(
    database_url: str, nats_url: str, run_dir: Path, tokens: Tokens
) -> None:
    app = create(settings_for(database_url, nats_url, run_dir, outbox_relays=3, outbox_batch_size=7))
    headers = tokens.headers("alice")
    async with running(app) as client:
        responses = await asyncio.gather(
            *(
                client.post("/emit", json={"titles": [f"e{i}-{j}" for j in range(5)]}, headers=headers)
                for i in range(40)
            )
        )
        assert {r.status_code for r in responses} == {202}

        async def all_applied() -> bool:
            return await effect_count(database_url) >= 200

        await eventually(all_applied, timeout=30)
        async with jetstream(nats_url) as js:
            info = await js.stream_info("LINLI_INTAKE")
    attempts = await probe_rows(database_url, "SELECT attempts, published_at FROM outbox")
    assert len(attempts) == 200
    assert all(r["attempts"] == 1 and r["published_at"] is not None for r in attempts), "no row published twice"
    assert info.state.messages == 200
    assert len(set(await effect_titles(database_url))) == 200


async def test_a_commit_wakes_the_relay_without_waiting_for_the_poll_interval(
    database_url: str, nats_url: str, run_dir: Path, tokens: Tokens
) -> None:
    app = create(
        settings_for(database_url, nats_url, run_dir, outbox_poll_interval=600, outbox_publish_after_commit=False)
    )
    async with running(app) as client:
        await eventually(lambda: _listening(database_url), message="the relay listens")
        await client.post("/emit", json={"titles": ["notified"]}, headers=tokens.headers("alice"))
        # With a 10-minute poll interval only LISTEN/NOTIFY can deliver within the deadline.
        await eventually(lambda: effect_count(database_url), timeout=10)


async def _listening(database_url: str) -> bool:
    rows = await probe_rows(database_url, "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'LISTEN%'")
    return bool(rows)


async def test_api_writes_succeed_while_nats_is_down_and_arrive_when_it_returns(
    database_url: str, nats_server: NatsServer, run_dir: Path, tokens: Tokens
) -> None:
    app = create(settings_for(database_url, nats_server.url, run_dir))
    async with running(app) as client:
        nats_server.stop()

        async def not_ready() -> bool:
            return (await client.get("/readyz")).status_code == 503

        await eventually(not_ready, message="readyz reports NATS away")
        response = await client.post("/emit", json={"titles": ["while-down"]}, headers=tokens.headers("alice"))
        assert response.status_code == 202
        nats_server.start()

        async def ready() -> bool:
            return (await client.get("/readyz")).status_code == 200

        await eventually(ready, timeout=30)
        await eventually(lambda: effect_count(database_url), timeout=30)
    assert await effect_titles(database_url) == ["while-down"]


async def test_readiness_follows_the_database_and_recovers_by_itself(
    nats_url: str, run_dir: Path, tokens: Tokens, tmp_path: Path
) -> None:
    own = await asyncio.to_thread(PostgresServer(tmp_path / "pg", fast=True).start)
    try:
        own_url = await asyncio.to_thread(own.create_database, "probe_db")
        await asyncio.to_thread(migrate, own_url, "probe", MIGRATIONS)
        app = create(settings_for(own_url, nats_url, run_dir))
        async with running(app) as client:
            assert (await client.get("/readyz")).status_code == 200
            await asyncio.to_thread(own.stop)
            response = await client.get("/readyz")
            assert response.status_code == 503
            assert response.headers["content-type"] == "application/problem+json"
            assert "database" in response.json()["checks"]
            await asyncio.to_thread(own.start)

            async def ready() -> bool:
                return (await client.get("/readyz")).status_code == 200

            await eventually(ready, timeout=30, message="ready again without a restart")
            response = await client.post("/emit", json={"titles": ["after"]}, headers=tokens.headers("alice"))
            assert response.status_code == 202
            await eventually(lambda: effect_count(own_url), timeout=20)
    finally:
        await asyncio.to_thread(own.stop)


async def test_trace_context_travels_from_the_request_to_the_consumer(
    database_url: str, nats_url: str, run_dir: Path, tokens: Tokens
) -> None:
    trace_id = uuid.uuid4().hex
    traceparent = f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"
    app = create(settings_for(database_url, nats_url, run_dir))
    async with running(app) as client:
        headers = {**tokens.headers("alice"), "traceparent": traceparent}
        await client.post("/emit", json={"titles": ["traced"]}, headers=headers)
        await eventually(lambda: effect_count(database_url))
    rows = await probe_rows(database_url, "SELECT trace_id FROM effects")
    stored = await probe_rows(database_url, "SELECT traceparent FROM outbox")
    assert stored[0]["traceparent"].split("-")[1] == trace_id
    assert rows[0]["trace_id"] == trace_id


async def test_streams_are_declared_idempotently(nats_url: str) -> None:
    async with jetstream(nats_url) as js:
        await ensure_streams(js)
        await ensure_streams(js)
        names = {info.config.name for info in await js.streams_info()}
    assert {"LINLI_INTAKE", "LINLI_REWARDS", DLQ_STREAM} <= names


async def test_the_operator_lists_and_replays_dead_letters_from_the_command_line(
    database_url: str, nats_url: str, run_dir: Path
) -> None:
    import os
    import subprocess
    import sys

    app = create(settings_for(database_url, nats_url, run_dir, consumer_max_tries=2))
    poison = submitted("poison: fixed by configuration")
    env = {**os.environ, "NATS_URL": nats_url}

    def linli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "services.cli", *args], env=env, capture_output=True, text=True, check=True
        )
        return done.stdout

    async with running(app), jetstream(nats_url) as js:
        await js.publish(poison.nats_subject, poison.model_dump_json().encode(), headers={"Nats-Msg-Id": "p"})
        letters = await eventually(lambda: dlq.list_dead_letters(js, "probe"), message="dead-lettered")
        listing = await asyncio.to_thread(linli, "dlq", "list")
        assert f"{letters[0].seq}\t" in listing
        assert str(poison.id) in listing
        await probe_rows(database_url, "UPDATE switches SET fixed = true")
        replayed = await asyncio.to_thread(linli, "dlq", "replay", str(letters[0].seq))
        assert f"event {poison.id}" in replayed

        async def applied() -> bool:
            return "poison: fixed by configuration" in await effect_titles(database_url)

        await eventually(applied)
        assert await dlq.list_dead_letters(js, "probe") == []
