"""The web app against the real stack: NATS, PostgreSQL and the services the screens call started by the
tests, the app built and served by `python -m services.web` as `make run` serves it, and Debian's Chromium.

Both stacks run NATS with the district's users and permissions, as `make run` does. Two stacks: `web_stack` (the residents' screens: four services, empty, each test makes what it reads) at a
phone viewport (`page`), and `desk_stack` (all six services with `make run`'s Meihu demo data) for the
desks at a tablet viewport (`tablet`) and a phone (`desk_phone`: a council member voting, a leader at the post)."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.stack.harness import Harness
from services.stack.ports import any_free
from services.stack.runner import seed_demo_data
from services.web.node import build_if_changed
from tests.web.browser import CHROMIUM_ARGS, PHONE, SCREENSHOTS, TABLET, chromium
from tests.web.served import development_identity, serving_web

CHROMIUM = chromium()
SERVICES = ("intake", "notifications", "rewards", "shifts")
DESK_SERVICES = ("intake", "deliberation", "shifts", "rewards", "notifications", "community")
"""In the order `make run` seeds them: each seed reads what the ones before it made."""


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
        Harness.started(
            base, services=SERVICES, env={"LINLI_CORS_ORIGINS": json.dumps([origin])}, nats_users=True
        ) as stack,
        serving_web(port, stack, SERVICES, base / "web.log", development_identity(stack)),
    ):
        yield WebStack(stack, origin)


@pytest.fixture(scope="session")
async def desk_stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:
    base = tmp_path_factory.mktemp("desk")
    await asyncio.to_thread(build_if_changed)
    port = any_free()
    origin = f"http://127.0.0.1:{port}"
    async with (
        Harness.started(
            base, services=DESK_SERVICES, env={"LINLI_CORS_ORIGINS": json.dumps([origin])}, nats_users=True
        ) as stack,
        serving_web(port, stack, DESK_SERVICES, base / "web.log", development_identity(stack)),
    ):
        await seed_demo_data({name: stack.url(name) for name in DESK_SERVICES}, stack.headers)
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


@asynccontextmanager
async def _opened(browser: Any, origin: str, viewport: dict[str, int], *, mobile: bool) -> AsyncIterator[Any]:
    context = await browser.new_context(
        viewport=viewport,
        device_scale_factor=2 if mobile else 1,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=mobile,
        has_touch=True,
        base_url=origin,
    )
    context.set_default_timeout(15_000)
    try:
        yield await context.new_page()
    finally:
        await context.close()


@pytest.fixture
async def page(browser: Any, web_stack: WebStack) -> AsyncIterator[Any]:
    async with _opened(browser, web_stack.origin, PHONE, mobile=True) as opened:
        yield opened


@pytest.fixture
async def tablet(browser: Any, desk_stack: WebStack) -> AsyncIterator[Any]:
    async with _opened(browser, desk_stack.origin, TABLET, mobile=False) as opened:
        yield opened


@pytest.fixture
async def desk_phone(browser: Any, desk_stack: WebStack) -> AsyncIterator[Any]:
    async with _opened(browser, desk_stack.origin, PHONE, mobile=True) as opened:
        yield opened


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if CHROMIUM is None and terminalreporter.stats.get("skipped"):
        terminalreporter.write_line(
            "web: browser tests skipped, no Chromium found (apt-get install chromium fonts-noto-cjk)"
        )
