"""Backups of the services' databases, and what a restore must do besides loading them.

A backup is one `pg_dump` of every service's schema, in one snapshot: the schemas of intake,
rewards and the rest are consistent with each other as of one moment (`taken_at`), as if the
whole community had stopped there. Beside it a manifest says when, which schemas, and which
migrations each had, so a restore into a newer release knows what the Job will add.

The JetStream streams are not backed up, and need not be: each service's database is the source
of truth, the events are facts its transactions wrote to its outbox, and every consumer's record
of what it has applied (processed_events, never pruned) is in the same snapshot. After a restore
each restored service's durable consumers are deleted (`rewind_consumers`); the services create
them again on start with DeliverPolicy.ALL, the streams' year of history is delivered once more,
and processed_events lets through exactly the events whose effects the restore took away. Outbox
rows unpublished at `taken_at` are published again by the relay under their own Nats-Msg-Id. What
a restore cannot give back is a write made after `taken_at`: for that, PostgreSQL's point-in-time
recovery (a managed instance's, or WAL archiving) is the tool, and this backup is its floor.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

DUMP = "linli.dump"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Manifest:
    taken_at: str
    services: list[str]
    migrations: dict[str, list[str]]
    pg_dump: str

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        return cls(**json.loads((directory / MANIFEST).read_text()))


def postgres_tool(name: str) -> str:
    """pg_dump or pg_restore: from LINLI_PG_BIN if set, else from PATH. It must be at least the
    server's major version (pg_dump refuses to dump a newer server)."""
    explicit = os.environ.get("LINLI_PG_BIN")
    found = str(Path(explicit) / name) if explicit else shutil.which(name)
    if not found or not Path(found).exists():
        raise RuntimeError(f"{name} not found: install PostgreSQL's client tools or set LINLI_PG_BIN")
    return found


async def _migrations(database_url: str, services: list[str]) -> dict[str, list[str]]:
    conn = await asyncpg.connect(database_url)
    try:
        applied = {}
        for service in services:
            rows = await conn.fetch(f'SELECT version FROM "{service}".schema_migrations ORDER BY version')
            applied[service] = [row["version"] for row in rows]
        return applied
    finally:
        await conn.close()


async def backup(database_url: str, directory: Path, services: list[str]) -> Manifest:
    """Dump every schema of `services` in one snapshot into `directory` (created; must be empty)."""
    taken_at = datetime.now(UTC).isoformat()
    version = await asyncio.to_thread(_dump, database_url, directory, services)
    manifest = Manifest(taken_at, services, await _migrations(database_url, services), version)
    await asyncio.to_thread((directory / MANIFEST).write_text, json.dumps(asdict(manifest), indent=2) + "\n")
    return manifest


def _dump(database_url: str, directory: Path, services: list[str]) -> str:
    """pg_dump of the schemas into directory/linli.dump; returns pg_dump's version line."""
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise RuntimeError(f"{directory} is not empty: a backup never overwrites another")
    pg_dump = postgres_tool("pg_dump")
    schemas = [f"--schema={service}" for service in services]
    command = [pg_dump, "--format=custom", "--no-owner", "--no-privileges", *schemas, f"--file={directory / DUMP}"]
    subprocess.run([*command, database_url], check=True, capture_output=True, text=True)
    return subprocess.run([pg_dump, "--version"], check=True, capture_output=True, text=True).stdout.strip()


def restore(database_url: str, directory: Path) -> Manifest:
    """Load a backup into `database_url`, replacing the schemas it holds (others are left alone)."""
    manifest = Manifest.read(directory)
    command = [
        postgres_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
    ]
    subprocess.run([*command, f"--dbname={database_url}", str(directory / DUMP)], check=True, capture_output=True)
    return manifest


async def rewind_consumers(js: JetStreamContext, services: list[str]) -> list[str]:
    """Delete the durable consumers of `services` (named `<service>__<event>`), so that each
    service, on its next start, creates them again from the beginning of their streams."""
    deleted = []
    for stream in await js.streams_info():
        name = stream.config.name or ""
        for consumer in await js.consumers_info(name):
            durable = consumer.name
            if any(durable.startswith(f"{service}__") for service in services):
                try:
                    await js.delete_consumer(name, durable)
                except NotFoundError:
                    continue
                deleted.append(durable)
    return sorted(deleted)
