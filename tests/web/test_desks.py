"""The desks (/desk): offered by role, refused by role, in the browser and by the services behind them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.browser import screen, sign_in
from tests.web.conftest import WebStack

pytestmark = [pytest.mark.browser]


async def test_a_resident_who_opens_a_desk_url_is_told_it_is_not_theirs(tablet: Any, screenshots: Path) -> None:
    from playwright.async_api import expect

    await sign_in(tablet, "sun-hao", "孙浩，您好")
    await expect(tablet.locator('[data-test="desk-link"]')).to_have_count(0)

    # A typed URL loads the app afresh (the token lives in memory only): sign in, and on to the URL.
    await tablet.goto("/desk/committee")
    await tablet.locator('[data-person="sun-hao"]').click()

    await expect(tablet.locator('[data-test="not-yours"]')).to_contain_text("两委")
    await screen(tablet, "desk-not-yours", screenshots)


async def test_a_committee_member_is_offered_the_desks_of_their_roles_only(tablet: Any, screenshots: Path) -> None:
    from playwright.async_api import expect

    await sign_in(tablet, "zhang-wei", "张伟，您好")

    await tablet.locator('[data-test="desk-link"]').click()

    nav = tablet.get_by_role("navigation", name="工作台")
    await expect(nav.locator("[data-desk]")).to_have_count(
        3
    )  # committee, council, love bank: not posts, not operations
    await expect(nav.locator('[data-desk="posts"]')).to_have_count(0)
    await screen(tablet, "desk-home", screenshots)


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("intake", "/review-queue"),
        ("intake", "/open311-keys"),
        ("rewards", "/ledger/accounts"),
    ],
)
async def test_the_services_refuse_a_residents_desk_calls(desk_stack: WebStack, service: str, path: str) -> None:
    async with desk_stack.api(service, "sun-hao") as api:
        answer = await api.get(path)

    assert answer.status_code == 403, answer.text
