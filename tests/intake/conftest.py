"""Fixtures of the intake tests: the app against real PostgreSQL and NATS, and small helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.intake.bootstrap import create
from services.intake.settings import IntakeSettings
from tests.support.infra import running, settings_for

AppFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def intake_app(database_url: str, nats_url: str, run_dir: Path) -> AppFactory:
    """`async with intake_app(**intake_settings) as client`: the running service with its lifespan."""

    def start(**overrides: Any) -> AbstractAsyncContextManager[httpx.AsyncClient]:
        values: dict[str, Any] = {"intake_auto_close_interval": 3600.0, "intake_person_rate": "1000/minute"}
        values.update(overrides)
        return running(create(settings_for(database_url, nats_url, run_dir, IntakeSettings, **values)))

    return start


@pytest.fixture
async def client(intake_app: AppFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with intake_app() as client:
        yield client
