"""OpenAPI links declared by method and path are written on the source's answers, and refused when they do not fit."""

from __future__ import annotations

from typing import Any

import pytest

from services.kernel.links import ID, InvalidLink, Links, document_links, from_answer
from services.web.openapi import SERVICES, document


def _spec() -> dict[str, Any]:
    path_id = [{"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    return {
        "paths": {
            "/things": {
                "post": {"operationId": "make", "responses": {"201": {"description": "made"}, "409": {}}},
                "get": {"operationId": "list", "responses": {"200": {"description": "a list"}}},
            },
            "/things/{thing_id}": {
                "get": {"operationId": "read", "summary": "One thing", "parameters": path_id, "responses": {}},
            },
            "/things/{thing_id}/again": {
                "post": {"operationId": "again", "parameters": path_id, "responses": {"200": {}, "201": {}}},
            },
        }
    }


def test_a_link_is_written_on_every_success_of_its_source_and_names_its_target_by_operation_id() -> None:
    spec = document_links(_spec(), [from_answer("POST /things", {"thing_id": ID}, "GET /things/{thing_id}")])

    responses = spec["paths"]["/things"]["post"]["responses"]
    assert responses["201"]["links"] == {
        "get-things-thing_id": {
            "operationId": "read",
            "parameters": {"thing_id": "$response.body#/id"},
            "description": "One thing",
        }
    }
    assert "links" not in responses["409"]


def test_a_source_with_two_successes_carries_the_link_on_both() -> None:
    spec = document_links(
        _spec(),
        [
            from_answer(
                "POST /things/{thing_id}/again", {"thing_id": "$request.path.thing_id"}, "GET /things/{thing_id}"
            )
        ],
    )

    responses = spec["paths"]["/things/{thing_id}/again"]["post"]["responses"]
    assert set(responses["200"]["links"]) == set(responses["201"]["links"]) == {"get-things-thing_id"}


@pytest.mark.parametrize(
    "link",
    [
        from_answer("POST /nothing", {"thing_id": ID}, "GET /things/{thing_id}"),
        from_answer("POST /things", {"thing_id": ID}, "DELETE /things/{thing_id}"),
        from_answer("POST /things", {"other_id": ID}, "GET /things/{thing_id}"),
        Links("POST /things", ["GET /things/{thing_id}"], body={"name": ID}),
        Links("POST /things", ["GET /things/{thing_id}"], parameters={"thing_id": ID}, status="204"),
    ],
    ids=["unknown source", "unknown target", "unknown parameter", "target without body", "undeclared status"],
)
def test_a_link_that_does_not_fit_the_document_is_refused(link: Links) -> None:
    with pytest.raises(InvalidLink):
        document_links(_spec(), [link])


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_declares_links_from_its_creates(service: str) -> None:
    spec = document(service)

    links = [
        name
        for item in spec["paths"].values()
        for operation in item.values()
        for response in operation.get("responses", {}).values()
        for name in response.get("links", {})
    ]
    assert len(links) >= 8
