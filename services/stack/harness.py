"""A whole Linli stack as separate processes on free ports, for the fault-injection suite,
the benchmarks and cross-service tests: real NATS, real PostgreSQL, the five services.

    async with Harness.started(tmp_dir) as stack:
        stack.url("shifts"); stack.headers("liu-yang"); stack.kill("rewards"); stack.start_service("rewards")
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from contracts.demo import BY_ID, COMMUNITY
from services.kernel.dev_issuer import ensure_key, issue_token
from services.kernel.migrate import SERVICE_NAMES, migrate_all
from services.stack.nats import NatsServer, NatsUsers
from services.stack.ports import any_free, wait_for_port
from services.stack.postgres import PostgresServer

REPO = Path(__file__).resolve().parents[2]


@dataclass
class ServiceHandle:
    name: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def _listening(port: int) -> bool:
    try:
        wait_for_port(port, timeout=0.05)
    except TimeoutError:
        return False
    return True


class Harness:
    """Starts and stops the parts; each can be killed, stopped and restarted on its own."""

    def __init__(
        self,
        base_dir: Path,
        *,
        services: Iterable[str] = SERVICE_NAMES,
        env: dict[str, str] | None = None,
        fast_postgres: bool = True,
        nats_sync_always: bool = False,
        nats_users: bool = False,
    ) -> None:
        self.base_dir = base_dir
        self.run_dir = base_dir / "run"
        self.service_names = tuple(services)
        self.extra_env = env or {}
        self.nats = NatsServer(
            base_dir / "nats" / "store",
            sync_always=nats_sync_always,
            log=(base_dir / "nats.log").open("a"),
            # As `make run` does: each service connects as its own user of deploy/nats/accounts.conf.
            users=NatsUsers.kept_in(base_dir / "nats-passwords.json") if nats_users else None,
        )
        self.postgres = PostgresServer(base_dir / "pg", fast=fast_postgres, log=(base_dir / "postgres.log").open("a"))
        self.database_url = ""
        self.services: dict[str, ServiceHandle] = {
            name: ServiceHandle(name, any_free(), base_dir / f"{name}.log") for name in self.service_names
        }

    # -- lifecycle -------------------------------------------------------------------------
    @classmethod
    @contextlib.asynccontextmanager
    async def started(cls, base_dir: Path, **kwargs: Any) -> AsyncIterator[Harness]:
        stack = cls(base_dir, **kwargs)
        await asyncio.to_thread(stack.start_infrastructure)
        try:
            for name in stack.service_names:
                stack.start_service(name)
            await stack.wait_ready()
            yield stack
        finally:
            await asyncio.to_thread(stack.stop_all)

    def start_infrastructure(self) -> None:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        ensure_key(self.run_dir)
        self.nats.start()
        self.postgres.start(timeout=60)
        self.database_url = self.postgres.create_database("linli")
        migrate_all(self.database_url, self.service_names)

    def env_for(self, name: str) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "NATS_URL": self.nats.url_for(name),
            "LINLI_JWT_PUBLIC_KEY_FILE": str(self.run_dir / "dev-jwt-public.pem"),
            "LINLI_HTTP_PORT": str(self.services[name].port),
            "LINLI_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }

    def module_of(self, name: str) -> str:
        """The module `python -m` runs for a service."""
        return f"services.{name}"

    def root_of(self, name: str) -> Path:
        """The checkout a service runs from."""
        return REPO

    def start_service(self, name: str, extra_env: dict[str, str] | None = None) -> None:
        handle = self.services[name]
        handle._log = handle.log_path.open("ab")
        handle.process = subprocess.Popen(
            [sys.executable, "-m", self.module_of(name)],
            env={**self.env_for(name), **(extra_env or {})},
            stdout=handle._log,
            stderr=subprocess.STDOUT,
            cwd=self.root_of(name),
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while not _listening(handle.port):
            self._check_alive(name)  # a process that died says so at once
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} did not listen on {handle.port} within 60 s")
            time.sleep(0.05)

    def kill(self, name: str) -> None:
        """SIGKILL: no shutdown, no acks, no flush — a power cut for one service."""
        handle = self.services[name]
        if handle.running and handle.process is not None:
            os.killpg(handle.process.pid, signal.SIGKILL)
            handle.process.wait()

    def terminate(self, name: str, timeout: float = 20) -> int:
        """SIGTERM: the graceful path; returns the exit code."""
        handle = self.services[name]
        assert handle.process is not None
        handle.process.send_signal(signal.SIGTERM)
        return handle.process.wait(timeout)

    def stop_all(self) -> None:
        for name in self.services:
            handle = self.services[name]
            if handle.running and handle.process is not None:
                handle.process.send_signal(signal.SIGTERM)
        for handle in self.services.values():
            if handle.process is not None:
                try:
                    handle.process.wait(10)
                except subprocess.TimeoutExpired:
                    self.kill(handle.name)
        self.postgres.stop()
        self.nats.stop()

    def _check_alive(self, name: str) -> None:
        process = self.services[name].process
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.log_tail(name, 15)}")

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.services[name].log_path
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # -- reaching the services -------------------------------------------------------------
    def url(self, name: str) -> str:
        return self.services[name].url

    def token(self, person_id: str, roles: Iterable[str] | None = None) -> str:
        person = BY_ID.get(person_id)
        return issue_token(
            person_id,
            list(roles) if roles is not None else list(person.roles if person else ("resident",)),
            name=person.name if person else person_id,
            community=COMMUNITY,
            building_group=person.building_group if person else None,
            run_dir=self.run_dir,
        )

    def headers(self, person_id: str, roles: Iterable[str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(person_id, roles)}"}

    async def wait_ready(self, names: Iterable[str] | None = None, timeout: float = 90) -> float:
        """Wait until every named service answers /readyz 200; returns the seconds it took."""
        started = time.monotonic()
        pending = set(names or self.service_names)
        async with httpx.AsyncClient(timeout=2) as client:
            while pending:
                if time.monotonic() - started > timeout:
                    raise TimeoutError(f"not ready after {timeout}s: {sorted(pending)}")
                for name in list(pending):
                    self._check_alive(name)
                    with contextlib.suppress(httpx.HTTPError):
                        response = await client.get(f"{self.url(name)}/readyz")
                        if response.status_code == 200:
                            answered = response.json().get("service")
                            if answered != name:  # our process lost its port; someone else answers
                                raise RuntimeError(f"{self.url(name)} is answered by {answered!r}, not {name}")
                            pending.discard(name)
                await asyncio.sleep(0.2)
        return time.monotonic() - started
