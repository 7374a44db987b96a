"""Debian's Chromium driven by Playwright for Python (Playwright cannot download its own browser here)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from services.kernel.settings import REPO_ROOT

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
"""A phone viewport (the app is laid out for 360-430 px)."""
TABLET = {"width": 1024, "height": 768}
"""A tablet on its side, the smallest screen the desks are laid out for (>= 768 px)."""
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
"""Where `make web-screenshots` (LINLI_WEB_SCREENSHOTS=1) saves them for the README; other runs keep
them in pytest's temporary folder, so `make test` leaves the checkout as it was."""
AXE = REPO_ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


def chromium() -> str | None:
    """A Chromium on this machine: LINLI_CHROMIUM, else Debian's, else one on PATH."""
    for candidate in (os.environ.get("LINLI_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


async def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


# What a finger presses: buttons, tabs, cells that open something, radios and checkboxes.
_TOUCHABLE = "button, [role=button], [role=tab], .van-cell--clickable, .van-tabbar-item, [role=radio], [role=checkbox]"
TOUCH_TARGET_PX = 44


async def small_touch_targets(page: Any) -> list[str]:
    """Visible touch targets under 44 x 44 CSS pixels (WCAG 2.5.5), named by their text or label."""
    found: list[str] = await page.evaluate(
        """([selector, least]) => [...document.querySelectorAll(selector)]
            .filter((el) => el.offsetParent !== null)
            .map((el) => [el, el.getBoundingClientRect()])
            .filter(([, box]) => box.width > 0 && (box.width < least || box.height < least))
            .map(([el, box]) => `${(el.getAttribute('aria-label') || el.textContent || el.tagName).trim().slice(0, 30)}`
                + ` (${Math.round(box.width)}x${Math.round(box.height)})`)""",
        [_TOUCHABLE, TOUCH_TARGET_PX],
    )
    return found


async def screen(page: Any, name: str, folder: Path) -> None:
    """A screenshot (docs/screenshots/ under `make web-screenshots`), then no serious/critical accessibility violation
    and no touch target smaller than 44 px."""
    # Vant's sheets slide and fade in: wait for what the person would see once they stop.
    await page.wait_for_function("document.getAnimations().length === 0")
    await page.screenshot(path=str(folder / f"{name}.png"))
    violations = await axe_violations(page)
    assert violations == [], f"{name}: {violations}"
    small = await small_touch_targets(page)
    assert small == [], f"{name}: touch targets under {TOUCH_TARGET_PX} px: {small}"


async def sign_in(page: Any, person: str, greeting: str) -> None:
    """Choose a demo person on the sign-in screen and wait for Home's greeting."""
    from playwright.async_api import expect

    await page.goto("/")
    await page.locator(f'[data-person="{person}"]').click()
    await expect(page.get_by_role("heading", name=greeting)).to_be_visible()
