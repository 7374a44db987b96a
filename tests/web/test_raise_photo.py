"""A resident raises a matter with a photo: the app resizes it on the phone (longest side 1600 px, JPEG), shows a
thumbnail, uploads it to intake after the matter, and shows it on the matter's page, to a neighbour too."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.async_api import expect

from tests.web.browser import screen, sign_in
from tests.web.conftest import WebStack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def png(width: int, height: int) -> bytes:
    picture = Image.new("RGB", (width, height), (240, 240, 235))
    for x in range(0, width, 40):
        for y in range(0, height, 40):
            if (x + y) // 40 % 2:
                picture.paste((179, 32, 42), (x, y, x + 40, y + 40))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


async def test_a_resident_raises_a_matter_with_a_photo_and_sees_it_on_the_matter(
    page: Any, web_stack: WebStack, screenshots: Path
) -> None:
    title = "5栋门口的井盖松动"
    await sign_in(page, "liu-yang", "刘洋，您好")
    await page.get_by_role("tab", name="我要反映").click()
    await page.locator('[data-test="category"] input').click()
    await page.locator('[data-test="categories"]').get_by_role("button", name="设施报修").click()
    await page.locator('[data-test="title"] input').fill(title)

    await page.locator('[data-test="photo-input"]').set_input_files(
        [{"name": "manhole.png", "mimeType": "image/png", "buffer": png(2400, 1200)}]
    )
    thumbs = page.locator('[data-test="thumbs"] img')
    await expect(thumbs).to_have_count(1)
    await expect(page.get_by_role("heading", name="照片（1/9）")).to_be_visible()
    await screen(page, "raise-photo", screenshots)
    await page.locator('[data-test="submit"]').click()

    await expect(page.locator('[data-test="raised"]')).to_be_visible()
    shown = page.locator('[data-test="photos"] img')
    await expect(shown).to_have_count(1)
    await expect(shown).to_have_attribute("alt", "照片 1")
    await page.wait_for_function("document.querySelector('[data-test=\"photos\"] img')?.naturalWidth > 0")
    await expect(page.locator('[data-test="photos-failed"]')).to_have_count(0)
    await screen(page, "matter-photo", screenshots)

    # What reached intake is the resized JPEG, and a neighbour sees it with the matter.
    async with web_stack.api("intake", "sun-hao") as api:
        found = (await api.get("/issues", params={"q": "井盖"})).json()["items"]
        assert [i["title"] for i in found] == [title]
        photos = found[0]["uploaded_photos"]
        assert [p["content_type"] for p in photos] == ["image/jpeg"]
        stored = await api.get(photos[0]["url"])
    assert stored.status_code == 200
    assert Image.open(io.BytesIO(stored.content)).size == (1600, 800)
