"""Fixtures of the deliberation tests: the service running in-process on the test's Postgres and NATS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.deliberation.bootstrap import create
from services.deliberation.settings import DeliberationSettings
from tests.support.infra import running, settings_for


@pytest.fixture
async def client(database_url: str, nats_url: str, run_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create(settings_for(database_url, nats_url, run_dir, DeliberationSettings))) as http:
        yield http
