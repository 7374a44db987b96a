"""The web app's development server: the built app, its runtime `config.json`, and the development issuer.

    GET  /config.json   each service's base URL and the identity mode (the same build runs anywhere)
    GET  /dev/people    the Meihu demo people and their roles   } only while the development issuer
    POST /dev/token     {"person": "wang-fang"} -> a signed token } is configured (never in production)
    GET  /...           the app; any path that is not a file is the app's index.html (history routing)

It refuses to start with the development issuer while LINLI_JWKS_URL is set: tokens then come from
the community's OpenID Connect provider, and a second issuer beside it would be a back door. Without the
development issuer the identity mode is `oidc`: config.json names the provider (authority, client_id,
scope) and the app signs in there with the authorization code and PKCE.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from contracts.demo import COMMUNITY, COMMUNITY_NAME, COMMUNITY_NAME_EN, PEOPLE
from services.kernel.dev_issuer import issue_token
from services.web.node import DIST

TOKEN_TTL_SECONDS = 12 * 3600


class IssuerRefused(RuntimeError):
    pass


@dataclass(frozen=True)
class OidcClient:
    """The app as a public client of the community's OpenID Connect provider (no secret: PKCE instead)."""

    authority: str
    """The issuer URL; its /.well-known/openid-configuration is read by the app."""
    client_id: str
    scope: str = "openid profile"

    @classmethod
    def from_environ(cls, environ: dict[str, str]) -> OidcClient | None:
        """LINLI_OIDC_AUTHORITY, LINLI_OIDC_CLIENT_ID (default linli-web), LINLI_OIDC_SCOPE; None without an authority."""
        authority = environ.get("LINLI_OIDC_AUTHORITY", "")
        if not authority:
            return None
        return cls(
            authority=authority,
            client_id=environ.get("LINLI_OIDC_CLIENT_ID") or "linli-web",
            scope=environ.get("LINLI_OIDC_SCOPE") or "openid profile",
        )


@dataclass(frozen=True)
class WebConfig:
    services: dict[str, str]
    """Each service's base URL as the browser reaches it."""
    dist: Path = DIST
    dev_issuer_dir: Path | None = None
    """The development issuer's key folder; None: no /dev/ routes (identity mode `oidc`)."""
    oidc: OidcClient | None = None
    """The provider the app signs in with when there is no development issuer (None: nobody can sign in)."""
    extra: dict[str, Any] = field(default_factory=dict)

    def runtime(self) -> dict[str, Any]:
        identity: dict[str, Any]
        if self.dev_issuer_dir is not None:
            identity = {"mode": "development", "people_url": "/dev/people", "token_url": "/dev/token"}
        elif self.oidc is not None:
            identity = {"mode": "oidc", **asdict(self.oidc)}
        else:
            identity = {"mode": "oidc"}
        return {
            "community": {"id": COMMUNITY, "name": {"zh-CN": COMMUNITY_NAME, "en": COMMUNITY_NAME_EN}},
            "services": self.services,
            "identity": identity,
            **self.extra,
        }


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )


def create(config: WebConfig, environ: dict[str, str] | None = None) -> Starlette:
    environ = dict(os.environ if environ is None else environ)
    if config.dev_issuer_dir is not None and environ.get("LINLI_JWKS_URL"):
        raise IssuerRefused(
            "LINLI_JWKS_URL is set, so tokens come from an OpenID Connect provider: "
            "the development issuer will not run beside it"
        )
    if config.dev_issuer_dir is not None and config.oidc is not None:
        raise IssuerRefused(
            "an OpenID Connect provider (LINLI_OIDC_AUTHORITY) and the development issuer are both configured: "
            "choose one"
        )
    runtime = config.runtime()
    dist = config.dist.resolve()

    async def config_json(_: Request) -> Response:
        return JSONResponse(runtime, headers={"Cache-Control": "no-store"})

    async def people(_: Request) -> Response:
        return JSONResponse(
            [{"id": p.id, "name": p.name, "roles": list(p.roles), "building_group": p.building_group} for p in PEOPLE]
        )

    async def token(request: Request) -> Response:
        assert config.dev_issuer_dir is not None
        try:
            body = await request.json()
        except ValueError:
            body = None
        person_id = body.get("person") if isinstance(body, dict) else None
        person = next((p for p in PEOPLE if p.id == person_id), None)
        if person is None:
            return _problem(404, "No such demo person", f"{person_id!r} is not one of the Meihu demo people.")
        access = issue_token(
            person.id,
            list(person.roles),
            name=person.name,
            community=COMMUNITY,
            building_group=person.building_group,
            ttl_seconds=TOKEN_TTL_SECONDS,
            run_dir=config.dev_issuer_dir,
        )
        return JSONResponse(
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": TOKEN_TTL_SECONDS,
                "person": {
                    "id": person.id,
                    "name": person.name,
                    "roles": list(person.roles),
                    "building_group": person.building_group,
                    "language": person.language,
                },
            },
            headers={"Cache-Control": "no-store"},
        )

    async def app_file(request: Request) -> Response:
        relative = request.path_params["path"]
        target = (dist / relative).resolve()
        if relative and target.is_file() and target.is_relative_to(dist):
            immutable = relative.startswith("assets/")
            return FileResponse(
                target, headers={"Cache-Control": "public, max-age=31536000, immutable" if immutable else "no-cache"}
            )
        if "." in relative.rsplit("/", 1)[-1]:  # a missing file, not a route of the app
            return _problem(404, "Not found", f"/{relative} is not part of the app.")
        index = dist / "index.html"
        if not index.exists():
            return _problem(503, "The app is not built", "Run `make web` (or `make run`, which builds it).")
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    routes = [Route("/config.json", config_json)]
    if config.dev_issuer_dir is not None:
        routes += [Route("/dev/people", people), Route("/dev/token", token, methods=["POST"])]
    routes.append(Route("/{path:path}", app_file))
    return Starlette(routes=routes)
