"""The development server of the web app: config.json, the development issuer and its refusal beside OIDC."""

from __future__ import annotations

from pathlib import Path

import httpx
import jwt
import pytest
from starlette.applications import Starlette

from contracts.demo import PEOPLE
from services.kernel.dev_issuer import ensure_key
from services.web.server import IssuerRefused, OidcClient, WebConfig, create


def _client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://web")


def _dist(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>app</title>")
    (dist / "assets" / "app.js").write_text("console.log(1)")
    return dist


async def test_development_config_people_and_tokens(tmp_path: Path) -> None:
    ensure_key(tmp_path)
    config = WebConfig(services={"intake": "http://127.0.0.1:8081"}, dist=_dist(tmp_path), dev_issuer_dir=tmp_path)
    async with _client(create(config, environ={})) as client:
        runtime = (await client.get("/config.json")).json()
        people = (await client.get("/dev/people")).json()
        answer = (await client.post("/dev/token", json={"person": "wang-fang"})).json()
        unknown = await client.post("/dev/token", json={"person": "nobody"})
    assert runtime["services"] == {"intake": "http://127.0.0.1:8081"}
    assert runtime["identity"] == {"mode": "development", "people_url": "/dev/people", "token_url": "/dev/token"}
    assert [p["id"] for p in people] == [p.id for p in PEOPLE]
    claims = jwt.decode(answer["access_token"], options={"verify_signature": False})
    assert (claims["sub"], claims["roles"], claims["building_group"]) == (
        "wang-fang",
        ["resident", "volunteer", "council_member"],
        3,
    )
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"


async def test_history_routes_fall_back_to_the_app_and_assets_are_immutable(tmp_path: Path) -> None:
    async with _client(create(WebConfig(services={}, dist=_dist(tmp_path)), environ={})) as client:
        assert "<title>app</title>" in (await client.get("/matters/123")).text
        assert "immutable" in (await client.get("/assets/app.js")).headers["cache-control"]
        assert (await client.get("/assets/missing.js")).status_code == 404
        assert (await client.get("/../pyproject.toml")).status_code == 404


async def test_without_the_issuer_there_are_no_dev_routes(tmp_path: Path) -> None:
    async with _client(create(WebConfig(services={}, dist=_dist(tmp_path)), environ={})) as client:
        assert (await client.get("/config.json")).json()["identity"] == {"mode": "oidc"}
        assert (await client.post("/dev/token", json={"person": "wang-fang"})).status_code == 405
        assert (await client.get("/dev/people")).text.startswith("<!doctype html>")  # only the app, no people


def test_the_issuer_refuses_to_start_beside_a_jwks_url(tmp_path: Path) -> None:
    config = WebConfig(services={}, dist=_dist(tmp_path), dev_issuer_dir=tmp_path)
    with pytest.raises(IssuerRefused, match="LINLI_JWKS_URL"):
        create(config, environ={"LINLI_JWKS_URL": "https://id.example.org/jwks"})


async def test_oidc_mode_names_the_provider_from_the_environment(tmp_path: Path) -> None:
    oidc = OidcClient.from_environ({"LINLI_OIDC_AUTHORITY": "https://id.example.org/realms/meihu"})
    assert OidcClient.from_environ({}) is None
    async with _client(create(WebConfig(services={}, dist=_dist(tmp_path), oidc=oidc), environ={})) as client:
        identity = (await client.get("/config.json")).json()["identity"]
        assert (await client.post("/dev/token", json={"person": "wang-fang"})).status_code == 405
    assert identity == {
        "mode": "oidc",
        "authority": "https://id.example.org/realms/meihu",
        "client_id": "linli-web",
        "scope": "openid profile",
    }


def test_the_issuer_refuses_to_start_beside_an_oidc_provider(tmp_path: Path) -> None:
    oidc = OidcClient(authority="https://id.example.org/realms/meihu", client_id="linli-web")
    with pytest.raises(IssuerRefused, match="LINLI_OIDC_AUTHORITY"):
        create(WebConfig(services={}, dist=_dist(tmp_path), dev_issuer_dir=tmp_path, oidc=oidc), environ={})
