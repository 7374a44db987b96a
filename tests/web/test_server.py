"""The development server of the web app: config.json, the development issuer and its refusal beside OIDC."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest
from starlette.testclient import TestClient

from contracts.demo import PEOPLE
from services.kernel.dev_issuer import ensure_key
from services.web.server import IssuerRefused, WebConfig, create


def _dist(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>app</title>")
    (dist / "assets" / "app.js").write_text("console.log(1)")
    return dist


def test_development_config_people_and_tokens(tmp_path: Path) -> None:
    ensure_key(tmp_path)
    config = WebConfig(services={"intake": "http://127.0.0.1:8081"}, dist=_dist(tmp_path), dev_issuer_dir=tmp_path)
    client = TestClient(create(config, environ={}))

    runtime = client.get("/config.json").json()
    assert runtime["services"] == {"intake": "http://127.0.0.1:8081"}
    assert runtime["identity"] == {"mode": "development", "people_url": "/dev/people", "token_url": "/dev/token"}
    assert [p["id"] for p in client.get("/dev/people").json()] == [p.id for p in PEOPLE]

    answer = client.post("/dev/token", json={"person": "wang-fang"}).json()
    claims = jwt.decode(answer["access_token"], options={"verify_signature": False})
    assert (claims["sub"], claims["roles"], claims["building_group"]) == (
        "wang-fang",
        ["resident", "volunteer", "council_member"],
        3,
    )
    unknown = client.post("/dev/token", json={"person": "nobody"})
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"


def test_history_routes_fall_back_to_the_app_and_assets_are_immutable(tmp_path: Path) -> None:
    client = TestClient(create(WebConfig(services={}, dist=_dist(tmp_path)), environ={}))
    assert "<title>app</title>" in client.get("/matters/123").text
    assert "immutable" in client.get("/assets/app.js").headers["cache-control"]
    assert client.get("/assets/missing.js").status_code == 404


def test_without_the_issuer_there_are_no_dev_routes(tmp_path: Path) -> None:
    client = TestClient(create(WebConfig(services={}, dist=_dist(tmp_path)), environ={}))
    assert client.get("/config.json").json()["identity"] == {"mode": "oidc"}
    assert client.post("/dev/token", json={"person": "wang-fang"}).status_code == 405
    assert client.get("/dev/people").text.startswith("<!doctype html>")  # only the app, no people


def test_the_issuer_refuses_to_start_beside_a_jwks_url(tmp_path: Path) -> None:
    config = WebConfig(services={}, dist=_dist(tmp_path), dev_issuer_dir=tmp_path)
    with pytest.raises(IssuerRefused, match="LINLI_JWKS_URL"):
        create(config, environ={"LINLI_JWKS_URL": "https://id.example.org/jwks"})
