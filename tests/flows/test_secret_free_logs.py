"""No secret is ever written to a log: a whole stack (six service processes, NATS, PostgreSQL) is
run at DEBUG, every kind of secret Linli hands out is used the way its holder uses it, and then
every log file the run wrote is searched for each of them.

The secrets: bearer tokens (in headers, and in the SSE stream's ?access_token=, since a browser's
EventSource cannot set headers), a token that is not one, the council's and a volunteer's iCalendar
feed tokens (in the feed's path), a redemption's pickup code (in the counter's ?pickup_code= lookup),
a webhook subscription's signing secret and the one it is rotated to, a WeCom robot's key (in its
URL), and an Open311 api key (in a query string and a form body)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
from contextlib import AsyncExitStack
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from services.stack.harness import Harness
from tests.notifications.support import HttpReceiver
from tests.support.infra import eventually, served

pytestmark = pytest.mark.timeout(600)


class Secrets:
    """Every secret the run handed out or sent, to look for in the logs afterwards."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}

    def add(self, what: str, value: str) -> str:
        assert value, what
        self.found[what] = value
        return value


async def test_no_token_secret_key_or_pickup_code_reaches_any_log(tmp_path: Path) -> None:
    found = Secrets()
    hooks, robot = HttpReceiver(), HttpReceiver(wecom=True)
    env = {
        "LINLI_LOG_LEVEL": "DEBUG",
        # The receivers listen on loopback, which production refuses (SSRF); allowed here.
        "LINLI_NOTIFICATIONS_ALLOWED_NETWORKS": json.dumps(["127.0.0.0/8"]),
    }
    async with AsyncExitStack() as running:
        hooks_url = await running.enter_async_context(served(hooks.app()))
        robot_url = await running.enter_async_context(served(robot.app()))
        harness = await running.enter_async_context(Harness.started(tmp_path, env=env))
        await _use_every_secret(harness, found, hooks_url, robot_url)
        # The events reached the webhook receiver, signed with the secret, before the stack stops.
        await eventually(lambda: len(hooks.requests) > 0, timeout=60, message="a webhook delivery")

    logs, leaks = await asyncio.to_thread(_leaks, tmp_path, found.found)
    assert logs >= {f"{name}.log" for name in harness.service_names} | {"nats.log", "postgres.log"}
    assert leaks == []
    assert len(found.found) >= 10


async def _use_every_secret(harness: Harness, found: Secrets, hooks_url: str, robot_url: str) -> None:

    def headers(person: str, *roles: str) -> dict[str, str]:
        token = harness.token(person, list(roles) if roles else None)
        return {"Authorization": f"Bearer {found.add(f'bearer token of {person} {roles}', token)}"}

    admin = headers("admin", "admin", "committee")
    resident = headers("wang-fang", "resident", "volunteer")

    async with httpx.AsyncClient(timeout=20) as http:

        def at(service: str, path: str) -> str:
            return harness.url(service) + path

        # Webhook subscription (its secret, then the rotated one) and a WeCom robot with its key.
        subscribed = await http.post(
            at("notifications", "/subscriptions"),
            json={"url": f"{hooks_url}/linli", "event_types": ["*"]},
            headers=admin,
        )
        assert subscribed.status_code == 201, subscribed.text
        subscription = subscribed.json()
        found.add("webhook secret", subscription["secret"])
        rotated = await http.post(
            at("notifications", f"/subscriptions/{subscription['id']}/rotate-secret"), json={}, headers=admin
        )
        assert rotated.status_code == 200, rotated.text
        found.add("rotated webhook secret", rotated.json()["secret"])
        robot_key = found.add("WeCom robot key", secrets.token_hex(16))
        put_robot = await http.put(
            at("notifications", "/channels/wecom/3"),
            json={"url": f"{robot_url}/cgi-bin/webhook/send?key={robot_key}"},
            headers=admin,
        )
        assert put_robot.status_code == 200, put_robot.text

        # The inbox stream with ?access_token=, as the web app opens it, kept open to hear the pickup code.
        stream_token = found.add("SSE access token", harness.token("wang-fang"))
        heard: list[str] = []

        async def listen() -> None:
            url = at("notifications", "/inbox/stream")
            async with http.stream("GET", url, params={"access_token": stream_token}, timeout=None) as sse:
                assert sse.status_code == 200
                async for line in sse.aiter_lines():
                    heard.append(line)

        listener = asyncio.create_task(listen())
        await eventually(lambda: "event: ready" in heard, message="the stream's ready event")
        forged = found.add("a forged access token", "eyJ" + secrets.token_urlsafe(40) + "." + secrets.token_urlsafe(20))
        refused = await http.get(at("notifications", "/inbox/stream"), params={"access_token": forged})
        assert refused.status_code == 401

        # Calendar feeds: the council's token and a volunteer's, both in the feed's path.
        council = await http.post(at("deliberation", "/councils"), json={"kind": "consultation"}, headers=admin)
        assert council.status_code == 201, council.text
        council_feed = urlsplit(council.json()["feed_url"]).path
        found.add("council feed token", council_feed.rsplit("/", 1)[-1].removesuffix(".ics"))
        assert (await http.get(at("deliberation", council_feed))).status_code == 200
        volunteer = await http.put(
            at("shifts", "/volunteers/wang-fang"),
            json={"name": "王芳", "kind": "resident", "building_group": 3, "skills": [], "posts": []},
            headers=resident,
        )
        assert volunteer.status_code == 200, volunteer.text
        feed = await http.post(at("shifts", "/volunteers/me/feed"), headers=resident)
        assert feed.status_code == 200, feed.text
        volunteer_feed = urlsplit(feed.json()["url"]).path
        found.add("volunteer feed token", volunteer_feed.rsplit("/", 1)[-1].removesuffix(".ics"))
        assert (await http.get(at("shifts", volunteer_feed))).status_code == 200

        # A redemption: its pickup code, looked up at the counter by query string, then handed over.
        credited = await http.post(
            at("rewards", "/accounts/wang-fang/adjustments"),
            json={"points": 100, "reason": "补录三月巡逻"},
            headers=admin,
        )
        assert credited.status_code == 201, credited.text
        prize = await http.post(
            at("rewards", "/prizes"),
            json={"code": "rice-5kg", "name_zh": "大米 5 公斤", "name_en": "Rice 5 kg", "cost": 30, "stock": 3},
            headers=admin,
        )
        assert prize.status_code == 201, prize.text
        redeemed = await http.post(
            at("rewards", "/redemptions"), json={"prize_id": prize.json()["id"]}, headers=resident
        )
        assert redeemed.status_code == 201, redeemed.text
        pickup_code = found.add("pickup code", redeemed.json()["pickup_code"])
        await eventually(
            lambda: any(pickup_code in line for line in heard), timeout=60, message="the pickup code on the stream"
        )
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
        looked_up = await http.get(at("rewards", "/redemptions"), params={"pickup_code": pickup_code}, headers=admin)
        assert [r["id"] for r in looked_up.json()["items"]] == [redeemed.json()["id"]]
        fulfilled = await http.post(at("rewards", f"/redemptions/{redeemed.json()['id']}/fulfil"), headers=admin)
        assert fulfilled.status_code == 200, fulfilled.text

        # An Open311 api key, used as the GeoReport spec has it: in the form body and the query string.
        key = await http.post(
            at("intake", "/open311-keys"), json={"name": "12345 热线", "principal": "hotline-12345"}, headers=admin
        )
        assert key.status_code == 201, key.text
        api_key = found.add("Open311 api key", key.json()["key"])
        filed = await http.post(
            at("intake", "/open311/v2/requests.json"),
            data={
                "api_key": api_key,
                "service_code": "corridor_clutter",
                "address_string": "美湖小区12栋3单元",
                "description": "楼道堆满纸箱，消防通道不通。",
            },
        )
        assert filed.status_code in (200, 201), filed.text
        listed = await http.get(at("intake", "/open311/v2/requests.json"), params={"api_key": api_key})
        assert listed.status_code == 200, listed.text

        # The audit log saw the privileged actions, and none of the secrets.
        audit = await http.get(at("rewards", "/audit"), headers=admin)
        assert {e["action"] for e in audit.json()["items"]} >= {
            "points.adjusted",
            "prize.added",
            "redemption.fulfilled",
        }


def _leaks(directory: Path, found: dict[str, str]) -> tuple[set[str], list[str]]:
    """The log files under `directory`, and each secret found in one of them."""
    logs = sorted(directory.rglob("*.log"))
    leaks = [
        f"{what} in {path.name}"
        for path in logs
        for what, value in found.items()
        if _appears(value, path.read_text(errors="replace"))
    ]
    return {path.name for path in logs}, leaks


def _appears(value: str, text: str) -> bool:
    """Whether `value` is in `text` as itself (a six-digit code inside a longer number does not count)."""
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(value)}(?![0-9A-Za-z])", text) is not None
