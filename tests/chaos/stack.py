"""The stack a chaos scenario runs: services/stack/harness.py, plus what fault injection needs.

- any module as a service (the kernel probe, `tests.kernel.probe`, runs like the five);
- each service's code from another checkout (LINLI_CHAOS_SOURCES="shifts=/work/wt/shifts,...")
  so the suite can be tried against work in progress; by default everything is this repo;
- PostgreSQL started from a data directory made by `initdb` once per run and copied, so a
  scenario does not pay for initdb again;
- a 3-node NATS JetStream cluster on loopback instead of one server;
- helpers to read the database, the streams and the consumers from outside the services.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import jwt
import nats
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext
from nats.js.api import ConsumerInfo

from contracts.demo import BY_ID, COMMUNITY
from services.kernel.dev_issuer import AUDIENCE, ISSUER, ensure_key
from services.kernel.migrate import SERVICES_DIR, migrate
from services.stack.harness import REPO, Harness, ServiceHandle
from services.stack.nats import NatsServer
from services.stack.ports import any_free
from services.stack.postgres import PostgresServer, _as_owner

PROBE_MODULE = "tests.kernel.probe"


def sources_from_env() -> dict[str, Path]:
    """LINLI_CHAOS_SOURCES="shifts=/work/wt/shifts,rewards=/work/wt/rewards": run those services' code from there."""
    out: dict[str, Path] = {}
    for item in filter(None, os.environ.get("LINLI_CHAOS_SOURCES", "").split(",")):
        name, _, path = item.partition("=")
        out[name.strip()] = Path(path.strip())
    return out


def pg_template_dir() -> Path:
    return Path(os.environ.get("LINLI_CHAOS_CACHE", "/tmp/linli-chaos-cache")) / f"pg-{os.getuid()}" / "data"


def prepare_pg_template() -> Path:
    """initdb once into a cache directory (reused by every scenario of every run)."""
    template = pg_template_dir()
    if not (template / "PG_VERSION").exists():
        if template.exists():
            shutil.rmtree(template)
        template.parent.mkdir(parents=True, exist_ok=True)
        PostgresServer(template).init()
    return template


class ChaosStack(Harness):
    """A Harness whose parts a scenario picks: which services, from which code, with one NATS or three."""

    def __init__(
        self,
        base_dir: Path,
        *,
        services: Iterable[str],
        env: dict[str, str] | None = None,
        service_env: dict[str, dict[str, str]] | None = None,
        nats_nodes: int = 1,
        nats_sync_always: bool = False,
        fast_postgres: bool = True,
    ) -> None:
        self.sources = sources_from_env()
        base_dir.mkdir(parents=True, exist_ok=True)
        super().__init__(
            base_dir, services=services, env=env, nats_sync_always=nats_sync_always, fast_postgres=fast_postgres
        )
        self.service_env = service_env or {}
        self.cluster: list[NatsServer] = []
        if nats_nodes > 1:
            cluster_ports = [any_free() for _ in range(nats_nodes)]
            self.cluster = [
                NatsServer(
                    base_dir / f"nats-{i}" / "store",
                    cluster=cluster_ports,
                    cluster_port=cluster_ports[i],
                    server_name=f"linli-nats-{i}",
                    sync_always=nats_sync_always,
                    log=(base_dir / f"nats-{i}.log").open("a"),
                )
                for i in range(nats_nodes)
            ]
            self.nats = self.cluster[0]

    # -- where a service's code lives -------------------------------------------------------
    def module_of(self, name: str) -> str:
        return PROBE_MODULE if name == "probe" else f"services.{name}"

    def root_of(self, name: str) -> Path:
        return self.sources.get(name, REPO)

    def migrations_of(self, name: str) -> Path:
        if name == "probe":
            return REPO / "tests" / "kernel" / "probe" / "migrations"
        root = self.root_of(name)
        return root / "services" / name / "migrations" if root != REPO else SERVICES_DIR / name / "migrations"

    # -- lifecycle -----------------------------------------------------------------------------
    def start_infrastructure(self) -> None:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        ensure_key(self.run_dir)
        if self.cluster:
            self._start_cluster()
        else:
            self.nats.start()
        template = prepare_pg_template()
        subprocess.run(["cp", "-a", str(template), str(self.postgres.data_dir)], check=True)
        _as_owner(self.postgres.data_dir)  # as root the server runs as nobody: open the way to it
        self.postgres.start(timeout=60)
        self.database_url = self.postgres.create_database("linli")
        for name in self.service_names:
            migrate(self.database_url, name, self.migrations_of(name))

    def _start_cluster(self) -> None:
        """NatsServer's generated cluster config works with nats-server 2.15 as it is. The nodes
        take a few seconds to elect a JetStream meta leader; services must not start before
        that (their stream declaration would time out), so wait for the JetStream API."""
        for node in self.cluster:
            node.start()
        asyncio.run(wait_jetstream([n.url for n in self.cluster]))

    def env_for(self, name: str) -> dict[str, str]:
        env = super().env_for(name)
        if self.cluster:  # every node, as production lists them (NATS_URL may be comma-separated)
            env["NATS_URL"] = ",".join(node.url for node in self.cluster)
        root = self.root_of(name)
        if root != REPO:
            env["PYTHONPATH"] = str(root)
        env.update(self.service_env.get(name, {}))
        return env

    def stop_all(self) -> None:
        super().stop_all()
        for node in self.cluster:
            node.stop()

    @classmethod
    @contextlib.asynccontextmanager
    async def started(cls, base_dir: Path, **kwargs: Any) -> AsyncIterator[ChaosStack]:
        stack = cls(base_dir, **kwargs)
        try:
            await asyncio.to_thread(stack.start_infrastructure)
            for name in stack.service_names:
                await asyncio.to_thread(stack.start_service, name)
            await stack.wait_ready()
            yield stack
        finally:
            conn = getattr(stack, "_conn", None)
            if conn is not None:
                conn.terminate()
            await asyncio.to_thread(stack.stop_all)

    async def restart_service(self, name: str) -> float:
        """Start a stopped service again; returns seconds until it answers /readyz 200."""
        started = time.monotonic()
        await asyncio.to_thread(self.start_service, name)
        await self.wait_ready([name])
        return time.monotonic() - started

    def handle(self, name: str) -> ServiceHandle:
        return self.services[name]

    def pid(self, name: str) -> int | None:
        process = self.services[name].process
        return process.pid if process is not None and process.poll() is None else None

    # -- reading from outside -------------------------------------------------------------------
    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        """Read the databases from outside (one kept connection, opened again after a restart)."""
        conn = getattr(self, "_conn", None)
        if conn is None or conn.is_closed():
            conn = await asyncpg.connect(self.database_url, timeout=5)
            self._conn: asyncpg.Connection | None = conn
        try:
            return await asyncio.wait_for(conn.fetch(sql, *args), 30)
        except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError, TimeoutError):
            with contextlib.suppress(Exception):
                conn.terminate()
            self._conn = None
            raise

    async def fetchval(self, sql: str, *args: Any) -> Any:
        rows = await self.fetch(sql, *args)
        return rows[0][0] if rows else None

    @contextlib.asynccontextmanager
    async def jetstream(self, url: str | None = None) -> AsyncIterator[JetStreamContext]:
        servers = [url] if url else [n.url for n in self.cluster] or [self.nats.url]
        nc: NatsClient = await nats.connect(
            servers=servers, connect_timeout=3, max_reconnect_attempts=5, error_cb=_quiet
        )
        try:
            yield nc.jetstream(timeout=10)
        finally:
            await nc.close()

    async def consumer(self, stream: str, durable: str) -> ConsumerInfo:
        async with self.jetstream() as js:
            info: ConsumerInfo = await js.consumer_info(stream, durable)
            return info

    def token(self, person_id: str, roles: Iterable[str] | None = None) -> str:
        """Like the harness's token, signed with the private key parsed once: issue_token parses
        the PEM on every call (tens of milliseconds), which would dominate 1,000 volunteers' traffic."""
        person = BY_ID.get(person_id)
        key = self.__dict__.get("_signing_key")
        if key is None:
            private, _ = ensure_key(self.run_dir)
            key = serialization.load_pem_private_key(private.read_bytes(), password=None)
            assert isinstance(key, rsa.RSAPrivateKey)
            self._signing_key = key
        now = int(time.time())
        claims: dict[str, object] = {
            "sub": person_id,
            "name": person.name if person else person_id,
            "community": COMMUNITY,
            "roles": list(roles) if roles is not None else list(person.roles if person else ("resident",)),
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + 3600,
        }
        if person is not None:
            claims["building_group"] = person.building_group
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "linli-dev"})

    def headers(self, person_id: str, roles: Iterable[str] | None = None) -> dict[str, str]:
        """Signed once per person and roles: signing every request would cost the client more than the server."""
        cache: dict[tuple[str, tuple[str, ...] | None], dict[str, str]] = self.__dict__.setdefault("_headers", {})
        key = (person_id, tuple(roles) if roles is not None else None)
        if key not in cache:
            cache[key] = super().headers(person_id, roles)
        return cache[key]

    def client(self, name: str, timeout: float = 30) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
        return httpx.AsyncClient(base_url=self.url(name), timeout=timeout, limits=limits)


async def _quiet(exc: Exception) -> None:
    """A node the scenario killed refuses connections; that is expected, not worth a traceback."""


async def wait_jetstream(servers: list[str], timeout: float = 60) -> float:
    """Wait until the JetStream API answers (a cluster has elected its meta leader)."""
    started = time.monotonic()
    nc: NatsClient = await nats.connect(servers=servers, connect_timeout=3)
    try:
        js = nc.jetstream(timeout=2)
        while True:
            try:
                await js.account_info()
                return time.monotonic() - started
            except Exception:
                if time.monotonic() - started > timeout:
                    raise
                await asyncio.sleep(0.5)
    finally:
        await nc.close()
