"""`make run`: the whole stack on one machine, nothing preinstalled but Python.

Starts NATS with JetStream (data in .run/nats) and PostgreSQL (data in .run/pg) unless
NATS_URL / DATABASE_URL point at external servers, applies every migration, starts the
six services on 8081-8086, builds the web app when its sources changed and serves it on 8080,
seeds the Meihu demo community once, streams every log line
prefixed by its source, and on SIGINT/SIGTERM stops everything within 10 s.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import orjson

from contracts.demo import BY_ID, COMMUNITY
from services.kernel.dev_issuer import ensure_key, issue_token
from services.kernel.migrate import migrate_all
from services.kernel.settings import RUN_DIR
from services.stack.nats import NatsServer, NatsUsers
from services.stack.ports import first_free, is_free
from services.stack.postgres import PostgresServer

SERVICES: tuple[tuple[str, int], ...] = (
    ("intake", 8081),
    ("deliberation", 8082),
    ("shifts", 8083),
    ("rewards", 8084),
    ("notifications", 8085),
    ("community", 8086),
)
WEB_PORT = 8080
_COLOURS = ("\033[36m", "\033[35m", "\033[33m", "\033[32m", "\033[34m", "\033[90m", "\033[31m")
_RESET = "\033[0m"
_print_lock = threading.Lock()


def _emit(prefix: str, colour: str, line: str) -> None:
    text = line.rstrip()
    try:
        record = orjson.loads(text)
        if isinstance(record, dict) and "message" in record:
            extras = {
                k: v for k, v in record.items() if k not in {"time", "level", "service", "logger", "message", "span_id"}
            }
            tail = " " + " ".join(f"{k}={v}" for k, v in extras.items()) if extras else ""
            text = f"{record.get('level', ''):7} {record['message']}{tail}"
    except orjson.JSONDecodeError:
        pass
    use_colour = sys.stdout.isatty()
    with _print_lock:
        label = f"{prefix:<13}|"
        print(f"{colour}{label}{_RESET} {text}" if use_colour else f"{label} {text}", flush=True)


def _pump(stream: IO[bytes], prefix: str, colour: str) -> None:
    for raw in iter(stream.readline, b""):
        _emit(prefix, colour, raw.decode("utf-8", "replace"))


def _piped(prefix: str, colour: str) -> tuple[int, Callable[[], None]]:
    """A pipe whose lines are printed with a prefix; returns the write end for a child process."""
    read_fd, write_fd = os.pipe()
    reader = os.fdopen(read_fd, "rb")
    thread = threading.Thread(target=_pump, args=(reader, prefix, colour), daemon=True)
    thread.start()
    return write_fd, lambda: os.close(write_fd)


class _StopFlag:
    raised = False


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]


def _say(message: str) -> None:
    _emit("linli", _COLOURS[6], message)


def run_stack(*, seed: bool = True) -> int:
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    stopping = _StopFlag()

    def on_signal(signum: int, _frame: Any) -> None:
        # Only set a flag: a signal handler must not take locks the main thread may hold.
        stopping.raised = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    nats: NatsServer | None = None
    postgres: PostgresServer | None = None
    children: list[Child] = []
    try:
        nats_url = os.environ.get("NATS_URL")
        if not nats_url:
            fd, _ = _piped("nats", _COLOURS[5])
            log = os.fdopen(fd, "w", buffering=1)
            # The district's accounts and permissions (deploy/nats/accounts.conf), as under compose and Kubernetes:
            # each service connects as its own user, so what the bus refuses there it refuses here.
            users = NatsUsers.kept_in(RUN_DIR / "nats-passwords.json")
            nats = NatsServer(
                RUN_DIR / "nats", port=first_free(4222), server_name="linli", log=log, users=users
            ).start()
            nats_url = nats.url
        database_url = os.environ.get("DATABASE_URL")
        if not database_url:
            fd, _ = _piped("postgres", _COLOURS[5])
            log = os.fdopen(fd, "w", buffering=1)
            postgres = PostgresServer(RUN_DIR / "pg", port=first_free(5432), log=log).start(timeout=60)
            database_url = postgres.create_database("linli")
        _say(f"NATS {_without_password(nats_url)}  PostgreSQL {database_url}")

        busy = [f"{name} ({port})" for name, port in SERVICES if not is_free(port)]
        if busy:
            _say(f"ports already in use: {', '.join(busy)}; is another `make run` going?")
            return 1
        _, public_key = ensure_key(RUN_DIR)
        services = [(n, p) for n, p in SERVICES if importlib.util.find_spec(f"services.{n}") is not None]
        migrate_all(database_url, tuple(n for n, _ in services))
        _say("migrations applied")
        subscriber_url = nats.url_for("subscriber") if nats is not None else nats_url
        (RUN_DIR / "stack.env").write_text(
            f"NATS_URL={nats_url}\nNATS_SUBSCRIBER_URL={subscriber_url}\nDATABASE_URL={database_url}\n"
            + "".join(f"{n.upper()}_URL=http://127.0.0.1:{p}\n" for n, p in services)
        )
        (RUN_DIR / "stack.env").chmod(0o600)  # it holds the operator's NATS password
        env = {
            **os.environ,
            "NATS_URL": nats_url,
            "DATABASE_URL": database_url,
            "LINLI_JWT_PUBLIC_KEY_FILE": str(public_key),
            # On a developer's machine webhook receivers (examples/webhook_receiver.py) and robots
            # listen on loopback, which notifications refuses elsewhere (SSRF).
            "LINLI_NOTIFICATIONS_ALLOWED_NETWORKS": os.environ.get(
                "LINLI_NOTIFICATIONS_ALLOWED_NETWORKS", '["127.0.0.0/8", "::1/128"]'
            ),
            "PYTHONUNBUFFERED": "1",
        }
        web = _start_web(env, services)
        if web is not None:
            children.append(web)
        for index, (name, port) in enumerate(services):
            fd, _ = _piped(name, _COLOURS[index % 5])
            service_nats = nats.url_for(name) if nats is not None else nats_url
            process = subprocess.Popen(
                [sys.executable, "-m", f"services.{name}"],
                env={**env, "LINLI_HTTP_PORT": str(port), "NATS_URL": service_nats},
                stdout=fd,
                stderr=fd,
                start_new_session=True,
            )
            os.close(fd)
            children.append(Child(name, process))
        started = time.monotonic()
        if not asyncio.run(_wait_ready(services, stopping, timeout=90)):
            _say("not every service became ready within 90 s; see the lines above")
            return 1
        _say(f"all {len(services)} services ready in {time.monotonic() - started:.1f} s")
        if seed:
            asyncio.run(_seed_once(database_url, services))
        _banner(services, web is not None)
        while not stopping.raised:
            time.sleep(0.2)
            for child in children:
                if child.process.poll() is not None and not stopping.raised:
                    _say(f"{child.name} exited with {child.process.returncode}; stopping the stack")
                    stopping.raised = True
        return 0
    finally:
        _shutdown(children, nats, postgres)


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{parts.hostname}:{parts.port}"))


async def _wait_ready(services: list[tuple[str, int]], stopping: _StopFlag, timeout: float) -> bool:
    import httpx

    deadline = time.monotonic() + timeout
    pending = {name: port for name, port in services}
    async with httpx.AsyncClient(timeout=2) as client:
        while pending and time.monotonic() < deadline and not stopping.raised:
            for name, port in list(pending.items()):
                try:
                    if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                        del pending[name]
                except httpx.HTTPError:
                    pass
            await asyncio.sleep(0.3)
    return not pending


def _headers(person_id: str) -> dict[str, str]:
    person = BY_ID[person_id]
    token = issue_token(
        person.id, list(person.roles), name=person.name, community=COMMUNITY, building_group=person.building_group
    )
    return {"Authorization": f"Bearer {token}"}


async def _seed_once(database_url: str, services: list[tuple[str, int]]) -> None:
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS public.linli_seed (community text PRIMARY KEY, seeded_at timestamptz NOT NULL DEFAULT now())"
        )
        if await conn.fetchval("SELECT 1 FROM public.linli_seed WHERE community = $1", COMMUNITY):
            _say(f"demo data for {COMMUNITY} already seeded; keeping the data")
            return
        await seed_demo_data({name: f"http://127.0.0.1:{port}" for name, port in services}, _headers)
        await conn.execute("INSERT INTO public.linli_seed (community) VALUES ($1)", COMMUNITY)
    finally:
        await conn.close()


async def seed_demo_data(urls: Mapping[str, str], headers: Callable[[str], dict[str, str]]) -> None:
    """Each service's demo data (services/<name>/seed.py), through its API at `urls[name]`, in the order given;
    `headers(person_id)` signs the calls as that demo person."""
    import httpx

    for name, url in urls.items():
        module = (
            importlib.import_module(f"services.{name}.seed")
            if importlib.util.find_spec(f"services.{name}.seed")
            else None
        )
        if module is None:
            continue
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            await module.seed_demo(client, headers)
        _say(f"seeded {name}")


def _start_web(env: dict[str, str], services: list[tuple[str, int]]) -> Child | None:
    """Build the app if its sources changed, then serve it with its config.json (and the development
    issuer, unless LINLI_JWKS_URL names a real one). A failed build stops nothing else."""
    from services.web.node import NodeMissing, build_if_changed

    if not is_free(WEB_PORT):
        _say(f"port {WEB_PORT} is in use: not serving the web app")
        return None
    try:
        if build_if_changed():
            _say("web app built (web/dist)")
    except (NodeMissing, subprocess.CalledProcessError, OSError) as failed:
        _say(f"the web app did not build ({failed}); the services run without it")
        return None
    fd, _ = _piped("web", _COLOURS[6])
    web_env = {
        **env,
        "LINLI_HTTP_PORT": str(WEB_PORT),
        "LINLI_WEB_SERVICES": orjson.dumps({n: f"http://127.0.0.1:{p}" for n, p in services}).decode(),
        "LINLI_DEV_ISSUER_DIR": "" if env.get("LINLI_JWKS_URL") else str(RUN_DIR),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "services.web"], env=web_env, stdout=fd, stderr=fd, start_new_session=True
    )
    os.close(fd)
    return Child("web", process)


def _banner(services: list[tuple[str, int]], web: bool = False) -> None:
    _say("Linli is running. Ctrl-C stops everything.")
    if web:
        _say(f"  the app        http://127.0.0.1:{WEB_PORT}  (choose a demo person)")
    for name, port in services:
        _say(f"  {name:<14} http://127.0.0.1:{port}/docs")
    _say("  a token:       make token SUB=wang-fang ROLES=resident,volunteer")


def _shutdown(children: list[Child], nats: NatsServer | None, postgres: PostgresServer | None) -> None:
    """Services first (they drain in-flight messages), then the database and the broker; < 10 s in all."""
    for child in children:
        if child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 6
    for child in children:
        try:
            child.process.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            os.killpg(child.process.pid, signal.SIGKILL)
            child.process.wait()
    if postgres is not None:
        postgres.stop(timeout=2.5)
    if nats is not None:
        nats.stop(timeout=1.0)
    _say("stopped")


def main() -> int:
    return run_stack()


if __name__ == "__main__":
    sys.exit(main())
