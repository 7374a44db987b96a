"""The web app against the real stack: NATS, PostgreSQL and the services the screens call
(intake, notifications, rewards, shifts) started by the tests, the app built
and served by `python -m services.web` as `make run` serves it, and Debian's Chromium at a phone viewport."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.stack.harness import Harness
from services.stack.ports import any_free
from services.web.node import build_if_changed
from tests.web.browser import CHROMIUM_ARGS, PHONE, SCREENSHOTS, chromium
from tests.web.served import development_identity, serving_web

CHROMIUM = chromium()
SERVICES = ("intake", "notifications", "rewards", "shifts")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM is not None:
        return
    skip = pytest.mark.skip(reason="no Chromium on this machine (apt-get install chromium fonts-noto-cjk)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@dataclass
class WebStack:
    stack: Harness
    origin: str

    def api(self, service: str, person: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.stack.url(service), headers=self.stack.headers(person), timeout=10)


@pytest.fixture(scope="session")
async def web_stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:
    base = tmp_path_factory.mktemp("web")
    await asyncio.to_thread(build_if_changed)
    port = any_free()
    origin = f"http://127.0.0.1:{port}"
    async with (
        Harness.started(base, services=SERVICES, env={"LINLI_CORS_ORIGINS": json.dumps([origin])}) as stack,
        serving_web(port, stack, SERVICES, base / "web.log", development_identity(stack)),
    ):
        yield WebStack(stack, origin)


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("LINLI_WEB_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Any, web_stack: WebStack) -> AsyncIterator[Any]:
    context = await browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=True,
        has_touch=True,
        base_url=web_stack.origin,
    )
    context.set_default_timeout(15_000)
    opened = await context.new_page()
    yield opened
    await context.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if CHROMIUM is None and terminalreporter.stats.get("skipped"):
        terminalreporter.write_line(
            "web: browser tests skipped, no Chromium found (apt-get install chromium fonts-noto-cjk)"
        )
