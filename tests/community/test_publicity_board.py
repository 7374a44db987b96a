"""The 亮身份 做表率 board through the HTTP API on real PostgreSQL: only recorded consent puts anyone
on it, a withdrawal takes them off every answer at once, and the A4 page embeds its font."""

from __future__ import annotations

import io
from typing import Any, cast

import httpx
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from tests.community.test_publicity_announcements import committee, resident
from tests.support.infra import Tokens
from tests.support.sql import Sql


def consent(name: str, group: int, role: str = "party_member", post: str = "publicity") -> dict[str, Any]:
    return {
        "name": name,
        "photo_url": f"https://meihu.example.org/photos/{group}/{name}.jpg",
        "role": role,
        "post_type": post,
        "phone": "138-0000-0003",
        "building_group": group,
    }


async def test_only_people_with_recorded_consent_are_on_the_public_board(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    put = await client.put("/board/me", json=consent("王芳", 3), headers=resident(tokens, "wang-fang", 3))
    await client.put(
        "/board/me", json=consent("赵磊", 2, "backbone_volunteer", "patrol"), headers=resident(tokens, "zhao-lei", 2)
    )

    board = await client.get("/board")  # no token: the public board
    group3 = await client.get("/board", params={"building_group": 3})

    assert put.status_code == 200, put.text
    assert board.status_code == 200
    assert board.headers["cache-control"] == "no-store"
    assert [p["person_id"] for p in board.json()["people"]] == ["zhao-lei", "wang-fang"]
    [wang] = group3.json()["people"]
    assert wang == {
        "person_id": "wang-fang",
        "name": "王芳",
        "photo_url": "https://meihu.example.org/photos/3/王芳.jpg",
        "role": "party_member",
        "role_label": {"zh-CN": "党员", "en": "Party member"},
        "post_type": "publicity",
        "post_label": {"zh-CN": "党建宣传岗", "en": "Party-building publicity post"},
        "phone": "138****0003",  # the public board, on the internet: masked (test_board_phones)
        "building_group": 3,
    }


async def test_a_withdrawn_consent_removes_the_person_from_every_board_answer_at_once(
    client: httpx.AsyncClient, tokens: Tokens, sql: Sql
) -> None:
    me = resident(tokens, "wang-fang", 3)
    await client.put("/board/me", json=consent("王芳", 3), headers=me)
    await client.put("/board/me", json=consent("黄丽", 3), headers=resident(tokens, "huang-li", 3))
    before = await client.get("/board", params={"building_group": 3})
    printed_before = await client.get("/board/print", params={"building_group": 3})

    withdrawn = await client.delete("/board/me", headers=me)
    board = await client.get("/board")
    group3 = await client.get("/board", params={"building_group": 3})
    consents = await client.get("/board/consents", headers=committee(tokens))
    mine = await client.get("/board/me", headers=me)
    printed = await client.get("/board/print", params={"building_group": 3})
    again = await client.delete("/board/me", headers=me)

    assert [p["person_id"] for p in before.json()["people"]] == ["huang-li", "wang-fang"]
    assert "王芳" in PdfReader(io.BytesIO(printed_before.content)).pages[0].extract_text()
    assert withdrawn.status_code == 204
    assert [p["person_id"] for p in board.json()["people"]] == ["huang-li"]
    assert [p["person_id"] for p in group3.json()["people"]] == ["huang-li"]
    assert [p["person_id"] for p in consents.json()] == ["huang-li"]
    assert mine.status_code == 404
    text = PdfReader(io.BytesIO(printed.content)).pages[0].extract_text()
    assert "黄丽" in text
    assert "王芳" not in text
    assert again.status_code == 404
    assert await sql.fetchval("SELECT count(*) FROM board_consents WHERE person_id = 'wang-fang'") == 0


async def test_the_committees_see_who_consented_and_residents_do_not(client: httpx.AsyncClient, tokens: Tokens) -> None:
    await client.put("/board/me", json=consent("王芳", 3), headers=resident(tokens, "wang-fang", 3))

    seen = await client.get("/board/consents", headers=committee(tokens))
    refused = await client.get("/board/consents", headers=resident(tokens, "sun-hao", 6))

    assert [(c["person_id"], c["building_group"]) for c in seen.json()] == [("wang-fang", 3)]
    assert "consented_at" in seen.json()[0]
    assert refused.status_code == 403


async def test_a_consent_with_bad_details_is_refused_and_nothing_is_recorded(
    client: httpx.AsyncClient, tokens: Tokens, sql: Sql
) -> None:
    me = resident(tokens, "wang-fang", 3)

    bad_phone = await client.put("/board/me", json={**consent("王芳", 3), "phone": "call me"}, headers=me)
    bad_photo = await client.put("/board/me", json={**consent("王芳", 3), "photo_url": "javascript:x"}, headers=me)
    bad_role = await client.put("/board/me", json={**consent("王芳", 3), "role": "mayor"}, headers=me)
    no_group = await client.put(
        "/board/me",
        json={k: v for k, v in consent("孙浩", 6).items() if k != "building_group"},
        headers=tokens.headers("sun-hao", "resident"),
    )

    assert [r.status_code for r in (bad_phone, bad_photo, bad_role, no_group)] == [400, 400, 422, 400]
    assert await sql.fetchval("SELECT count(*) FROM board_consents") == 0


async def test_the_printed_board_is_an_a4_page_in_an_embedded_chinese_font_with_the_names(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    await client.put("/board/me", json=consent("王芳", 3), headers=resident(tokens, "wang-fang", 3))
    await client.put(
        "/board/me",
        json=consent("刘洋", 3, "backbone_volunteer", "environment"),
        headers=resident(tokens, "liu-yang", 3),
    )
    await client.put("/board/me", json=consent("孙浩", 6), headers=resident(tokens, "sun-hao", 6))

    printed = await client.get("/board/print", params={"building_group": 3})

    assert printed.status_code == 200
    assert printed.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(printed.content))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = page.extract_text()
    for expected in ("亮身份", "第3片区", "王芳", "党员", "党建宣传岗", "刘洋", "骨干志愿者", "环境监督岗"):
        assert expected in text
    assert "孙浩" not in text
    resources = cast(DictionaryObject, page["/Resources"].get_object())
    fonts = cast(DictionaryObject, resources["/Font"].get_object())
    assert fonts
    for ref in fonts.values():
        font = cast(DictionaryObject, ref.get_object())
        if "/DescendantFonts" in font:
            font = cast(DictionaryObject, cast(ArrayObject, font["/DescendantFonts"].get_object())[0].get_object())
        descriptor = cast(DictionaryObject, font["/FontDescriptor"].get_object())
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), f"{font['/BaseFont']} is not embedded"
        assert "NotoSerifSC" in str(font["/BaseFont"])
