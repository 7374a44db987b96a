"""Fixtures of the fuzz tests: the six services served by uvicorn on one real PostgreSQL database and
one NATS server, started once per module.

They run in a thread of their own with its own event loop, as a server would: schemathesis calls
them over HTTP from the synchronous hypothesis tests, and the malformed-input tests reach them the
same way, so every request crosses a real socket and a real HTTP parser."""

from __future__ import annotations

import asyncio
import importlib
import threading
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest

from services.kernel.settings import ServiceSettings
from services.stack.nats import NatsServer
from services.stack.postgres import PostgresServer
from services.web.openapi import SERVICES
from tests.conftest import TEMPLATE
from tests.support.infra import new_database, served, settings_for

SETTINGS = {
    "intake": "IntakeSettings",
    "deliberation": "DeliberationSettings",
    "shifts": "ShiftsSettings",
    "rewards": "RewardsSettings",
    "notifications": "NotificationSettings",
    "community": "CommunitySettings",
}
OVERRIDES: dict[str, dict[str, Any]] = {
    # A fuzzer submits far more than a person could: the rate limits are not what is under test here.
    "intake": {"intake_person_rate": "100000/minute", "intake_address_rate": "100000/minute"},
}


def settings_class(service: str) -> type[ServiceSettings]:
    kind: type[ServiceSettings] = getattr(importlib.import_module(f"services.{service}.settings"), SETTINGS[service])
    return kind


@pytest.fixture(scope="module")
def fuzz_database_url(postgres: PostgresServer) -> str:
    """One database for the module's whole run, every service's schema migrated."""
    return asyncio.run(new_database(postgres.url(), TEMPLATE))


@pytest.fixture(scope="module")
def fuzz_nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("fuzz-nats")
    server = NatsServer(base / "nats", log=(base / "nats.log").open("w")).start()
    yield server.url
    server.stop()


class ServedStack:
    """The six apps served by uvicorn in a background thread; `urls[service]` is each one's base URL."""

    def __init__(self, database_url: str, nats_url: str, run_dir: Path) -> None:
        self.database_url, self.nats_url, self.run_dir = database_url, nats_url, run_dir
        self.urls: dict[str, str] = {}
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="fuzz-services", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:
            self._error = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with AsyncExitStack() as stack:
            for service in SERVICES:
                bootstrap = importlib.import_module(f"services.{service}.bootstrap")
                settings = settings_for(
                    self.database_url,
                    self.nats_url,
                    self.run_dir,
                    settings_class(service),
                    **OVERRIDES.get(service, {}),
                )
                self.urls[service] = await stack.enter_async_context(served(bootstrap.create(settings)))
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> ServedStack:
        self._thread.start()
        if not self._ready.wait(180):
            raise TimeoutError("the services did not start within 180 s")
        if self._error is not None:
            raise RuntimeError("a service did not start") from self._error
        return self

    def __exit__(self, *_: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(60)


@pytest.fixture(scope="module")
def services(fuzz_database_url: str, fuzz_nats_url: str, run_dir: Path) -> Iterator[ServedStack]:
    with ServedStack(fuzz_database_url, fuzz_nats_url, run_dir) as stack:
        yield stack
