"""The service as a real OS process: a crash after the commit and before the ack never awards twice,
and the demo seed runs against it over HTTP (twice, changing nothing the second time)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from contracts.demo import BY_ID
from services.kernel.dev_issuer import issue_token
from services.kernel.topology import ConsumerSpec, ensure_streams
from services.rewards.seed import seed_demo
from tests.rewards.helpers import balance, connect, participation
from tests.support.infra import ServiceProcess, eventually, jetstream


@pytest.mark.slow
async def test_a_crash_between_commit_and_ack_never_awards_twice(
    database_url: str, nats_url: str, run_dir: Path, tmp_path: Path
) -> None:
    env = {
        "DATABASE_URL": database_url,
        "NATS_URL": nats_url,
        "LINLI_JWT_PUBLIC_KEY_FILE": str(run_dir / "dev-jwt-public.pem"),
        "LINLI_CONSUMER_ACK_WAIT": "2",
        "LINLI_OUTBOX_POLL_INTERVAL": "0.2",
    }
    service = ServiceProcess("services.rewards", env, tmp_path / "rewards.log")
    event = participation("wang-fang", hours=2.0)
    spec = ConsumerSpec("rewards", "participation.completed")
    try:
        service.start({"LINLI_FAULTS": "consumer.after_commit"})
        await service.wait_ready()
        async with jetstream(nats_url) as js:
            await ensure_streams(js)
            ack = await js.publish(
                event.nats_subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.id)}
            )
            assert service.wait_exit(60) == 137  # died after committing, before acking

            service.start()  # the same message is delivered again
            await service.wait_ready()

            async def acked() -> bool:
                info = await js.consumer_info(spec.stream, spec.durable)
                return bool(info.ack_floor.stream_seq >= ack.seq)

            await eventually(acked, timeout=30, message="redelivered message acknowledged")

        async with connect(database_url) as conn:
            assert await balance(conn, "wang-fang") == 24
            assert await conn.fetchval("SELECT count(*) FROM awards") == 1
            assert await conn.fetchval("SELECT count(*) FROM transactions") == 1

        def headers(person_id: str) -> dict[str, str]:
            person = BY_ID[person_id]
            token = issue_token(
                person.id,
                list(person.roles),
                name=person.name,
                community="meihu",
                building_group=person.building_group,
                run_dir=run_dir,
            )
            return {"Authorization": f"Bearer {token}"}

        async with httpx.AsyncClient(base_url=service.base_url) as client:
            await seed_demo(client, headers)
            first = (await client.get("/prizes", headers=headers("admin"))).json()
            await seed_demo(client, headers)
            assert (await client.get("/prizes", headers=headers("admin"))).json() == first
            assert len(first) == 5
            assert (await client.get("/ledger/verify", headers=headers("admin"))).status_code == 200
    finally:
        service.kill()
