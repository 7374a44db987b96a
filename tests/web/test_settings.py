"""Settings: the language (kept in notifications' preferences, so it follows the person to the next sign-in),
notification channels, quiet hours and e-mail; a refused e-mail keeps what was typed. Real stack; no sleeps."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.web.browser import screen, sign_in
from tests.web.conftest import WebStack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


async def test_settings_are_saved_in_notifications_and_the_language_follows_the_next_sign_in(
    page: Any, web_stack: WebStack, screenshots: Path
) -> None:
    await sign_in(page, "zhou-qiang", "周强，您好")
    await page.locator('[data-test="settings-link"]').click()
    await expect(page.get_by_role("heading", name="设置")).to_be_visible()
    form = page.locator('[data-test="settings"]')
    await expect(page.locator('[data-test="quiet-start"]')).to_have_value("22:00")
    await screen(page, "settings", screenshots)

    # An address the service refuses: the problem is shown and the form keeps what was typed.
    await page.locator('[data-test="email"] input').fill("zhouqiang-at-example")
    await page.locator('[data-test="email-on"]').click()
    await page.locator('[data-test="save"]').click()
    await expect(page.locator('[data-test="failure"]')).to_be_visible()
    await expect(page.locator('[data-test="email"] input')).to_have_value("zhouqiang-at-example")

    await page.locator('[data-test="email"] input').fill("zhouqiang@meihu.example.org")
    await page.locator('[data-test="quiet-start"]').fill("21:30")
    await page.locator('[data-test="quiet-end"]').fill("06:45")
    await form.locator('[data-test="language-en"]').click()
    await page.locator('[data-test="save"]').click()
    await expect(page.locator('[data-test="saved"]')).to_have_text("Your settings are saved.")
    await expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    await screen(page, "settings-en", screenshots)

    async with web_stack.api("notifications", "zhou-qiang") as api:
        prefs = (await api.get("/preferences/me")).json()
    assert prefs["language"] == "en"
    assert prefs["email"] == "zhouqiang@meihu.example.org"
    assert prefs["channels"] == {"inbox": True, "email": False}
    assert (prefs["quiet_hours"]["start"], prefs["quiet_hours"]["end"]) == ("21:30:00", "06:45:00")

    # A reload signs out (the token lives in memory); the next sign-in comes back in English.
    await page.reload()
    await expect(page).to_have_url(re.compile(r"/sign-in\?next=/settings$"))
    await page.locator('[data-person="zhou-qiang"]').click()
    await expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    await expect(page.locator('[data-test="language-en"]')).to_have_attribute("aria-checked", "true")
