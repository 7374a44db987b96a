"""Open311 GeoReport v2 in JSON and XML: every field the spec requires, its filters and its error format."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.intake.conftest import AppFactory
from tests.intake.support import COMMITTEE, act, as_
from tests.support.infra import Tokens

KEY = "hotline-12345-test-key-0123456789"
BASE = "/open311/v2"
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip


async def with_key(client: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await client.post(
        "/open311-keys",
        json={"name": "12345 hotline", "principal": "hotline-12345", "key": KEY},
        headers=tokens.headers("admin", "admin", "committee"),
    )
    assert response.status_code == 201, response.text


def form(**overrides: str) -> dict[str, str]:
    values = {
        "api_key": KEY,
        "service_code": "repairs",
        "lat": "31.8206",
        "long": "117.2272",
        "address_string": "美湖小区12栋3单元",
        "description": "楼道灯坏了一周\nThe corridor light is broken",
        "first_name": "Ming",
        "last_name": "Li",
        "phone": "13900000000",
        "attribute[facility]": "light",
        "media_url": "https://img.example.org/light.jpg",
    }
    values.update(overrides)
    return values


def xml_items(body: bytes, item: str) -> list[dict[str, str | None]]:
    root = ET.fromstring(body)
    return [{child.tag: child.text for child in element} for element in root.iter(item)]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_discovery_and_services_answer_with_every_required_field(client: httpx.AsyncClient, fmt: str) -> None:
    discovery = await client.get(f"{BASE}/discovery.{fmt}")
    services = await client.get(f"{BASE}/services.{fmt}")
    definition = await client.get(f"{BASE}/services/repairs.{fmt}")

    assert discovery.status_code == services.status_code == definition.status_code == 200
    if fmt == "json":
        assert discovery.json()["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
        listed = services.json()
        attributes = definition.json()["attributes"]
        assert definition.json()["service_code"] == "repairs"
    else:
        assert services.headers["content-type"].startswith("text/xml")
        assert services.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        root = ET.fromstring(discovery.content)
        assert root.tag == "discovery"
        assert root.find("endpoints/endpoint/formats/format") is not None
        listed = xml_items(services.content, "service")
        assert ET.fromstring(definition.content).findtext("service_code") == "repairs"
        attributes = xml_items(definition.content, "attribute")
    assert len(listed) == 11
    assert all(set(s) >= SERVICE_FIELDS for s in listed)
    repairs = next(s for s in listed if s["service_code"] == "repairs")
    assert repairs["metadata"] in (True, "true")
    assert repairs["type"] == "realtime"
    assert {"variable", "code", "datatype", "required", "datatype_description", "order", "description"} <= set(
        attributes[0]
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_errors_use_the_specs_format(client: httpx.AsyncClient, tokens: Tokens, fmt: str) -> None:
    await with_key(client, tokens)
    unknown = await client.get(f"{BASE}/services/potholes.{fmt}")
    no_key = await client.post(f"{BASE}/requests.{fmt}", data=form(api_key=""))
    bad_key = await client.post(f"{BASE}/requests.{fmt}", data=form(api_key="wrong-key-wrong-key-wrong"))
    no_location = await client.post(f"{BASE}/requests.{fmt}", data={**form(lat="", long="", address_string="")})
    bad_attribute = await client.post(f"{BASE}/requests.{fmt}", data=form(**{"attribute[facility]": "rocket"}))

    for response, code in ((unknown, 404), (no_key, 403), (bad_key, 403), (no_location, 400), (bad_attribute, 400)):
        assert response.status_code == code
        if fmt == "json":
            errors = response.json()
            assert errors[0]["code"] == code
            assert errors[0]["description"]
        else:
            errors = xml_items(response.content, "error")
            assert errors[0]["code"] == str(code)
            assert errors[0]["description"]
    listed = await client.get(f"{BASE}/requests.json", params={"api_key": KEY})
    assert listed.json() == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_hotline_files_a_request_and_follows_it_to_closed(
    client: httpx.AsyncClient, tokens: Tokens, fmt: str
) -> None:
    await with_key(client, tokens)

    filed = await client.post(f"{BASE}/requests.{fmt}", data=form())

    assert filed.status_code == 201, filed.text
    created = filed.json()[0] if fmt == "json" else xml_items(filed.content, "request")[0]
    request_id, token = created["service_request_id"], created["token"]
    assert request_id
    assert token
    assert "service_notice" in created
    by_token = await client.get(f"{BASE}/tokens/{token}.{fmt}", params={"api_key": KEY})
    one = await client.get(f"{BASE}/requests/{request_id}.{fmt}", params={"api_key": KEY})
    if fmt == "json":
        assert by_token.json() == [{"service_request_id": request_id, "token": token}]
        request = one.json()[0]
    else:
        assert xml_items(by_token.content, "request") == [{"service_request_id": request_id, "token": token}]
        request = xml_items(one.content, "request")[0]
    assert set(request) >= REQUEST_FIELDS
    assert request["status"] == "open"
    assert request["service_code"] == "repairs"
    assert request["address"] == "美湖小区12栋3单元"
    assert request["media_url"] == "https://img.example.org/light.jpg"

    seen = (await client.get(f"/issues/{request_id}", headers=as_(tokens, COMMITTEE))).json()
    assert seen["channel"] == "open311"
    assert seen["reporter_id"] == "hotline-12345"
    assert seen["contact"]["phone"] == "13900000000"
    assert seen["attributes"] == {"facility": "light"}
    await act(client, tokens, request_id, "review", {"decision": "accept"})
    await act(client, tokens, request_id, "start")
    await act(client, tokens, request_id, "resolve", {"summary": "已更换灯泡", "contributors": ["liu-yang"]})
    after = await client.get(f"{BASE}/requests/{request_id}.json", params={"api_key": KEY})
    assert after.json()[0]["status"] == "closed"
    assert after.json()[0]["status_notes"] == "已更换灯泡"


async def test_request_list_filters_by_status_code_dates_and_ids(client: httpx.AsyncClient, tokens: Tokens) -> None:
    await with_key(client, tokens)
    light = (await client.post(f"{BASE}/requests.json", data=form())).json()[0]["service_request_id"]
    noise = (
        await client.post(f"{BASE}/requests.json", data=form(service_code="noise", **{"attribute[facility]": ""}))
    ).status_code
    assert noise == 400  # an attribute the noise service does not define
    noise_id = (
        await client.post(
            f"{BASE}/requests.json",
            data={k: v for k, v in form(service_code="noise").items() if not k.startswith("attribute")},
        )
    ).json()[0]["service_request_id"]
    await act(client, tokens, noise_id, "review", {"decision": "reject", "note": "非本社区事项"})

    async def ids(**params: str) -> list[str]:
        response = await client.get(f"{BASE}/requests.json", params={"api_key": KEY, **params})
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert set(await ids()) == {light, noise_id}
    assert await ids(status="open") == [light]
    assert await ids(status="closed") == [noise_id]
    assert await ids(service_code="noise") == [noise_id]
    assert await ids(start_date=tomorrow) == []
    assert set(await ids(service_request_id=f"{light},{noise_id}", status="open")) == {light, noise_id}
    refused = await client.get(f"{BASE}/requests.json", params={"api_key": KEY, "start_date": "yesterday"})
    assert refused.status_code == 400
    assert (await client.get(f"{BASE}/requests.json")).status_code == 403


async def test_admins_edit_categories_and_the_service_definition_follows(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    admin = tokens.headers("admin", "admin", "committee")
    body = {
        "name_zh": "噪音扰民",
        "name_en": "Noise nuisance",
        "attributes": [
            {"code": "hour", "datatype": "string", "required": True, "description": "几点 / When", "order": 1}
        ],
    }
    edited = await client.put("/categories/noise", json=body, headers=admin)
    by_resident = await client.put("/categories/noise", json=body, headers=as_(tokens, COMMITTEE))
    definition = await client.get(f"{BASE}/services/noise.json")
    services = await client.get(f"{BASE}/services.json", headers={"Accept-Language": "en"})

    assert edited.status_code == 200
    assert edited.json()["customised"]
    assert by_resident.status_code == 403
    assert definition.json()["attributes"][0]["code"] == "hour"
    assert {s["service_code"]: s["service_name"] for s in services.json()}["noise"] == "Noise nuisance"
    await with_key(client, tokens)
    missing = await client.post(
        f"{BASE}/requests.json",
        data={k: v for k, v in form(service_code="noise").items() if not k.startswith("attribute")},
    )
    assert missing.status_code == 400
    assert "hour" in missing.json()[0]["description"]


async def test_the_hotline_is_limited_per_resident_it_files_for(intake_app: AppFactory, tokens: Tokens) -> None:
    async with intake_app(intake_person_rate="2/hour", intake_address_rate="2/hour") as client:
        await with_key(client, tokens)
        same = [(await client.post(f"{BASE}/requests.xml", data=form())).status_code for _ in range(3)]
        other = await client.post(f"{BASE}/requests.xml", data=form(phone="13700000000"))
        limited = await client.post(f"{BASE}/requests.json", data=form())

    assert same == [201, 201, 429]
    assert other.status_code == 201
    assert limited.json()[0]["code"] == 429


async def test_the_eleven_default_categories_carry_the_contracts_labels(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    from contracts.enums import IssueCategory

    listed = (await client.get("/categories", headers=as_(tokens, COMMITTEE))).json()

    assert [c["code"] for c in listed] == [c.value for c in IssueCategory]
    for category in listed:
        labels = IssueCategory(category["code"]).labels()
        assert (category["name_zh"], category["name_en"]) == (labels["zh-CN"], labels["en"])
        assert not category["customised"]
