"""Production sign-in: the app signs in at an OpenID Connect provider (code + PKCE), keeps the tokens in
memory only, renews them silently, and signs out at the provider; the services accept the provider's
tokens (LINLI_JWKS_URL) exactly as they accept the development issuer's.

The provider is tests/web/oidc_provider.py on a loopback port; the stack (NATS, PostgreSQL, the services)
is this module's own, started with LINLI_JWKS_URL/LINLI_JWT_ISSUER pointing at it, and the web server
runs in `oidc` mode (no development issuer).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from playwright.async_api import expect

from services.stack.harness import Harness
from services.stack.ports import any_free
from services.web.node import build_if_changed
from tests.support.infra import eventually
from tests.web.browser import PHONE, screen
from tests.web.conftest import CHROMIUM, SERVICES
from tests.web.oidc_provider import AUDIENCE, CLIENT_ID, FakeProvider, RunningProvider, s256
from tests.web.served import serving_web


async def test_the_token_endpoint_refuses_a_wrong_code_verifier() -> None:
    provider = FakeProvider(port=1)  # served in-process: the port only names the issuer
    verifier = "a-code-verifier-of-the-app-that-started-the-sign-in-0123456789"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=provider.app()), base_url=provider.issuer) as op:

        async def code() -> str:
            answer = await op.get(
                "/authorize",
                params={
                    "response_type": "code",
                    "client_id": CLIENT_ID,
                    "redirect_uri": "http://app/auth/callback",
                    "state": "s",
                    "code_challenge": s256(verifier),
                    "code_challenge_method": "S256",
                },
            )
            assert answer.status_code == 302
            return parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]

        form = {"grant_type": "authorization_code", "client_id": CLIENT_ID, "redirect_uri": "http://app/auth/callback"}
        wrong = await op.post("/token", data={**form, "code": await code(), "code_verifier": verifier + "x"})
        missing = await op.post("/token", data={**form, "code": await code()})
        right_code = await code()
        right = await op.post("/token", data={**form, "code": right_code, "code_verifier": verifier})
        replayed = await op.post("/token", data={**form, "code": right_code, "code_verifier": verifier})
        plain = await op.get(
            "/authorize", params={"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": "x"}
        )
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
    assert missing.status_code == 400
    assert replayed.status_code == 400  # a code is good once
    assert plain.status_code == 400  # no code_challenge: refused, PKCE is not optional
    assert right.status_code == 200
    claims = jwt.decode(
        right.json()["access_token"], provider.key.public_key(), algorithms=["RS256"], audience=AUDIENCE
    )
    assert (claims["iss"], claims["sub"], claims["community"], claims["building_group"]) == (
        provider.issuer,
        "sun-hao",
        "meihu",
        provider_person_group("sun-hao"),
    )


def provider_person_group(person_id: str) -> int:
    from contracts.demo import PEOPLE

    return next(p.building_group for p in PEOPLE if p.id == person_id)


@dataclass
class OidcStack:
    provider: FakeProvider
    stack: Harness
    origin: str


@pytest.fixture(scope="module")
async def oidc_stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[OidcStack]:
    base = tmp_path_factory.mktemp("web-oidc")
    await asyncio.to_thread(build_if_changed)
    port = any_free()
    origin = f"http://127.0.0.1:{port}"
    async with RunningProvider(FakeProvider()) as provider:
        env = {
            "LINLI_CORS_ORIGINS": json.dumps([origin]),
            "LINLI_JWKS_URL": provider.jwks_url,
            "LINLI_JWT_ISSUER": provider.issuer,
            "LINLI_JWT_AUDIENCE": AUDIENCE,
        }
        # No development issuer: the provider is named in config.json.
        identity = {
            "LINLI_JWKS_URL": provider.jwks_url,
            "LINLI_OIDC_AUTHORITY": provider.issuer,
            "LINLI_OIDC_CLIENT_ID": CLIENT_ID,
        }
        async with (
            Harness.started(base, services=SERVICES, env=env) as stack,
            serving_web(port, stack, SERVICES, base / "web.log", identity),
        ):
            yield OidcStack(provider, stack, origin)


async def test_the_web_server_names_the_provider_and_has_no_development_issuer(oidc_stack: OidcStack) -> None:
    async with httpx.AsyncClient(base_url=oidc_stack.origin, timeout=5) as web:
        identity = (await web.get("/config.json")).json()["identity"]
        token = await web.post("/dev/token", json={"person": "sun-hao"})
        people = await web.get("/dev/people")
    assert identity == {
        "mode": "oidc",
        "authority": oidc_stack.provider.issuer,
        "client_id": CLIENT_ID,
        "scope": "openid profile",
    }
    assert token.status_code == 405
    assert people.text.startswith("<!doctype html>")  # only the app


STORAGE = "() => JSON.stringify({local: Object.entries(localStorage), session: Object.entries(sessionStorage)})"


@pytest.mark.browser
@pytest.mark.timeout(240)
@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium")
async def test_a_resident_signs_in_at_the_provider_and_out_again(
    browser: Any, oidc_stack: OidcStack, screenshots: Path
) -> None:
    provider = oidc_stack.provider
    title = "美湖5栋楼道灯不亮"
    headers = {"Authorization": f"Bearer {provider.access_token('sun-hao')}"}
    async with httpx.AsyncClient(base_url=oidc_stack.stack.url("intake"), headers=headers, timeout=10) as intake:
        raised = await intake.post("/issues", json={"category": "repairs", "title": title})
        assert raised.status_code == 201, raised.text  # the services take the provider's token

    context = await browser.new_context(
        viewport=PHONE, device_scale_factor=2, locale="zh-CN", timezone_id="Asia/Shanghai",
        is_mobile=True, has_touch=True, base_url=oidc_stack.origin,
    )  # fmt: skip
    context.set_default_timeout(15_000)
    page = await context.new_page()
    bearers: set[str] = set()

    def seen(request: Any) -> None:
        auth = request.headers.get("authorization")
        if request.url.startswith(oidc_stack.stack.url("intake")) and auth:
            bearers.add(auth)

    page.on("request", seen)
    try:
        await page.goto("/")
        await expect(page).to_have_url(re.compile(r"/sign-in$"))
        await expect(page.get_by_role("heading", name="登录")).to_be_visible()
        await expect(page.get_by_role("button", name="使用社区账号登录")).to_be_visible()
        await expect(page.locator("[data-person]")).to_have_count(0)  # no demo people in production
        await screen(page, "sign-in-oidc", screenshots)
        await page.locator('[data-test="language"]').click()
        await expect(page.get_by_role("button", name="Sign in with the community account")).to_be_visible()
        await screen(page, "sign-in-oidc-en", screenshots)
        await page.locator('[data-test="language"]').click()

        # Off to the provider (which signs Sun Hao in at once) and back through /auth/callback.
        await page.get_by_role("button", name="使用社区账号登录").click()
        await expect(page.get_by_role("heading", name="孙浩，您好")).to_be_visible()
        await expect(page).to_have_url(re.compile(r"/$"))
        await expect(page.locator('[data-test="open-matters"]')).to_contain_text(title)
        assert provider.token_requests == ["authorization_code"]

        stored = await page.evaluate(STORAGE)
        assert "eyJ" not in stored, stored  # no JWT stored anywhere
        assert "token" not in stored.lower(), stored
        assert json.loads(stored)["local"] == [], stored

        # Silent renew: a minute before the 65 s token expires, the refresh token buys a new one,
        # and the next call to the services carries it.
        await eventually(lambda: "refresh_token" in provider.token_requests, timeout=40, message="silent renew")
        await page.get_by_role("tab", name="我的事项").click()
        await expect(page.get_by_text(title)).to_be_visible()
        await eventually(lambda: len(bearers) >= 2, timeout=10, message="the renewed token is used")
        assert "eyJ" not in await page.evaluate(STORAGE)

        # A reload forgets the tokens (memory only): the app asks to sign in again, and the provider,
        # which still knows the person, brings them straight back where the reload was (My matters),
        # through the sign-in's `next` and the provider's round trip of the state.
        await page.reload()
        await expect(page).to_have_url(re.compile(r"/sign-in\?next=(/|%2F)matters$"))
        await page.get_by_role("button", name="使用社区账号登录").click()
        await expect(page.get_by_role("heading", name="我的事项")).to_be_visible()
        await expect(page.get_by_text(title)).to_be_visible()
        await page.get_by_role("tab", name="首页").click()
        await expect(page.get_by_role("heading", name="孙浩，您好")).to_be_visible()

        # Sign-out ends the session at the provider, which sends the browser back to /sign-in.
        await page.get_by_role("button", name="退出登录").click()
        await expect(page).to_have_url(re.compile(r"/sign-in"))
        await expect(page.get_by_role("button", name="使用社区账号登录")).to_be_visible()
        assert provider.sessions_ended == 1
        await page.goto("/matters")
        await expect(page).to_have_url(re.compile(r"/sign-in"))
        assert "eyJ" not in await page.evaluate(STORAGE)
    finally:
        await context.close()
