"""Free TCP ports on loopback.

A port from `bind(("", 0))` comes from the kernel's ephemeral range, the same range it draws the
local ports of outgoing connections from. Between choosing such a port and the server binding it,
any connection (a service to PostgreSQL, a test client) may take it, or a second call may hand it
out again; the server then fails with "address already in use" while something else answers on
its port. So the ports handed out here lie below the ephemeral range, are checked free, and are
never handed out twice by one process."""

from __future__ import annotations

import itertools
import os
import random
import socket
import threading
import time
from pathlib import Path

_EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LOWEST = 20000  # above the well-known and the usual development ports (4222, 5432, 8000s)
_lock = threading.Lock()
_handed_out: set[int] = set()


def _ephemeral_start() -> int:
    try:
        return int(_EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def _candidates() -> itertools.chain[int]:
    """Every port of the range once, from a point that differs between processes (two test runs
    side by side then rarely try the same ports)."""
    top = max(_ephemeral_start(), _LOWEST + 1000)
    start = random.Random(os.getpid() ^ time.time_ns()).randrange(_LOWEST, top)
    return itertools.chain(range(start, top), range(_LOWEST, start))


def is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def first_free(start: int, host: str = "127.0.0.1", span: int = 200) -> int:
    """The first free port from `start` on (NATS on 4222 unless taken, then the next)."""
    for port in range(start, start + span):
        if is_free(port, host):
            return port
    raise RuntimeError(f"no free port in {start}..{start + span}")


def any_free(host: str = "127.0.0.1") -> int:
    """A free port no outgoing connection can take and this process has not handed out before."""
    with _lock:
        for port in _candidates():
            if port not in _handed_out and is_free(port, host):
                _handed_out.add(port)
                return port
    raise RuntimeError(f"no free port in {_LOWEST}..{_ephemeral_start()}")


def wait_for_port(port: int, timeout: float = 30.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")
