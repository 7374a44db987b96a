"""Abuse controls: per-person and per-address submission limits, length limits, oversized bodies."""

from __future__ import annotations

from tests.intake.conftest import AppFactory
from tests.intake.support import NEIGHBOUR, RESIDENT, as_, issue_body
from tests.support.infra import Tokens


async def test_one_person_is_limited_but_others_still_submit(intake_app: AppFactory, tokens: Tokens) -> None:
    async with intake_app(intake_person_rate="2/hour", intake_address_rate="100/hour") as client:
        codes = [
            (await client.post("/issues", json=issue_body(), headers=as_(tokens, RESIDENT))).status_code
            for _ in range(3)
        ]
        other = await client.post("/issues", json=issue_body(), headers=as_(tokens, NEIGHBOUR))
        listed = (await client.get("/issues", headers=as_(tokens, RESIDENT))).json()["items"]

    assert codes == [201, 201, 429]
    assert other.status_code == 201
    assert len(listed) == 3


async def test_one_address_is_limited_across_people(intake_app: AppFactory, tokens: Tokens) -> None:
    async with intake_app(intake_person_rate="100/hour", intake_address_rate="2/hour") as client:
        first = await client.post("/issues", json=issue_body(), headers=as_(tokens, RESIDENT))
        second = await client.post("/issues", json=issue_body(), headers=as_(tokens, NEIGHBOUR))
        third = await client.post("/issues", json=issue_body(), headers=tokens.headers("zhao-lei", "resident"))

    assert (first.status_code, second.status_code, third.status_code) == (201, 201, 429)
    assert third.json()["scope"] == "address"
    assert 0 < int(third.headers["retry-after"]) <= 3600
    assert third.headers["content-type"] == "application/problem+json"


async def test_attributes_must_match_the_categorys_definition(intake_app: AppFactory, tokens: Tokens) -> None:
    async with intake_app() as client:
        unknown = await client.post(
            "/issues", json=issue_body(attributes={"colour": "red"}), headers=as_(tokens, RESIDENT)
        )
        bad_value = await client.post(
            "/issues",
            json=issue_body(category="repairs", attributes={"facility": "rocket"}),
            headers=as_(tokens, RESIDENT),
        )
        good = await client.post(
            "/issues",
            json=issue_body(category="repairs", attributes={"facility": "lift"}),
            headers=as_(tokens, RESIDENT),
        )

    assert unknown.status_code == 400
    assert bad_value.status_code == 400
    assert good.status_code == 201
    assert good.json()["attributes"] == {"facility": "lift"}


async def test_every_text_field_has_a_length_limit(intake_app: AppFactory, tokens: Tokens) -> None:
    too_long = {
        "title": "x" * 201,
        "description": "x" * 5001,
        "location": {"building": "x" * 51},
        "photos": ["https://x/" + "a" * 500],
        "contact": {"phone": "1" * 31},
    }
    async with intake_app() as client:
        for field, value in too_long.items():
            response = await client.post("/issues", json=issue_body(**{field: value}), headers=as_(tokens, RESIDENT))
            assert response.status_code == 422, field
        unknown = await client.post("/issues", json=issue_body(extra="x"), headers=as_(tokens, RESIDENT))
        listed = (await client.get("/issues", headers=as_(tokens, RESIDENT))).json()["items"]

    assert unknown.status_code == 422
    assert listed == []


async def test_an_oversized_body_is_refused_with_413(intake_app: AppFactory, tokens: Tokens) -> None:
    async with intake_app() as client:
        response = await client.post(
            "/issues",
            content=b"{" + b" " * 1_100_000 + b"}",
            headers={**as_(tokens, RESIDENT), "content-type": "application/json"},
        )
    assert response.status_code == 413
