"""Meihu demo data for the love bank, through its own HTTP API; a second run changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import httpx

PRIZES: tuple[dict[str, object], ...] = (
    {"code": "rice-5kg", "name_zh": "大米 5kg", "name_en": "Rice, 5 kg", "cost": 120, "stock": 20},
    {"code": "cooking-oil", "name_zh": "食用油 5L", "name_en": "Cooking oil, 5 L", "cost": 150, "stock": 15},
    {"code": "haircut", "name_zh": "理发券", "name_en": "Haircut voucher", "cost": 60, "stock": 30},
    {"code": "detergent", "name_zh": "洗衣液", "name_en": "Laundry detergent", "cost": 80, "stock": 25},
    {"code": "cinema-ticket", "name_zh": "电影票", "name_en": "Cinema ticket", "cost": 100, "stock": 10},
)


async def seed_demo(client: httpx.AsyncClient, headers: Callable[[str], dict[str, str]]) -> None:
    """The prize catalogue of the Meihu love bank (created only where its code is missing)."""
    admin = headers("admin")
    existing = await client.get("/prizes", headers=admin)
    existing.raise_for_status()
    codes = {p["code"] for p in existing.json()}
    for prize in PRIZES:
        if prize["code"] in codes:
            continue
        response = await client.post("/prizes", json=prize, headers=admin)
        if response.status_code != 409:  # another seeder got there first
            response.raise_for_status()
    (await client.get("/rules", headers=admin)).raise_for_status()  # writes the default rules, version 1
