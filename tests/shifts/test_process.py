"""The service runs as its own process (`python -m services.shifts`), as `make run` starts it."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.support.infra import ServiceProcess, Tokens


async def test_the_service_starts_as_a_process_and_answers(
    database_url: str, nats_url: str, run_dir: Path, tokens: Tokens, tmp_path: Path
) -> None:
    env = {
        "DATABASE_URL": database_url,
        "NATS_URL": nats_url,
        "LINLI_JWT_PUBLIC_KEY_FILE": str(run_dir / "dev-jwt-public.pem"),
    }
    process = ServiceProcess("services.shifts", env, tmp_path / "shifts.log").start()
    try:
        await process.wait_ready()
        async with httpx.AsyncClient(base_url=process.base_url) as client:
            response = await client.get("/posts", headers=tokens.headers("sun-hao"))
        assert (response.status_code, response.json()) == (200, [])
    finally:
        process.terminate()
