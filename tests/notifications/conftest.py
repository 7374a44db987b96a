"""Fixtures of the notifications tests: settings with quick retries, a clock that stands still, real receivers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from services.kernel.clock import SettableClock
from services.notifications.settings import NotificationSettings
from tests.notifications.support import HttpReceiver, SmtpSink, smtp_server
from tests.support.infra import served, settings_for
from tests.support.sql import Sql

# 10:00 in Hefei: outside the default quiet hours.
MORNING = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)

MakeSettings = Callable[..., NotificationSettings]


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(MORNING)


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpSink, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def make_settings(database_url: str, nats_url: str, run_dir: Path, smtp: tuple[SmtpSink, int]) -> MakeSettings:
    def make(**overrides: Any) -> NotificationSettings:
        values: dict[str, Any] = {
            "notifications_smtp_host": "127.0.0.1",
            "notifications_smtp_port": smtp[1],
            "notifications_worker_interval": 0.05,
            "notifications_retry_base": 0.05,
            "notifications_retry_max": 0.2,
            "notifications_webhook_timeout": 5.0,
            # The tests' robots and webhook receivers listen on loopback, which production refuses (SSRF).
            "notifications_allowed_networks": ["127.0.0.0/8", "::1/128"],
        }
        values.update(overrides)
        return settings_for(database_url, nats_url, run_dir, NotificationSettings, **values)

    return make


@pytest.fixture
def sql(database_url: str) -> Sql:
    """The service's tables, through the one SQL runner of the tests."""
    return Sql(database_url, "notifications")


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[HttpReceiver, str]]:
    hooks = HttpReceiver()
    async with served(hooks.app()) as url:
        yield hooks, url
