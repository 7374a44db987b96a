"""A reporter's contact is whole only for the committees handling the matter and the reporter; the
roles that may know who reported (admin, council members, the district) see it masked, and
neighbours not at all. A phone number typed into a matter's text is masked for everyone else, on
the bus too. Open311 answers never carry a reporter's identity or contact."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest

from tests.intake.support import COMMITTEE, NEIGHBOUR, RESIDENT, as_, events_of, sql, stream_events, submit
from tests.support.infra import Tokens, eventually

ADMIN = ("admin", "admin", 1)
COUNCIL_MEMBER = ("huang-li", "council_member", 3)
DISTRICT = ("district-office", "district", 1)
CONTACT = {"phone": "13800000000", "email": "wang.fang@example.org"}
MASKED = {"phone": "138****0000", "email": "w***@example.org"}
TEXT = "楼道灯坏了，请打13700001111联系我"
KEY = "privacy-test-hotline-key-0001"


@pytest.mark.parametrize(
    ("who", "contact"),
    [
        (RESIDENT, CONTACT),
        (COMMITTEE, CONTACT),
        (ADMIN, MASKED),
        (COUNCIL_MEMBER, MASKED),
        (DISTRICT, MASKED),
        (NEIGHBOUR, None),
    ],
    ids=["reporter", "committee", "admin", "council_member", "district", "neighbour"],
)
async def test_each_role_sees_the_reporters_contact_whole_masked_or_not_at_all(
    client: httpx.AsyncClient, tokens: Tokens, who: tuple[str, str, int], contact: dict[str, str] | None
) -> None:
    issue = await submit(client, tokens, RESIDENT, contact=CONTACT)

    one = (await client.get(f"/issues/{issue['id']}", headers=as_(tokens, who))).json()
    listed = (await client.get("/issues", headers=as_(tokens, who))).json()["items"]

    assert one["contact"] == contact
    assert [i["contact"] for i in listed if i["id"] == issue["id"]] == [contact]


async def test_an_anonymous_reporters_contact_is_whole_for_the_committees_and_absent_for_the_rest(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    issue = await submit(client, tokens, RESIDENT, contact=CONTACT, anonymous=True)

    seen = {
        who[0]: (await client.get(f"/issues/{issue['id']}", headers=as_(tokens, who))).json()["contact"]
        for who in (COMMITTEE, ADMIN, COUNCIL_MEMBER, NEIGHBOUR)
    }

    assert seen == {COMMITTEE[0]: CONTACT, ADMIN[0]: None, COUNCIL_MEMBER[0]: None, NEIGHBOUR[0]: None}


async def test_a_phone_number_in_a_matters_text_is_masked_for_all_but_the_committees_and_reporter(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    issue = await submit(client, tokens, RESIDENT, title="灯坏了 13700001111", description=TEXT)
    await client.post(f"/issues/{issue['id']}/comments", json={"body": "或 13700001111"}, headers=as_(tokens, RESIDENT))

    for who, whole in ((RESIDENT, True), (COMMITTEE, True), (ADMIN, False), (NEIGHBOUR, False)):
        one = (await client.get(f"/issues/{issue['id']}", headers=as_(tokens, who))).json()
        comments = (await client.get(f"/issues/{issue['id']}/comments", headers=as_(tokens, who))).json()["items"]
        texts = (one["title"], one["description"], comments[0]["body"])
        if whole:
            assert all("13700001111" in t for t in texts), who
        else:
            assert all("137****1111" in t and "13700001111" not in t for t in texts), who


async def test_issue_events_carry_a_phone_number_typed_into_the_title_masked(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str, database_url: str
) -> None:
    issue = await submit(client, tokens, RESIDENT, title="灯坏了 请打 13700001111")

    async def relayed() -> bool:
        waiting = await sql(database_url).fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        return waiting == 0 and bool(await events_of(nats_url, issue["id"]))

    await eventually(relayed)

    events = [e for e in await stream_events(nats_url) if e["data"]["issue_id"] == issue["id"]]

    assert events
    assert all(e["data"]["title"] == "灯坏了 请打 137****1111" for e in events)
    assert all("13800000000" not in str(e) for e in events)


async def test_no_open311_answer_carries_a_reporters_identity_or_contact(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    created = await client.post(
        "/open311-keys",
        json={"name": "12345 hotline", "principal": "hotline-12345", "key": KEY},
        headers=tokens.headers("admin", "admin", "committee"),
    )
    assert created.status_code == 201, created.text
    posted = await client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": KEY,
            "service_code": "repairs",
            "address_string": "美湖小区12栋",
            "description": "路灯坏了 call 13900000000",
            "first_name": "Mingyue",
            "last_name": "Lianhua",
            "email": "mingyue.lianhua@example.org",
            "phone": "13900000000",
            "device_id": "device-7f3a91",
            "account_id": "account-55aa12",
        },
    )
    assert posted.status_code == 201, posted.text
    request_id, token = posted.json()[0]["service_request_id"], posted.json()[0]["token"]
    app_issue = await submit(client, tokens, RESIDENT, contact=CONTACT, description=TEXT)

    answers: list[str] = []
    for fmt in ("json", "xml"):
        for path in (
            f"/discovery.{fmt}",
            f"/services.{fmt}",
            f"/services/repairs.{fmt}",
            f"/requests.{fmt}",
            f"/requests/{request_id}.{fmt}",
            f"/requests/{app_issue['id']}.{fmt}",
            f"/tokens/{token}.{fmt}",
        ):
            for params in ({}, {"api_key": KEY}):
                response = await client.get(f"/open311/v2{path}", params=params)
                assert response.status_code < 500, (path, response.text)
                answers.append(response.text)
        ET.fromstring((await client.get("/open311/v2/requests.xml", params={"api_key": KEY})).content)

    everything = "\n".join(answers)
    for secret in (
        "13900000000",
        "13800000000",
        "13700001111",
        "Mingyue",
        "Lianhua",
        "example.org",
        "device-7f3a91",
        "account-55aa12",
        RESIDENT[0],
        "hotline-12345",
    ):
        assert secret not in everything, secret
    assert "139****0000" in everything
    assert "137****1111" in everything
