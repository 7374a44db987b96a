"""A small OpenID provider for the tests: what the app and the services need of the community's real one.

    GET  /.well-known/openid-configuration   discovery (code flow, S256 PKCE, an end_session_endpoint)
    GET  /jwks                               the RSA key the tokens are signed with (RS256)
    GET  /authorize                          signs `person` in at once (no login form) and redirects back with a code
    POST /token                              authorization_code (the PKCE code_verifier must match the
                                             code_challenge) and refresh_token grants
    GET  /logout                             ends the session and redirects to post_logout_redirect_uri

The access token carries the Linli claims (sub, name, community, roles, building_group), issuer `issuer`,
audience `linli`, as a real provider's protocol mappers would put them there.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from contracts.demo import COMMUNITY, PEOPLE
from services.stack.ports import any_free
from tests.support.infra import eventually

AUDIENCE = "linli"
CLIENT_ID = "linli-web"
KID = "test-provider-1"


def s256(verifier: str) -> str:
    """RFC 7636's S256 code_challenge of a code_verifier."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")


@dataclass
class Grant:
    person: str
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None


@dataclass
class FakeProvider:
    port: int = field(default_factory=any_free)
    person: str = "sun-hao"
    """Who /authorize signs in (the test chooses)."""
    access_ttl: int = 65
    """Short, so the app's silent renew (a minute before expiry) comes within seconds."""
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    codes: dict[str, Grant] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)
    token_requests: list[str] = field(default_factory=list)
    """The grant_type of each token request answered with tokens."""
    sessions_ended: int = 0

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/jwks"

    def access_token(self, person_id: str) -> str:
        person = next(p for p in PEOPLE if p.id == person_id)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + self.access_ttl,
            "sub": person.id,
            "name": person.name,
            "community": COMMUNITY,
            "roles": list(person.roles),
            "building_group": person.building_group,
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})

    def id_token(self, grant: Grant) -> str:
        person = next(p for p in PEOPLE if p.id == grant.person)
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 600,
            "sub": person.id,
            "name": person.name,
            "community": COMMUNITY,
            "roles": list(person.roles),
            "building_group": person.building_group,
        }
        if grant.nonce:
            claims["nonce"] = grant.nonce
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})

    def app(self) -> Starlette:
        async def discovery(_: Request) -> Response:
            return JSONResponse(
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": f"{self.issuer}/authorize",
                    "token_endpoint": f"{self.issuer}/token",
                    "jwks_uri": self.jwks_url,
                    "end_session_endpoint": f"{self.issuer}/logout",
                    "response_types_supported": ["code"],
                    "grant_types_supported": ["authorization_code", "refresh_token"],
                    "code_challenge_methods_supported": ["S256"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["none"],
                }
            )

        async def jwks(_: Request) -> Response:
            public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
            return JSONResponse({"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]})

        async def authorize(request: Request) -> Response:
            q = request.query_params
            if (
                q.get("response_type") != "code"
                or q.get("code_challenge_method") != "S256"
                or not q.get("code_challenge")
            ):
                return JSONResponse({"error": "invalid_request", "error_description": "code + S256 PKCE only"}, 400)
            if q.get("client_id") != CLIENT_ID or not q.get("redirect_uri"):
                return JSONResponse({"error": "unauthorized_client"}, 400)
            code = secrets.token_urlsafe(16)
            self.codes[code] = Grant(self.person, CLIENT_ID, q["redirect_uri"], q["code_challenge"], q.get("nonce"))
            query = {"code": code, "state": q.get("state", ""), "iss": self.issuer}
            return RedirectResponse(f"{q['redirect_uri']}?{urlencode(query)}", status_code=302)

        def tokens(grant: Grant, kind: str) -> Response:
            refresh = secrets.token_urlsafe(24)
            self.refresh_tokens[refresh] = grant.person
            self.token_requests.append(kind)
            body: dict[str, Any] = {
                "access_token": self.access_token(grant.person),
                "token_type": "Bearer",
                "expires_in": self.access_ttl,
                "refresh_token": refresh,
                "scope": "openid profile",
            }
            if kind == "authorization_code":
                body["id_token"] = self.id_token(grant)
            return JSONResponse(body, headers={"Cache-Control": "no-store"})

        async def token(request: Request) -> Response:
            form = await request.form()
            kind = form.get("grant_type")
            if kind == "authorization_code":
                grant = self.codes.pop(str(form.get("code", "")), None)  # a code is good once
                if (
                    grant is None
                    or form.get("redirect_uri") != grant.redirect_uri
                    or form.get("client_id") != CLIENT_ID
                ):
                    return JSONResponse({"error": "invalid_grant"}, 400)
                if s256(str(form.get("code_verifier", ""))) != grant.challenge:
                    return JSONResponse(
                        {"error": "invalid_grant", "error_description": "PKCE verification failed"}, 400
                    )
                return tokens(grant, "authorization_code")
            if kind == "refresh_token":
                person = self.refresh_tokens.pop(str(form.get("refresh_token", "")), None)  # rotated
                if person is None:
                    return JSONResponse({"error": "invalid_grant"}, 400)
                return tokens(Grant(person, CLIENT_ID, "", "", None), "refresh_token")
            return JSONResponse({"error": "unsupported_grant_type"}, 400)

        async def logout(request: Request) -> Response:
            self.sessions_ended += 1
            back = request.query_params.get("post_logout_redirect_uri")
            if not back:
                return Response("signed out", media_type="text/plain")
            state = request.query_params.get("state")
            return RedirectResponse(f"{back}?{urlencode({'state': state})}" if state else back, status_code=302)

        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", discovery),
                Route("/jwks", jwks),
                Route("/authorize", authorize),
                Route("/token", token, methods=["POST"]),
                Route("/logout", logout),
            ],
            middleware=[
                Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"], allow_headers=["*"])
            ],
        )


class RunningProvider:
    """The provider under uvicorn in a thread of the test process, on its own loopback port."""

    def __init__(self, provider: FakeProvider) -> None:
        self.provider = provider
        self.server = uvicorn.Server(
            uvicorn.Config(provider.app(), host="127.0.0.1", port=provider.port, log_level="warning", lifespan="off")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    async def __aenter__(self) -> FakeProvider:
        self.thread.start()
        await eventually(lambda: self.server.started, timeout=10, message="the provider listens")
        return self.provider

    async def __aexit__(self, *_: object) -> None:
        self.server.should_exit = True
        await asyncio.to_thread(self.thread.join, 10)
