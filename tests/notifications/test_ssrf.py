"""Notifications never posts inside: webhook and robot URLs that reach loopback, private, link-local or
metadata addresses are refused when registered and again at delivery, unless the district allows them."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from services.notifications.bootstrap import create
from services.notifications.domain.destinations import networks, refusal
from tests.notifications.conftest import MakeSettings
from tests.notifications.support import HttpReceiver, points_awarded, publish, wrap
from tests.support.infra import Tokens, eventually, running, served
from tests.support.sql import Sql

ADMIN = ("admin", "admin", "committee")
INSIDE = [
    "http://127.0.0.1:9000/hook",
    "http://[::1]/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/hook",
    "http://localhost:8080/hook",  # a name that resolves to loopback
    "http://[::ffff:127.0.0.1]/hook",
    "http://0.0.0.0/hook",
]


@pytest.mark.parametrize("url", INSIDE)
async def test_a_webhook_subscription_to_an_inside_address_is_refused_and_not_stored(
    make_settings: MakeSettings, tokens: Tokens, url: str
) -> None:
    async with running(create(make_settings(notifications_allowed_networks=[]))) as client:
        response = await client.post(
            "/subscriptions", json={"url": url, "event_types": ["issue.*"]}, headers=tokens.headers(*ADMIN)
        )
        listed = (await client.get("/subscriptions", headers=tokens.headers(*ADMIN))).json()

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["reason"] == "destination-not-allowed"
    assert listed == []


@pytest.mark.parametrize(
    "url",
    [
        "https://\x93/hook",
        "https://a..b/hook",
        f"https://{'a' * 64}.example/hook",
        "https://[::1/hook",
        "https://x.example:99999/",
    ],
    ids=["not IDNA", "empty label", "label too long", "unclosed IPv6", "port past 65535"],
)
async def test_a_webhook_url_no_resolver_can_take_is_refused_not_an_error(
    make_settings: MakeSettings, tokens: Tokens, url: str
) -> None:
    async with running(create(make_settings(notifications_allowed_networks=[]))) as client:
        response = await client.post(
            "/subscriptions", json={"url": url, "event_types": ["issue.*"]}, headers=tokens.headers(*ADMIN)
        )

    assert response.status_code == 400, response.text
    assert response.json()["reason"] == "destination-not-allowed"
    assert "not an http(s) URL with a host" in response.json()["detail"]


@pytest.mark.parametrize("url", INSIDE[:4])
async def test_a_wecom_robot_at_an_inside_address_is_refused(
    make_settings: MakeSettings, tokens: Tokens, url: str
) -> None:
    async with running(create(make_settings(notifications_allowed_networks=[]))) as client:
        response = await client.put(
            "/channels/wecom/3",
            json={"url": f"{url.rstrip('/')}/cgi-bin/webhook/send?key=k"},
            headers=tokens.headers(*ADMIN),
        )

    assert response.status_code == 400, response.text
    assert response.json()["reason"] == "destination-not-allowed"


async def test_a_districts_own_network_may_be_allowed(make_settings: MakeSettings, tokens: Tokens) -> None:
    settings = make_settings(notifications_allowed_networks=["10.20.0.0/16"])
    async with running(create(settings)) as client:
        allowed = await client.post(
            "/subscriptions",
            json={"url": "http://10.20.1.5/linli", "event_types": ["issue.*"]},
            headers=tokens.headers(*ADMIN),
        )
        other = await client.post(
            "/subscriptions",
            json={"url": "http://10.30.1.5/linli", "event_types": ["issue.*"]},
            headers=tokens.headers(*ADMIN),
        )

    assert allowed.status_code == 201, allowed.text
    assert other.status_code == 400


@pytest.mark.parametrize(
    ("address", "allowed"),
    [("8.8.8.8", True), ("203.0.113.7", False), ("192.168.1.1", False), ("fd00::1", False), ("2400:3200::1", True)],
)
def test_public_addresses_pass_and_internal_ones_are_named(address: str, allowed: bool) -> None:
    why = refusal([ipaddress.ip_address(address)], networks([]))

    assert (why is None) is allowed


async def test_a_delivery_whose_url_now_points_inside_is_not_sent_and_fails_for_good(
    make_settings: MakeSettings, tokens: Tokens, sql: Sql, nats_url: str
) -> None:
    # Registered while the district allowed its network, which it then withdrew: each delivery is checked again.
    receiver = HttpReceiver()
    async with served(receiver.app()) as url:
        allowed = make_settings(notifications_allowed_networks=["127.0.0.0/8"])
        async with running(create(allowed)) as client:
            created = await client.post(
                "/subscriptions",
                json={"url": f"{url}/hook", "event_types": ["points.*"]},
                headers=tokens.headers(*ADMIN),
            )
        assert created.status_code == 201, created.text
        async with running(create(make_settings(notifications_allowed_networks=[]))):
            await publish(nats_url, wrap(points_awarded(), "rewards"))

            rows = await eventually(lambda: _settled(sql), message="the webhook delivery failed without being sent")

    assert [r["status"] for r in rows] == ["failed"]
    assert "destination refused" in rows[0]["last_error"]
    assert receiver.requests == []


async def _settled(sql: Sql) -> list[Any]:
    rows = await sql.fetch("SELECT status, last_error FROM notifications WHERE channel = 'webhook'")
    return rows if rows and all(r["status"] != "pending" for r in rows) else []
