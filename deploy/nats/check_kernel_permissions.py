"""Run a real kernel service as a restricted NATS user and check it needs nothing more.

    uv run python deploy/nats/check_kernel_permissions.py

The five services are built on services/kernel; what the kernel does on NATS (the outbox
relay's publishes, FastStream's durable pull consumers, acknowledgements, dead letters,
/readyz, the lag and dead-letter metrics) decides which `$JS.API` subjects a service user
must be allowed. This script starts nats-server with deploy/nats/single.conf and
accounts.conf plus one extra user `probe`, a copy of the `intake` user's permissions with
its subjects swapped for the kernel probe's (tests/kernel/probe emits and consumes
issue.submitted on LINLI_INTAKE), starts an embedded PostgreSQL, runs the probe service
in-process with that user, emits three events (one poison) and checks: the good ones are
applied, the poison one is dead-lettered, /readyz answers 200, and the server logged no
permissions violation. Takes about 20 seconds.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import asyncpg

from services.kernel.dev_issuer import issue_token
from services.kernel.migrate import migrate
from services.stack.nats import NATS_USERS, nats_server_binary
from services.stack.ports import any_free, wait_for_port
from services.stack.postgres import PostgresServer
from tests.kernel.probe import MIGRATIONS, create
from tests.support.infra import eventually, running, settings_for

HERE = Path(__file__).resolve().parent
USERS = (*NATS_USERS, "probe")


def probe_accounts(root: Path) -> None:
    text = (HERE / "accounts.conf").read_text()
    start = text.index("      {\n        user: intake")
    end = text.index("      {\n        user: deliberation")
    block = text[start:end]
    for old, new in (
        ("user: intake", "user: probe"),
        ("NATS_INTAKE_PASSWORD", "NATS_PROBE_PASSWORD"),
        ('"dlq.intake.>"', '"dlq.probe.>"'),
        ('"$JS.ACK.LINLI_DELIBERATION.>"', '"$JS.ACK.LINLI_INTAKE.>"'),
    ):
        assert old in block, old
        block = block.replace(old, new)
    (root / "accounts.conf").write_text(text[:start] + block + text[start:])
    shutil.copy(HERE / "jetstream-durability.conf", root)


async def exercise(database_url: str, nats_url: str, run_dir: Path) -> list[str]:
    token = issue_token("alice", ["resident"], run_dir=run_dir)
    failures: list[str] = []

    async def applied() -> int:
        conn = await asyncpg.connect(database_url, server_settings={"search_path": "probe"})
        try:
            return int(await conn.fetchval("SELECT count(*) FROM effects"))
        finally:
            await conn.close()

    async with running(create(settings_for(database_url, nats_url, run_dir))) as client:
        response = await client.post(
            "/emit", json={"titles": ["a", "b", "poison"]}, headers={"Authorization": f"Bearer {token}"}
        )
        if response.status_code != 202:
            failures.append(f"emit: {response.status_code} {response.text}")

        async def applied_two() -> bool:
            return await applied() == 2

        async def dead_lettered() -> bool:
            metrics = (await client.get("/metrics")).text
            return any(
                line.startswith("linli_dead_letters_total{") and line.endswith(" 1.0") for line in metrics.splitlines()
            )

        await eventually(applied_two, timeout=30, message="two good events applied")
        await eventually(dead_lettered, timeout=30, message="the poison event dead-lettered")
        ready = await client.get("/readyz")
        if ready.status_code != 200:
            failures.append(f"/readyz: {ready.status_code} {ready.text}")
    return failures


def main() -> int:
    root = Path(tempfile.mkdtemp(prefix="linli-kernel-perms-"))
    probe_accounts(root)
    port, http = any_free(), any_free()
    config = (HERE / "single.conf").read_text()
    config = config.replace("0.0.0.0:4222", f"127.0.0.1:{port}").replace("0.0.0.0:8222", f"127.0.0.1:{http}")
    (root / "single.conf").write_text(config.replace("/data/jetstream", str(root / "store")))
    env = dict(os.environ, **{f"NATS_{user.upper()}_PASSWORD": "check-only" for user in USERS})
    log = root / "nats.log"
    nats_process = subprocess.Popen(
        [nats_server_binary(), "-c", str(root / "single.conf")],
        cwd=root,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    postgres = None
    try:
        wait_for_port(port, 20)
        postgres = PostgresServer(root / "pg", fast=True, log=(root / "pg.log").open("w")).start()
        database_url = postgres.create_database("linli")
        migrate(database_url, "probe", MIGRATIONS)
        failures = asyncio.run(exercise(database_url, f"nats://probe:check-only@127.0.0.1:{port}", root / "run"))
    finally:
        nats_process.terminate()
        nats_process.wait(10)
        if postgres is not None:
            postgres.stop()
    violations = [line for line in log.read_text().splitlines() if "Violation" in line]
    failures += [f"nats-server: {line}" for line in violations]
    shutil.rmtree(root, ignore_errors=True)
    for failure in failures:
        print(f"FAIL {failure}")
    if not failures:
        print("ok: the kernel probe ran as a service-shaped NATS user (relay, durable pull consumer, acks,")
        print("    retries, dead letter, /readyz, /metrics) with no permissions violation")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
