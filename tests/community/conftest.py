"""Fixtures of the community tests: the app against real PostgreSQL and NATS."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.community.bootstrap import create
from services.community.settings import CommunitySettings
from services.kernel.clock import Clock
from tests.support.infra import running, settings_for
from tests.support.sql import Sql

AppFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def community_app(database_url: str, nats_url: str, run_dir: Path) -> AppFactory:
    """`async with community_app(clock=..., **settings) as client`: the running service with its lifespan."""

    def start(clock: Clock | None = None, **overrides: Any) -> AbstractAsyncContextManager[httpx.AsyncClient]:
        settings = settings_for(database_url, nats_url, run_dir, CommunitySettings, **overrides)
        return running(create(settings, clock=clock))

    return start


@pytest.fixture
async def client(community_app: AppFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with community_app() as client:
        yield client


@pytest.fixture
def sql(database_url: str) -> Sql:
    """The community schema of the test's database."""
    return Sql(database_url, "community")
