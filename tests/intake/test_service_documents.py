"""The service describes itself: OpenAPI with every route, AsyncAPI with the events it consumes."""

from __future__ import annotations

import httpx

from tests.intake.support import RESIDENT, as_, submit
from tests.support.infra import Tokens


async def test_openapi_and_asyncapi_documents_list_the_routes_and_channels(client: httpx.AsyncClient) -> None:
    openapi = await client.get("/openapi.json")
    asyncapi = await client.get("/asyncapi.json")

    assert openapi.status_code == 200
    assert asyncapi.status_code == 200
    paths = openapi.json()["paths"]
    for path in ("/issues", "/issues/{issue_id}/review", "/review-queue", "/open311/v2/requests.{fmt}"):
        assert path in paths
    text = asyncapi.text
    for event in ("decision.adopted", "decision.rejected", "suggestion.forwarded", "issue.closed"):
        assert event in text


async def test_the_district_reads_a_communitys_issues_but_cannot_change_them(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    issue = await submit(client, tokens, RESIDENT)
    district = tokens.headers("district-officer", "district", community="baohe")

    listed = await client.get("/issues", params={"community": "meihu"}, headers=district)
    review = await client.post(f"/issues/{issue['id']}/review", json={"decision": "accept"}, headers=district)
    elsewhere = await client.get("/issues", params={"community": "baohe"}, headers=as_(tokens, RESIDENT))

    assert [i["id"] for i in listed.json()["items"]] == [issue["id"]]
    assert listed.json()["items"][0]["contact"] == {
        "phone": "138****0000"
    }  # masked: the district may know who, not how to call
    assert review.status_code == 403
    assert elsewhere.status_code == 404
