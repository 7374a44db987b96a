"""Production identity: tokens from an OpenID Connect provider, verified against its JWKS URL."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.kernel.probe import create
from tests.support.infra import eventually, running, settings_for

ISSUER = "https://sso.baohe.example.gov.cn/realms/meihu"


@pytest.fixture(scope="module")
def provider_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Provider:
    """The identity provider's JWKS endpoint: the keys it publishes, and how often it was asked."""

    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    fetches: int = 0
    url: str = ""

    def body(self) -> bytes:
        published = [
            {
                **json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())),
                "kid": kid,
                "use": "sig",
                "alg": "RS256",
            }
            for kid, key in self.keys.items()
        ]
        return json.dumps({"keys": published}).encode()


@pytest.fixture
def provider(provider_key: rsa.RSAPrivateKey) -> Iterator[Provider]:
    published = Provider({"provider-1": provider_key})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            published.fetches += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(published.body())

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    published.url = f"http://127.0.0.1:{server.server_port}/protocol/openid-connect/certs"
    yield published
    server.shutdown()


@pytest.fixture
def jwks_url(provider: Provider) -> str:
    return provider.url


def provider_token(key: rsa.RSAPrivateKey, kid: str = "provider-1") -> str:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    now = int(time.time())
    claims = {
        "sub": "u-1001",
        "name": "王芳",
        "community": "meihu",
        "roles": ["resident"],
        "iss": ISSUER,
        "aud": "linli",
        "iat": now,
        "exp": now + 300,
    }
    return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": kid})


async def test_a_token_signed_by_the_provider_is_verified_against_its_jwks(
    database_url: str, nats_url: str, run_dir: Path, jwks_url: str, provider_key: rsa.RSAPrivateKey
) -> None:
    app = create(settings_for(database_url, nats_url, run_dir, jwks_url=jwks_url, jwt_issuer=ISSUER))
    async with running(app) as client:
        accepted = await client.post(
            "/emit", json={"titles": ["x"]}, headers={"Authorization": f"Bearer {provider_token(provider_key)}"}
        )
        stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        refused = await client.post(
            "/emit", json={"titles": ["x"]}, headers={"Authorization": f"Bearer {provider_token(stranger)}"}
        )
    assert accepted.status_code == 202
    assert refused.status_code == 401


async def test_a_rotated_key_is_fetched_when_first_seen_but_made_up_key_ids_do_not_hammer_the_provider(
    database_url: str, nats_url: str, run_dir: Path, provider: Provider, provider_key: rsa.RSAPrivateKey
) -> None:
    settings = settings_for(
        database_url, nats_url, run_dir, jwks_url=provider.url, jwt_issuer=ISSUER, jwks_min_refresh_seconds=3.0
    )
    async with running(create(settings)) as client:

        async def emit(token: str) -> int:
            response = await client.post("/emit", json={"titles": ["x"]}, headers={"Authorization": f"Bearer {token}"})
            return response.status_code

        assert await emit(provider_token(provider_key)) == 202
        after_first = provider.fetches
        made_up = [await emit(provider_token(provider_key, kid=f"made-up-{i}")) for i in range(20)]
        after_made_up = provider.fetches
        rotated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        provider.keys["provider-2"] = rotated

        async def rotated_key_accepted() -> bool:
            return await emit(provider_token(rotated, kid="provider-2")) == 202

        await eventually(rotated_key_accepted, message="a token signed with the rotated key is accepted")

    assert after_first == 1
    assert made_up == [401] * 20
    assert after_made_up - after_first <= 1, "one refresh at most within jwks_min_refresh_seconds"
