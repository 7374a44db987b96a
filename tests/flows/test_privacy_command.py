"""`linli privacy export` and `linli privacy forget` against the six services running as processes:
one person's data is gathered as one JSON per service, then every service forgets them, and the
export that follows holds nothing of theirs anywhere."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import nats
import orjson
import pytest

from services.cli import main
from services.kernel.migrate import SERVICE_NAMES
from services.stack.harness import Harness
from tests.support.infra import eventually
from tests.support.privacy import mentions
from tests.support.sql import connection

PERSON = "wang-fang"
SECRETS = ("王芳", "13800000003", "wang.fang@example.org", "340104199001011234")


async def settled(stack: Harness) -> bool:
    """Every outbox published and every durable consumer caught up: no event still on its way."""
    for name in SERVICE_NAMES:
        async with connection(stack.database_url, name) as conn:
            if await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"):
                return False
    nc = await nats.connect(stack.nats.url)
    try:
        js = nc.jetstream()
        for stream in await js.streams_info():
            for consumer in await js.consumers_info(stream.config.name or ""):
                if consumer.num_pending or consumer.num_ack_pending:
                    return False
    finally:
        await nc.close()
    return True


async def a_life_in_six_services(stack: Harness) -> None:
    me = stack.headers(PERSON, ["resident", "volunteer"])
    admin = stack.headers("admin", ["admin", "committee"])

    async def call(service: str, method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
        async with httpx.AsyncClient(base_url=stack.url(service), timeout=20) as http:
            response = await http.request(method, path, json=body, headers=headers)
        assert response.status_code < 300, (service, path, response.text)
        return response.json() if response.content else None

    await call(
        "intake",
        "POST",
        "/issues",
        me,
        {"category": "corridor_clutter", "title": "3栋楼道堆满纸箱", "contact": {"phone": "13800000003"}},
    )
    members = [
        {"person_id": PERSON, "name": "王芳", "party": "resident", "position": "member", "term_from": "2026-01-01"}
    ]
    await call("deliberation", "POST", "/councils", admin, {"kind": "consultation", "members": members})
    await call("shifts", "PUT", "/posts/patrol", admin, {"leader_ids": ["liu-yang"]})
    await call(
        "shifts", "PUT", f"/volunteers/{PERSON}", admin, {"name": "王芳", "kind": "resident", "posts": ["patrol"]}
    )
    await call("rewards", "POST", f"/accounts/{PERSON}/adjustments", admin, {"points": 30, "reason": "补录 backfill"})
    await call(
        "rewards",
        "POST",
        "/certificates",
        admin,
        {"person_id": PERSON, "person_name": "王芳", "id_number": "340104199001011234"},
    )
    await call("notifications", "PUT", "/preferences/me", me, {"email": "wang.fang@example.org"})
    board = {
        "name": "王芳",
        "photo_url": "https://photos.meihu.example.org/wang-fang.jpg",
        "role": "party_member",
        "post_type": "publicity",
        "phone": "13800000003",
        "building_group": 3,
    }
    await call("community", "PUT", "/board/me", me, board)


def run_cli(stack: Harness, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    for name in SERVICE_NAMES:
        monkeypatch.setenv(f"{name.upper()}_URL", stack.url(name))
    monkeypatch.setenv("LINLI_ADMIN_TOKEN", stack.token("admin", ["admin"]))
    return main(["privacy", *argv])


def exports(directory: Path) -> dict[str, dict[str, Any]]:
    return {name: orjson.loads((directory / f"{name}.json").read_bytes()) for name in SERVICE_NAMES}


@pytest.mark.timeout(300)
async def test_the_privacy_command_exports_a_person_from_six_services_and_forgets_them_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "stack").mkdir()
    async with Harness.started(tmp_path / "stack") as stack:
        await a_life_in_six_services(stack)
        await eventually(lambda: settled(stack), timeout=60, message="every event delivered")

        exported = await asyncio.to_thread(
            run_cli, stack, monkeypatch, "export", "--person", PERSON, "--out", str(tmp_path / "before")
        )
        before = exports(tmp_path / "before")

        assert exported == 0
        assert {name: answer["person_id"] for name, answer in before.items()} == dict.fromkeys(SERVICE_NAMES, PERSON)
        assert all(any(rows for rows in answer["data"].values()) for answer in before.values())
        assert mentions(before, *SECRETS)

        forgot = await asyncio.to_thread(run_cli, stack, monkeypatch, "forget", "--person", PERSON)
        await eventually(lambda: settled(stack), timeout=60, message="every event delivered")
        again = await asyncio.to_thread(run_cli, stack, monkeypatch, "forget", "--person", PERSON)
        await asyncio.to_thread(
            run_cli, stack, monkeypatch, "export", "--person", PERSON, "--out", str(tmp_path / "after")
        )
        after = exports(tmp_path / "after")

    assert (forgot, again) == (0, 0)
    printed = capsys.readouterr().out
    assert all(f"{name}: kept as forgotten-" in printed for name in SERVICE_NAMES)
    left = {name: [k for k, rows in answer["data"].items() if rows] for name, answer in after.items()}
    assert left == {name: [] for name in SERVICE_NAMES}
    assert mentions(after["intake"]["data"], *SECRETS) == []
    assert mentions([a["data"] for a in after.values()], *SECRETS, PERSON) == []
