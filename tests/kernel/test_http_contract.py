"""What every service answers the same way: identity, problem details, limits, operations endpoints."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from pathlib import Path

import jwt
import orjson
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from services.kernel.dev_issuer import AUDIENCE, ISSUER
from services.kernel.lean_lane import LeanLane
from tests.kernel.probe import create
from tests.support.infra import Tokens, eventually, running, settings_for


@pytest.fixture
def app(database_url: str, nats_url: str, run_dir: Path) -> FastAPI:
    return create(settings_for(database_url, nats_url, run_dir, max_body_bytes=4096))


# A FastAPI route and a lean route (services/kernel/lean.py) must answer alike.
ROUTES = ["/emit", "/emit-lean"]


def _claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": "mallory",
        "name": "Mallory",
        "community": "meihu",
        "roles": ["resident"],
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return claims


def _foreign_key_token() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return jwt.encode(_claims(), pem, algorithm="RS256")


def _alg_none_token() -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(_claims())}."


def _signed(run_dir: Path, **claims: object) -> str:
    """A token signed with the development key; a claim given as None is left out."""
    present = {name: value for name, value in _claims(**claims).items() if value is not None}
    return jwt.encode(present, (run_dir / "dev-jwt-private.pem").read_bytes(), algorithm="RS256")


def _hmac_with_public_key(run_dir: Path) -> str:
    """The algorithm-confusion attack: HS256 keyed with the (public) verification key's PEM bytes."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    signing_input = f"{part(orjson.dumps({'alg': 'HS256', 'typ': 'JWT'}))}.{part(orjson.dumps(_claims()))}"
    key = (run_dir / "dev-jwt-public.pem").read_bytes()
    return f"{signing_input}.{part(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())}"


@pytest.mark.parametrize(
    ("case", "authorization"),
    [
        ("missing", None),
        ("not bearer", "Basic YWxpY2U6c2VjcmV0"),
        ("garbage", "Bearer not-a-jwt"),
        ("alg none", "alg-none"),
        ("signed by another key", "foreign"),
        ("expired", "expired"),
        ("not yet valid", "not-yet"),
        ("wrong audience", "audience"),
        ("wrong issuer", "issuer"),
        ("HS256 signed with the public key", "hmac-confusion"),
        ("no expiry", "no-exp"),
        ("no community", "no-community"),
        ("no roles", "no-roles"),
    ],
)
@pytest.mark.parametrize("path", ROUTES)
async def test_requests_without_a_valid_token_get_401_problem_details(
    app: FastAPI, run_dir: Path, case: str, authorization: str | None, path: str
) -> None:
    tokens = {
        "alg-none": f"Bearer {_alg_none_token()}",
        "foreign": f"Bearer {_foreign_key_token()}",
        "expired": f"Bearer {_signed(run_dir, exp=int(time.time()) - 60)}",
        "not-yet": f"Bearer {_signed(run_dir, nbf=int(time.time()) + 600)}",
        "audience": f"Bearer {_signed(run_dir, aud='someone-else')}",
        "issuer": f"Bearer {_signed(run_dir, iss='https://evil.example.com')}",
        "hmac-confusion": f"Bearer {_hmac_with_public_key(run_dir)}",
        "no-exp": f"Bearer {_signed(run_dir, exp=None)}",
        "no-community": f"Bearer {_signed(run_dir, community=None)}",
        "no-roles": f"Bearer {_signed(run_dir, roles=None)}",
    }
    headers = {"Authorization": tokens.get(authorization or "", authorization or "")} if authorization else {}
    async with running(app) as client:
        response = await client.post(path, json={"titles": ["x"]}, headers=headers)
    assert response.status_code == 401, case
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401
    assert body["type"].endswith("/unauthorized")


@pytest.mark.parametrize("path", ROUTES)
async def test_a_valid_development_token_is_accepted(app: FastAPI, tokens: Tokens, path: str) -> None:
    async with running(app) as client:
        response = await client.post(path, json={"titles": ["x"]}, headers=tokens.headers("alice", "resident"))
    assert response.status_code == 202
    assert len(response.json()["event_ids"]) == 1


@pytest.mark.parametrize("path", ROUTES)
async def test_validation_errors_list_every_offending_field(app: FastAPI, tokens: Tokens, path: str) -> None:
    async with running(app) as client:
        response = await client.post(path, json={"titles": [""], "colour": "red"}, headers=tokens.headers("alice"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"body.titles.0", "body.colour"}, "unknown fields are rejected, not ignored"


@pytest.mark.parametrize("path", ROUTES)
async def test_an_oversized_body_gets_413_and_changes_nothing(
    app: FastAPI, tokens: Tokens, database_url: str, path: str
) -> None:
    from tests.kernel.helpers import probe_rows

    async with running(app) as client:
        response = await client.post(path, json={"titles": ["x" * 100] * 100}, headers=tokens.headers("alice"))
    assert response.status_code == 413
    assert response.json()["max_bytes"] == 4096
    assert await probe_rows(database_url, "SELECT * FROM outbox") == []


async def test_operations_endpoints_answer(app: FastAPI) -> None:
    async with running(app) as client:
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
        metrics = await client.get("/metrics")
        openapi = await client.get("/openapi.json")
        asyncapi = await client.get("/asyncapi.json")
    assert health.json()["status"] == "ok"
    assert ready.json()["status"] == "ready"
    assert "linli_outbox_backlog" in metrics.text
    assert "linli_consumer_pending" in metrics.text
    assert "linli_dead_letter_messages" in metrics.text
    assert "/emit" in openapi.json()["paths"]
    assert asyncapi.json()["asyncapi"] == "3.0.0"
    assert "receive_issue_submitted" in asyncapi.json()["operations"]


async def test_cors_allows_the_configured_front_end_origin(app: FastAPI) -> None:
    async with running(app) as client:
        response = await client.options(
            "/emit",
            headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST"},
        )
        refused = await client.options(
            "/emit", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        )
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "access-control-allow-origin" not in refused.headers


async def test_a_lean_route_refuses_a_caller_without_its_role_with_403(app: FastAPI, tokens: Tokens) -> None:
    async with running(app) as client:
        resident = await client.post("/emit-lean-committee", json={"titles": ["x"]}, headers=tokens.headers("alice"))
        committee = await client.post(
            "/emit-lean-committee", json={"titles": ["x"]}, headers=tokens.headers("bob", "committee")
        )
    assert resident.status_code == 403
    assert resident.headers["content-type"] == "application/problem+json"
    assert committee.status_code == 202


@pytest.mark.parametrize("path", ROUTES)
async def test_malformed_json_is_a_422_problem_naming_the_body(app: FastAPI, tokens: Tokens, path: str) -> None:
    headers = {**tokens.headers("alice"), "Content-Type": "application/json"}
    async with running(app) as client:
        response = await client.post(path, content=b'{"titles": [', headers=headers)
    assert response.status_code == 422
    assert [e["type"] for e in response.json()["errors"]] == ["json_invalid"]


async def test_a_lean_route_refuses_a_body_that_is_not_json(app: FastAPI, tokens: Tokens, database_url: str) -> None:
    from tests.kernel.helpers import probe_rows

    headers = {**tokens.headers("alice"), "Content-Type": "text/plain"}
    async with running(app) as client:
        response = await client.post("/emit-lean", content=b'{"titles": ["x"]}', headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"
    assert await probe_rows(database_url, "SELECT * FROM outbox") == []


async def test_a_lean_route_is_documented_like_any_other(app: FastAPI) -> None:
    async with running(app) as client:
        paths = (await client.get("/openapi.json")).json()["paths"]
    plain, lean = paths["/emit"]["post"], paths["/emit-lean"]["post"]
    assert lean["requestBody"] == plain["requestBody"]
    assert lean["responses"]["202"] == plain["responses"]["202"]
    assert "422" in lean["responses"]


@pytest.mark.parametrize("path", ROUTES)
async def test_a_refusal_is_the_same_problem_on_a_lean_route_and_a_plain_one(
    app: FastAPI, tokens: Tokens, path: str
) -> None:
    async with running(app) as client:
        response = await client.post(path, json={"titles": ["refuse"]}, headers=tokens.headers("alice"))

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("refused-title")
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ROUTES)
async def test_an_unexpected_error_is_a_500_problem_on_a_lean_route_and_a_plain_one(
    app: FastAPI, tokens: Tokens, path: str
) -> None:
    async with running(app, raise_app_exceptions=False) as client:
        response = await client.post(path, json={"titles": ["crash"]}, headers=tokens.headers("alice"))

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "crashed" not in response.text  # the internals stay in the log


async def test_lean_routes_are_served_by_the_lean_lane_past_the_router(app: FastAPI, tokens: Tokens) -> None:
    async with running(app) as client:
        answered = await client.post("/emit-lean", json={"titles": ["fast"]}, headers=tokens.headers("alice"))
        lane, layer = None, app.middleware_stack
        while layer is not None and lane is None:
            lane = layer if isinstance(layer, LeanLane) else None
            layer = getattr(layer, "app", None)

    assert answered.status_code == 202
    assert lane is not None
    assert lane._routes is not None
    assert {"/emit-lean", "/emit-lean-committee"} <= set(lane._routes)  # a FastAPI upgrade must not silently undo it
    assert "/emit" not in lane._routes


async def test_a_lean_routes_requests_are_counted_under_its_route(app: FastAPI, tokens: Tokens) -> None:
    async with running(app) as client:
        await client.post("/emit-lean", json={"titles": ["counted"]}, headers=tokens.headers("alice"))
        text = (await client.get("/metrics")).text

    counted = {
        tuple(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "linli_http_requests_total"
    }
    assert counted[(("method", "POST"), ("route", "/emit-lean"), ("service", "probe"), ("status", "202"))] >= 1


async def test_metrics_count_published_events_by_type_and_say_whether_the_service_is_ready(
    app: FastAPI, tokens: Tokens
) -> None:
    async with running(app) as client:
        emitted = await client.post("/emit", json={"titles": ["counted"]}, headers=tokens.headers("alice"))

        async def samples() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
            text = (await client.get("/metrics")).text
            found = {
                (sample.name, tuple(sorted(sample.labels.items()))): sample.value
                for family in text_string_to_metric_families(text)
                for sample in family.samples
            }
            published = (
                "linli_outbox_published_total",
                (("event_type", "linli.issue.submitted.v1"), ("service", "probe")),
            )
            return found if found.get(published, 0) >= 1 else {}

        found = await eventually(samples, message="the relay published the event")

    assert emitted.status_code == 202
    assert found[("linli_ready", (("service", "probe"),))] == 1


async def test_every_answer_carries_the_security_headers_and_the_docs_keep_their_own_policy(
    app: FastAPI, tokens: Tokens
) -> None:
    async with running(app) as client:
        answers = [
            await client.get("/healthz"),
            await client.post("/emit", json={"titles": ["x"]}),  # 401 problem
            await client.get("/nowhere"),  # 404 problem
            await client.post("/emit", json={"titles": ["x"]}, headers=tokens.headers("alice", "resident")),
        ]
        docs = await client.get("/docs")

    for answer in answers:
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert "script-src" not in answer.headers["content-security-policy"]
    assert docs.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in docs.headers


async def test_status_gives_an_admin_the_figures_of_metrics_as_json_and_refuses_others(
    app: FastAPI, tokens: Tokens
) -> None:
    async with running(app) as client:
        status = await client.get("/status", headers=tokens.headers("ops", "admin"))
        resident = await client.get("/status", headers=tokens.headers("alice", "resident"))
        anonymous = await client.get("/status")

    assert status.status_code == 200, status.text
    figures = status.json()
    assert (figures["ready"], figures["database"], figures["nats"]) == (True, True, True)
    assert figures["outbox_backlog"] == 0
    assert figures["dead_letters"] == 0
    assert figures["consumers"], "the probe's consumers, each with its lag"
    assert all(c["pending"] >= 0 and c["ack_pending"] >= 0 for c in figures["consumers"])
    assert (resident.status_code, anonymous.status_code) == (403, 401)


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize(
    "body", [b'{"titles": ["a\\u0000b"]}', b'{"titles": ["\\ud800"]}', b'{"titles": ["\xed\xa0\x80"]}']
)
async def test_text_no_database_can_keep_is_a_422_problem_and_changes_nothing(
    app: FastAPI, tokens: Tokens, database_url: str, path: str, body: bytes
) -> None:
    from tests.kernel.helpers import probe_rows

    headers = {**tokens.headers("alice"), "Content-Type": "application/json"}
    async with running(app) as client:
        response = await client.post(path, content=body, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["type"] == "unstorable_text"
    assert await probe_rows(database_url, "SELECT * FROM outbox") == []


async def test_every_route_documents_its_problem_answers(app: FastAPI) -> None:
    async with running(app) as client:
        spec = (await client.get("/openapi.json")).json()
    responses = spec["paths"]["/emit"]["post"]["responses"]
    for status in ("400", "401", "403", "404", "409", "413", "422", "429", "503"):
        assert list(responses[status]["content"]) == ["application/problem+json"], status
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert "422" not in spec["paths"]["/healthz"]["get"]["responses"]
