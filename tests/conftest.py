"""Fixtures every test may use: real PostgreSQL and NATS, fresh per test, and tokens."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.kernel.dev_issuer import ensure_key
from services.kernel.migrate import SERVICE_NAMES, migrate
from services.stack.nats import NatsServer
from services.stack.postgres import PostgresServer
from tests.kernel.probe import MIGRATIONS as PROBE_MIGRATIONS
from tests.kernel.probe import NAME as PROBE
from tests.support.infra import Tokens, new_database

TEMPLATE = "linli_template"


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("run")
    ensure_key(path)
    os.environ["LINLI_JWT_PUBLIC_KEY_FILE"] = str(path / "dev-jwt-public.pem")
    return path


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    base = tmp_path_factory.mktemp("pg")
    server = PostgresServer(base / "data", fast=True, log=(base / "postgres.log").open("w")).start()
    template_url = server.create_database(TEMPLATE)
    for service in SERVICE_NAMES:
        migrate(template_url, service)
    migrate(template_url, PROBE, PROBE_MIGRATIONS)
    yield server
    server.stop()


@pytest.fixture
async def database_url(postgres: PostgresServer) -> str:
    """A fresh database with every service's schema migrated."""
    return await new_database(postgres.url(), TEMPLATE)


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A fresh NATS server with JetStream for each test: no stream or consumer leaks between tests."""
    server = NatsServer(tmp_path / "nats", log=(tmp_path / "nats.log").open("w")).start()
    yield server
    server.stop()


@pytest.fixture
def nats_url(nats_server: NatsServer) -> str:
    return nats_server.url


@pytest.fixture(scope="session")
def tokens(run_dir: Path) -> Tokens:
    return Tokens(run_dir)
