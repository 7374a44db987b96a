"""The phone app's size and speed budget (issue: web app part 1), its own phase of `make bench`.

- **Size**: the JavaScript the resident entry loads before the first screen (web/dist/index.html's module
  script and its modulepreload chunks), gzip level 6 as a web server sends it. Target <= 150 KB. Its
  baseline is the smallest app of the same framework parts: Vue's runtime alone is not a fair floor for an
  app with a router, a store, i18n and a UI kit, so the baseline is the entry without the app's own
  code: the vendor chunk(s) (`node_modules`), which the ratio relates the whole entry to.
- **Speed**: for a few main screens, the time from an in-app navigation to the screen's content visible
  (its list or its timeline drawn), in Debian's Chromium at a phone viewport with 4x CPU throttling
  (CDP Emulation.setCPUThrottlingRate), against the real stack (NATS, PostgreSQL, the services), beside
  the same screen with every API answer fulfilled from the recorded JSON of a real run (Playwright route
  interception): the baseline, what the screen costs with an API that takes no time. The target is the
  ratio, <= 2: the services add no more than the screen's own rendering does.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import re
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.stats import figure

SIZE_TARGET_KB = 150.0
SCREEN_RATIO_TARGET = 2.0
THROTTLE = 4
SERVICES = ("intake", "notifications", "rewards", "shifts")
PERSON = "sun-hao"
NEIGHBOUR = "wang-fang"


def entry_scripts(dist: Path) -> list[Path]:
    """The JS files index.html makes the browser load before the app starts (entry + modulepreload)."""
    html = (dist / "index.html").read_text()
    paths = re.findall(r'<script[^>]+type="module"[^>]+src="([^"]+)"', html)
    paths += re.findall(r'<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"', html)
    return [dist / p.lstrip("/") for p in dict.fromkeys(paths)]


def size_figure(dist: Path) -> dict[str, Any]:
    files = entry_scripts(dist)
    sizes = {f.name: len(gzip.compress(f.read_bytes(), compresslevel=6)) for f in files}
    raw = {f.name: f.stat().st_size for f in files}
    total_kb = sum(sizes.values()) / 1024
    vendor_kb = sum(v for k, v in sizes.items() if not k.startswith("index")) / 1024
    return figure(
        name="Web: resident entry JavaScript",
        metric=f"gzip (level 6) of index.html's module script and modulepreload chunks ({len(files)} files); "
        "baseline: those chunks without the app's own entry code",
        unit="KB",
        value=total_kb,
        baseline=vendor_kb or float("nan"),
        target=f"<= {SIZE_TARGET_KB:.0f} KB gzip",
        met=total_kb <= SIZE_TARGET_KB,
        higher_is_better=False,
        files_gzip_bytes=sizes,
        files_raw_bytes=raw,
    )


# (screen, route, what shows once its content is drawn)
def screens(issue_id: str) -> list[tuple[str, str, str]]:
    return [
        ("Home", "/", '[data-test="open-matters"] [data-matter]'),
        ("My matters", "/matters", '[data-test="matters"] [data-matter]'),
        ("Community matters", "/community", '[data-test="community-matters"] [data-matter]'),
        ("A matter", f"/matters/{issue_id}", '[data-test="timeline"] .van-step'),
    ]


_NAVIGATE = """async ([path, selector]) => {
  window.__shown = null
  const start = performance.now()
  window.history.pushState({}, '', path)
  window.dispatchEvent(new PopStateEvent('popstate'))
  await new Promise((resolve) => {
    const look = () => {
      const found = document.querySelector(selector)
      if (found && found.getBoundingClientRect().height > 0) resolve(null)
      else requestAnimationFrame(look)
    }
    look()
  })
  // The frame that shows it.
  await new Promise((resolve) => requestAnimationFrame(() => resolve(null)))
  return performance.now() - start
}"""

_AWAY = """async () => {
  window.history.pushState({}, '', '/settings')
  window.dispatchEvent(new PopStateEvent('popstate'))
}"""


async def _measure_screens(
    browser: Any, origin: str, api_origins: list[str], issue_id: str, rounds: int, log: Callable[[str], None]
) -> dict[str, Any]:
    recorded: dict[str, tuple[int, dict[str, str], bytes]] = {}
    context = await browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        base_url=origin,
    )
    context.set_default_timeout(30_000)
    page = await context.new_page()

    def is_api(url: str) -> bool:
        return any(url.startswith(o) for o in api_origins)

    async def keep(response: Any) -> None:
        if is_api(response.url) and response.request.method == "GET" and "/stream" not in response.url:
            with contextlib.suppress(Exception):  # a body that went away is not needed
                recorded[response.url] = (response.status, dict(response.headers), await response.body())

    page.on("response", lambda r: asyncio.ensure_future(keep(r)))
    await page.goto("/")
    await page.locator(f'[data-person="{PERSON}"]').click()
    await page.wait_for_selector('[data-test="open-matters"] [data-matter]')
    cdp = await context.new_cdp_session(page)

    async def static(route: Any) -> None:
        answer = recorded.get(route.request.url)
        if answer is None or route.request.method != "GET":
            await route.continue_()
            return
        status, headers, body = answer
        await route.fulfill(status=status, headers=headers, body=body)

    found: dict[str, dict[str, list[float]]] = {}
    plan = screens(issue_id)
    # A warm-up pass records every API answer the screens ask for (and loads their chunks).
    for _name, path, selector in plan:
        await page.evaluate(_AWAY)
        await page.wait_for_timeout(300)
        await page.evaluate(_NAVIGATE, [path, selector])
    await page.wait_for_timeout(500)
    await cdp.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
    for round_no in range(rounds):
        for mode in ("stack", "static") if round_no % 2 == 0 else ("static", "stack"):
            if mode == "static":
                await page.route(re.compile("^(" + "|".join(re.escape(o) for o in api_origins) + ")"), static)
            for name, path, selector in plan:
                await page.evaluate(_AWAY)
                await page.wait_for_timeout(400)
                elapsed = await page.evaluate(_NAVIGATE, [path, selector])
                found.setdefault(name, {}).setdefault(mode, []).append(float(elapsed))
            if mode == "static":
                await page.unroute_all()
    await cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    await context.close()
    log(f"web screens: {rounds} rounds, {len(recorded)} API answers recorded")
    out: dict[str, Any] = {}
    for name, path, _ in plan:
        stack_ms = statistics.median(found[name]["stack"])
        static_ms = statistics.median(found[name]["static"])
        out[name] = figure(
            name=f"Web: {name} first render",
            metric=f"median ms from in-app navigation to content visible, Chromium, {THROTTLE}x CPU throttling "
            f"({rounds} each; baseline: API answered from recorded static JSON)",
            unit="ms",
            value=stack_ms,
            baseline=static_ms,
            target=f"<= {SCREEN_RATIO_TARGET:.0f}x the static-API baseline",
            met=stack_ms <= SCREEN_RATIO_TARGET * static_ms,
            higher_is_better=False,
            route=path.replace(issue_id, "{id}"),
            samples_ms={k: [round(v, 1) for v in vs] for k, vs in found[name].items()},
        )
    return out


async def _seed(stack: Any) -> str:
    """A few matters of the person and of a neighbour, so every screen has a list to draw."""
    first = ""
    for who, n in ((PERSON, 6), (NEIGHBOUR, 6)):
        async with httpx.AsyncClient(base_url=stack.url("intake"), headers=stack.headers(who), timeout=10) as api:
            for i in range(n):
                answer = await api.post(
                    "/issues",
                    json={
                        "category": "repairs",
                        "title": f"{i + 1}栋楼道灯不亮 corridor light {i}",
                        "description": "楼道灯坏了一周。The corridor light has been broken for a week.",
                    },
                )
                answer.raise_for_status()
                first = first or answer.json()["id"]
    return first


async def run(base_dir: Path, *, quick: bool, log: Callable[[str], None]) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    from services.stack.harness import Harness
    from services.stack.ports import any_free
    from services.web.node import DIST, build_if_changed
    from tests.web.browser import CHROMIUM_ARGS, chromium
    from tests.web.served import development_identity, serving_web

    log("web: building the app (when its sources changed)")
    await asyncio.to_thread(build_if_changed)
    out: dict[str, Any] = {"size": size_figure(DIST)}
    executable = chromium()
    if executable is None:
        out["skipped"] = "no Chromium on this machine"
        return out
    port = any_free()
    origin = f"http://127.0.0.1:{port}"
    await asyncio.to_thread(base_dir.mkdir, parents=True, exist_ok=True)
    # The app as `make run` serves it, the way the browser tests start it.
    async with (
        Harness.started(base_dir, services=SERVICES, env={"LINLI_CORS_ORIGINS": json.dumps([origin])}) as stack,
        serving_web(port, stack, SERVICES, base_dir / "web.log", development_identity(stack)),
    ):
        issue_id = await _seed(stack)
        api_origins = [stack.url(name).rstrip("/") for name in SERVICES]
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                out["screens"] = await _measure_screens(browser, origin, api_origins, issue_id, 3 if quick else 9, log)
            finally:
                await browser.close()
    return out
