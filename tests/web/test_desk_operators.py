"""The operators' desk at a tablet: every service's /readyz and its /status figures (consumer lag, outbox
backlog, dead letters), with the dead-letter commands to copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.browser import screen, sign_in
from tests.web.conftest import DESK_SERVICES, WebStack

pytestmark = [pytest.mark.browser]


async def test_the_operator_sees_six_services_ready_with_their_figures_and_the_dlq_commands(
    tablet: Any, desk_stack: WebStack, screenshots: Path
) -> None:
    from playwright.async_api import expect

    await sign_in(tablet, "admin", "社区管理员，您好")
    await tablet.locator('[data-test="desk-link"]').click()
    await tablet.locator('[data-desk="operators"]').click()

    rows = tablet.locator('[data-test="services"] tbody tr')
    await expect(rows).to_have_count(len(DESK_SERVICES))
    await expect(tablet.locator('[data-test="ready"]')).to_have_count(6)
    await expect(tablet.locator('[data-test="summary"]')).to_have_text("6 / 6 个服务就绪")
    await expect(tablet.locator('[data-service="rewards"] [data-test="consumer"]')).not_to_have_count(0)
    await expect(tablet.locator('[data-command="uv run linli dlq list"]')).to_be_visible()
    await screen(tablet, "desk-operators", screenshots)


async def test_the_status_route_is_the_operators_only(desk_stack: WebStack) -> None:
    async with desk_stack.api("intake", "zhang-wei") as api:
        committee = await api.get("/status")
    async with desk_stack.api("intake", "admin") as api:
        admin = await api.get("/status")

    assert (committee.status_code, admin.status_code) == (403, 200)
    assert admin.json()["ready"] is True
