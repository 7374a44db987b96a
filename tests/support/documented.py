"""Whether an answer is one the service's OpenAPI document declares: its status, media type and schema."""

from __future__ import annotations

from functools import cache
from typing import Any

import httpx
import schemathesis

from services.web.openapi import document


@cache
def _document(service: str) -> dict[str, Any]:
    return document(service)


@cache
def _schema(service: str) -> Any:
    return schemathesis.openapi.from_dict(_document(service))


def assert_documented(service: str, path: str, response: httpx.Response) -> None:
    """Fails unless `response`'s status is declared for its operation at `path` and its body fits that answer."""
    method = response.request.method
    declared = _document(service)["paths"][path][method.lower()]["responses"]
    assert str(response.status_code) in declared, f"{method} {path} does not declare {response.status_code}"
    _schema(service)[path][method].validate_response(response)
