"""Real infrastructure for tests: NATS with JetStream and PostgreSQL, started by the test run
in temporary directories on free ports, never touching a running `make run` stack."""

from __future__ import annotations

import asyncio
import inspect
import itertools
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, overload

import asyncpg
import httpx
import nats
import uvicorn
from fastapi import FastAPI
from nats.js import JetStreamContext

from services.kernel.dev_issuer import issue_token
from services.kernel.settings import ServiceSettings
from services.stack.ports import any_free, wait_for_port

S = TypeVar("S", bound=ServiceSettings)
REPO = Path(__file__).resolve().parents[2]
_db_counter = itertools.count()


@dataclass
class Tokens:
    """Signs development tokens with the test run's own key."""

    run_dir: Path
    community: str = "meihu"

    def __call__(
        self,
        sub: str,
        *roles: str,
        name: str | None = None,
        community: str | None = None,
        building_group: int | None = None,
        ttl_seconds: int = 3600,
    ) -> str:
        return issue_token(
            sub,
            list(roles) or ["resident"],
            name=name,
            community=community or self.community,
            building_group=building_group,
            ttl_seconds=ttl_seconds,
            run_dir=self.run_dir,
        )

    def headers(self, sub: str, *roles: str, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self(sub, *roles, **kwargs)}"}


# The overload with `kind` comes first: the other one's **overrides would take `kind=` too.
@overload
def settings_for(database_url: str, nats_url: str, run_dir: Path, kind: type[S], **overrides: Any) -> S: ...
@overload
def settings_for(database_url: str, nats_url: str, run_dir: Path, **overrides: Any) -> ServiceSettings: ...
def settings_for(
    database_url: str, nats_url: str, run_dir: Path, kind: type[Any] = ServiceSettings, **overrides: Any
) -> Any:
    """Settings of `kind` (a service's own settings class) pointing at the test's servers, with quick
    retries for fast tests; the one settings builder of every test."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "nats_url": nats_url,
        "jwt_public_key_file": run_dir / "dev-jwt-public.pem",
        "consumer_backoff_base": 0.05,
        "consumer_backoff_max": 0.5,
        "consumer_ack_wait": 5.0,
        "outbox_poll_interval": 0.5,
        "graceful_timeout": 5.0,
        "db_pool_min": 1,
        "db_pool_max": 5,
    }
    values.update(overrides)
    return kind(**values)


async def new_database(admin_url: str, template: str) -> str:
    """A fresh database cloned from the migrated template: full isolation in ~50 ms."""
    name = f"t{os.getpid()}_{next(_db_counter)}"
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await conn.close()
    return admin_url.rsplit("/", 1)[0] + "/" + name


@asynccontextmanager
async def running(app: FastAPI, *, raise_app_exceptions: bool = True) -> AsyncIterator[httpx.AsyncClient]:
    """Run a service app in-process (its lifespan: pool, broker, consumers, relay) with an HTTP client.

    `raise_app_exceptions=False`: an unexpected error is answered as a server answers it (the 500
    problem) instead of raised into the test."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port (with its lifespan); yields its base URL."""
    port = any_free()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started or task.done(), timeout=30, message=f"uvicorn on port {port}")
        if task.done():
            task.result()  # the server stopped before it started: its error
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def jetstream(url: str) -> AsyncIterator[JetStreamContext]:
    nc = await nats.connect(url)
    try:
        yield nc.jetstream()
    finally:
        await nc.close()


async def eventually(
    probe: Callable[[], Awaitable[Any] | Any], *, timeout: float = 15.0, interval: float = 0.05, message: str = ""
) -> Any:
    """Await until `probe()` returns something truthy; fail with its last value after `timeout`.

    The probe may read the database or NATS (a coroutine) or just look at what a fake recorded
    (a plain value). Events are asynchronous by design: a test waits for the state it expects,
    with a deadline, instead of sleeping a fixed time and hoping."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = probe()
        if inspect.isawaitable(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s: {message or probe} (last value {last!r})")


class ServiceProcess:
    """A service as a separate OS process (uvicorn), for tests that kill and restart it."""

    def __init__(self, module: str, env: dict[str, str], log_path: Path) -> None:
        self.module = module
        self.env = env
        self.log_path = log_path
        self.port = any_free()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, extra_env: dict[str, str] | None = None) -> ServiceProcess:
        env = {**os.environ, **self.env, **(extra_env or {}), "LINLI_HTTP_PORT": str(self.port)}
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO
        )
        wait_for_port(self.port, 60)
        return self

    async def wait_ready(self, timeout: float = 60) -> None:
        async with httpx.AsyncClient(base_url=self.base_url) as client:

            async def ready() -> bool:
                try:
                    return (await client.get("/readyz")).status_code == 200
                except httpx.HTTPError:
                    return False

            await eventually(ready, timeout=timeout, message=f"{self.module} ready")

    def wait_exit(self, timeout: float = 30) -> int:
        assert self.process is not None
        return self.process.wait(timeout)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def terminate(self, timeout: float = 15) -> int:
        assert self.process is not None
        self.process.terminate()
        return self.process.wait(timeout)
