"""The test stack's ports: a service started by the harness gets a port nothing else takes, and the
harness notices when its service is not the one answering there.

A CI run once failed because shifts lost its port ("address already in use") to another
process, the harness took that process's /readyz for shifts', and the scenario then wrote to it."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from services.stack import ports
from services.stack.harness import Harness


def test_ports_handed_out_lie_below_the_ephemeral_range_and_never_repeat() -> None:
    handed = [ports.any_free() for _ in range(500)]

    assert len(set(handed)) == len(handed)
    assert all(ports._LOWEST <= port < ports._ephemeral_start() for port in handed)
    assert all(ports.is_free(port) for port in handed)


@pytest.fixture
def impostor() -> Iterator[int]:
    """An HTTP server on a free port that says it is intake and ready."""

    class Ready(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"status": "ready", "service": "intake"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", ports.any_free()), Ready)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


async def test_harness_refuses_a_ready_answer_from_another_service_on_its_port(tmp_path: Path, impostor: int) -> None:
    stack = Harness(tmp_path, services=("shifts",))
    stack.services["shifts"].port = impostor

    with pytest.raises(RuntimeError, match="answered by 'intake', not shifts"):
        await stack.wait_ready(timeout=5)


@pytest.fixture
def exited() -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(1)"])
    process.wait()
    return process


async def test_harness_says_at_once_that_a_service_exited_instead_of_waiting_for_it(
    tmp_path: Path, exited: subprocess.Popen[bytes]
) -> None:
    stack = Harness(tmp_path, services=("shifts",))
    handle = stack.services["shifts"]
    handle.log_path.write_text("[Errno 98] address already in use\n")
    handle.process = exited

    with pytest.raises(RuntimeError, match=r"shifts exited with 1:\n.*address already in use"):
        await stack.wait_ready(timeout=30)
