"""Fixtures of the love-bank tests: the app running against the test's real Postgres and NATS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.rewards.bootstrap import create
from services.rewards.settings import RewardsSettings
from tests.support.infra import Tokens, running, settings_for


@pytest.fixture
async def client(database_url: str, nats_url: str, run_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create(settings_for(database_url, nats_url, run_dir, RewardsSettings, outbox_poll_interval=0.2))
    async with running(app) as http:
        yield http


@pytest.fixture
def admin(tokens: Tokens) -> dict[str, str]:
    return tokens.headers("admin", "admin", "committee", building_group=1)
