"""An embedded PostgreSQL: the machine's own server when it has one, else the pgserver wheel's.

Postgres refuses to run as root; when we are root (containers, CI) the server runs as
`nobody` on a data directory owned by it. It listens on loopback TCP only.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from services.stack.ports import any_free

_UNPRIVILEGED = "nobody"


def postgres_bin_dir() -> Path:
    """Where initdb and postgres live: PATH, the Debian layout, or the pgserver wheel."""
    explicit = os.environ.get("LINLI_PG_BIN")
    if explicit:
        return Path(explicit)
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if debian:
        return Path(debian[-1]).parent
    import pgserver  # the wheel ships a whole server

    return Path(pgserver.__file__).parent / "pginstall" / "bin"


def _demote() -> None:
    entry = pwd.getpwnam(_UNPRIVILEGED)
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)


def _as_owner(path: Path) -> None:
    """Make `path` (and the way to it) usable by the unprivileged server user."""
    if os.geteuid() != 0:
        return
    entry = pwd.getpwnam(_UNPRIVILEGED)
    path.mkdir(parents=True, exist_ok=True)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    for parent in path.parents:
        with contextlib.suppress(OSError):
            parent.chmod(parent.stat().st_mode | 0o011)


@dataclass
class PostgresServer:
    data_dir: Path
    port: int = 0
    fast: bool = False  # tests: no fsync; never for data you keep
    log: IO[str] | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.port:
            self.port = any_free()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, args: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        preexec = _demote if os.geteuid() == 0 else None
        return subprocess.run(args, preexec_fn=preexec, capture_output=True, check=True, **kwargs)  # type: ignore[call-overload, no-any-return]

    def init(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        _as_owner(self.data_dir)
        bin_dir = postgres_bin_dir()
        self._run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )

    def start(self, timeout: float = 30.0) -> PostgresServer:
        self.init()
        bin_dir = postgres_bin_dir()
        args = [
            str(bin_dir / "postgres"),
            "-D", str(self.data_dir),
            "-p", str(self.port),
            "-h", "127.0.0.1",
            "-c", "unix_socket_directories=",
            "-c", "max_connections=300",
            "-c", "shared_buffers=128MB",
        ]  # fmt: skip
        if self.fast:
            args += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        out = self.log if self.log is not None else subprocess.DEVNULL
        self.process = subprocess.Popen(
            args,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=_demote if os.geteuid() == 0 else None,
            start_new_session=True,
        )
        self._wait_ready(timeout)
        return self

    def _log_tail(self, lines: int = 15) -> str:
        """The end of the server's log, so a failed start says why (pytest's temporary folders do not last)."""
        name = getattr(self.log, "name", None)
        if not isinstance(name, str):
            return "no log kept"
        try:
            return "\n".join(Path(name).read_text(errors="replace").splitlines()[-lines:])
        except OSError as exc:
            return f"its log {name} cannot be read: {exc}"

    def _wait_ready(self, timeout: float) -> None:
        import asyncio

        import asyncpg

        async def probe() -> bool:
            try:
                conn = await asyncpg.connect(self.url(), timeout=1)
            except Exception:
                return False
            await conn.close()
            return True

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"postgres exited with {self.process.returncode}: {self._log_tail()}")
            if asyncio.run(probe()):
                return
            time.sleep(0.1)
        raise TimeoutError(f"postgres not ready on port {self.port} after {timeout}s")

    def create_database(self, name: str, template: str | None = None) -> str:
        import asyncio

        import asyncpg

        async def create() -> None:
            conn = await asyncpg.connect(self.url())
            try:
                exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
                if not exists:
                    suffix = f' TEMPLATE "{template}"' if template else ""
                    await conn.execute(f'CREATE DATABASE "{name}"{suffix}')
            finally:
                await conn.close()

        asyncio.run(create())
        return self.url(name)

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # fast shutdown: roll back, checkpoint, exit
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()
