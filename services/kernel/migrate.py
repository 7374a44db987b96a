"""Migrations with dbmate: the kernel's tables, then the service's own, in the service's schema.

Each service keeps plain SQL files in `services/<name>/migrations/` (dbmate format:
`-- migrate:up` / `-- migrate:down`). The kernel's files live in
`services/kernel/migrations/` and are tracked in their own table, so both sets apply
into the same schema without touching each other's history.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SERVICES_DIR = Path(__file__).resolve().parents[1]
KERNEL_MIGRATIONS = SERVICES_DIR / "kernel" / "migrations"
SERVICE_NAMES = ("intake", "deliberation", "shifts", "rewards", "notifications", "community")


def dbmate_binary() -> str:
    scripts = Path(sysconfig.get_path("scripts"))
    for candidate in (scripts / "dbmate", Path(sys.executable).parent / "dbmate"):
        if candidate.exists():
            return str(candidate)
    return "dbmate"


def schema_url(database_url: str, schema: str) -> str:
    """The database URL dbmate needs: postgres scheme, the schema as search_path, no TLS on loopback."""
    parts = urlsplit(database_url)
    query = dict(parse_qsl(parts.query))
    query["search_path"] = schema
    query.setdefault("sslmode", "disable")
    return urlunsplit(("postgres", parts.netloc, parts.path, urlencode(query), ""))


def _dbmate(url: str, migrations: Path, table: str) -> None:
    cmd = [
        dbmate_binary(),
        "--url",
        url,
        "--migrations-dir",
        str(migrations),
        "--migrations-table",
        table,
        "--no-dump-schema",
        "--wait",
        "--wait-timeout",
        "30s",
        "up",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ}, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"dbmate failed for {migrations}: {result.stdout}{result.stderr}")


def migrate(database_url: str, service: str, migrations_dir: Path | None = None) -> None:
    """Apply every pending migration of one service (kernel tables first) into its schema."""
    url = schema_url(database_url, service)
    _dbmate(url, KERNEL_MIGRATIONS, "kernel_migrations")
    own = migrations_dir or SERVICES_DIR / service / "migrations"
    if own.is_dir() and any(own.glob("*.sql")):
        _dbmate(url, own, "schema_migrations")


def migrate_all(database_url: str, services: tuple[str, ...] = SERVICE_NAMES) -> None:
    for service in services:
        migrate(database_url, service)
