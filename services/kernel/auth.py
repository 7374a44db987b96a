"""Identity: one bearer-JWT check for every service.

Linli keeps no passwords. In production tokens come from the community's OpenID Connect
provider and are verified against its JWKS URL; locally a development issuer signs them
with an RSA key it keeps in `.run/` (see dev_issuer.py). Only RS256/ES256 are accepted,
so `alg: none` and HMAC-confusion tokens are refused.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import jwt
from fastapi import Request

from contracts.enums import Role
from services.kernel.identity import Principal
from services.kernel.problems import Unauthorized
from services.kernel.settings import ServiceSettings

ALGORITHMS = ["RS256", "ES256"]
CACHE_SECONDS = 60.0
CACHE_SIZE = 10_000


class TokenVerifier:
    def __init__(self, settings: ServiceSettings) -> None:
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self._jwks = jwt.PyJWKClient(settings.jwks_url, cache_jwk_set=False) if settings.jwks_url else None
        self._jwks_min_refresh = settings.jwks_min_refresh_seconds
        self._provider_keys: dict[str, Any] = {}
        self._jwks_fetched_at = -math.inf
        self._key_file: Path | None = settings.jwt_public_key_file
        self._key: Any = None
        self._verified: dict[str, tuple[float, Principal, float]] = {}

    def _signing_key(self, token: str) -> Any:
        if self._jwks is not None:
            return self._provider_key(self._jwks, token)
        if self._key is None:
            if self._key_file is None or not self._key_file.exists():
                raise Unauthorized("No key to verify tokens is configured.")
            self._key = self._key_file.read_bytes()
        return self._key

    def _provider_key(self, jwks: jwt.PyJWKClient, token: str) -> Any:
        """The provider's key the token names by `kid`: the JWKS is fetched again for a key id not seen
        yet (the provider rotated its keys), but at most once per jwks_min_refresh_seconds."""
        try:
            kid = str(jwt.get_unverified_header(token).get("kid"))
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"The token is not valid: {exc}.") from exc
        key = self._provider_keys.get(kid)
        if key is None and time.monotonic() - self._jwks_fetched_at >= self._jwks_min_refresh:
            self._jwks_fetched_at = time.monotonic()
            try:
                keys = jwks.get_signing_keys(refresh=True)
            except jwt.PyJWKClientError as exc:
                raise Unauthorized(f"The identity provider's keys cannot be read: {exc}.") from exc
            self._provider_keys = {str(k.key_id): k.key for k in keys}
            key = self._provider_keys.get(kid)
        if key is None:
            raise Unauthorized("The token is signed with a key the identity provider does not publish.")
        return key

    def verify(self, token: str) -> Principal:
        """The caller a token names, verified once per token per minute at most.

        A phone sends the same token with every request; checking its RSA signature each time
        is most of the cost of authentication. A verified token is remembered until its expiry,
        and at most CACHE_SECONDS (so a key withdrawn from the JWKS stops working within that)."""
        now = time.monotonic()
        cached = self._verified.get(token)
        if cached is not None and cached[0] > now and cached[2] > time.time():
            return cached[1]
        principal, expires_at = self._verify(token)
        if len(self._verified) >= CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = (now + CACHE_SECONDS, principal, expires_at)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            claims = jwt.decode(
                token,
                self._signing_key(token),
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The token has expired.") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"The token is not valid: {exc}.") from exc
        roles = claims.get("roles")
        community = claims.get("community")
        if not isinstance(roles, list) or not isinstance(community, str):
            raise Unauthorized("The token lacks the roles or community claim.")
        group = claims.get("building_group")
        principal = Principal(
            sub=str(claims["sub"]),
            name=str(claims.get("name", claims["sub"])),
            community=community,
            roles=frozenset(str(r) for r in roles),
            building_group=int(group) if group is not None else None,
        )
        return principal, float(claims["exp"])


def authenticate(request: Request) -> Principal:
    """The verified caller of a request, or 401 problem details (the one token check of every route)."""
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("A bearer token is required.")
    verifier: TokenVerifier = request.app.state.verifier
    return verifier.verify(token.strip())


async def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the verified caller, or 401 problem details."""
    return authenticate(request)


def require_roles(*roles: Role | str) -> Callable[[Request], Coroutine[Any, Any, Principal]]:
    """FastAPI dependency factory: the caller, who must hold one of `roles` (403 otherwise)."""

    async def dependency(request: Request) -> Principal:
        principal = await current_principal(request)
        principal.require(*roles)
        return principal

    return dependency


__all__ = ["Principal", "TokenVerifier", "authenticate", "current_principal", "require_roles"]
