"""`python -m services.web`: serve the built app (what `make run` starts on 8080).

LINLI_HTTP_PORT (8080), LINLI_WEB_SERVICES (JSON: service -> base URL), LINLI_WEB_DIST (web/dist),
LINLI_DEV_ISSUER_DIR (the development key's folder; empty: no development issuer, identity mode `oidc`),
LINLI_OIDC_AUTHORITY, LINLI_OIDC_CLIENT_ID (linli-web), LINLI_OIDC_SCOPE ("openid profile"): the
community's OpenID Connect provider the app signs in with when there is no development issuer.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import uvicorn

from services.web.node import DIST
from services.web.server import IssuerRefused, OidcClient, WebConfig, create


def main() -> int:
    issuer = os.environ.get("LINLI_DEV_ISSUER_DIR", "")
    config = WebConfig(
        services=json.loads(os.environ.get("LINLI_WEB_SERVICES", "{}")),
        dist=Path(os.environ.get("LINLI_WEB_DIST", str(DIST))),
        dev_issuer_dir=Path(issuer) if issuer else None,
        oidc=OidcClient.from_environ(dict(os.environ)),
    )
    try:
        app = create(config)
    except IssuerRefused as refused:
        print(f"web: {refused}", file=sys.stderr)
        return 2
    port = int(os.environ.get("LINLI_HTTP_PORT", "8080"))
    uvicorn.run(app, host=os.environ.get("LINLI_WEB_HOST", "127.0.0.1"), port=port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
