"""Production identity: tokens from an OpenID Connect provider, verified against its JWKS URL."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.kernel.probe import create
from tests.support.infra import running, settings_for

ISSUER = "https://sso.baohe.example.gov.cn/realms/meihu"


@pytest.fixture(scope="module")
def provider_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_url(provider_key: rsa.RSAPrivateKey) -> Iterator[str]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider_key.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "provider-1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/protocol/openid-connect/certs"
    server.shutdown()


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
