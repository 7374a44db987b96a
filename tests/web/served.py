"""The app as `make run` serves it (`python -m services.web`), pointed at a test stack: the one way the
browser tests, the OpenID sign-in test and the web bench start it."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from services.stack.harness import Harness
from tests.support.infra import eventually


def development_identity(stack: Harness) -> dict[str, str]:
    """The demo-person sign-in of `make run`: the development issuer of the stack's run directory."""
    return {"LINLI_DEV_ISSUER_DIR": str(stack.run_dir)}


@asynccontextmanager
async def serving_web(
    port: int, stack: Harness, services: Collection[str], log_path: Path, identity: Mapping[str, str]
) -> AsyncIterator[str]:
    """The web server on `port` with `identity`'s settings, answering /config.json; yields its origin."""
    origin = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if k != "LINLI_DEV_ISSUER_DIR"},
        "LINLI_HTTP_PORT": str(port),
        "LINLI_WEB_SERVICES": json.dumps({name: stack.url(name) for name in services}),
        **identity,
    }
    with log_path.open("ab") as log:
        process = await asyncio.to_thread(
            subprocess.Popen,
            [sys.executable, "-m", "services.web"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        await _answering(f"{origin}/config.json", process, log_path)
        yield origin
    finally:
        process.terminate()
        await asyncio.to_thread(process.wait, 10)


async def _answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    async with httpx.AsyncClient(timeout=1) as client:

        async def answers() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"the web server exited; see {log}")
            try:
                return (await client.get(url)).status_code == 200
            except httpx.HTTPError:
                return False

        await eventually(answers, timeout=30, message=f"{url} answers")
