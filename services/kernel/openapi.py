"""What every service's OpenAPI document says about failure: the RFC 9457 problem answers, declared once.

FastAPI documents a route's success and, for a route with parameters, a 422 in its own
`HTTPValidationError` shape as `application/json`. Linli answers every refusal as
`application/problem+json` (problems.py), so the document is completed here, for every route of
every service: each API operation may answer the kernel's problems (a command may raise any kind of
domain refusal, and every request passes the token check, the body-size limit and validation), with
the `Problem` schema. A status a route declares itself keeps its description and gains the problem
body; the operations routes (/healthz, /metrics...) answer no problems but /readyz's 503.
"""

from __future__ import annotations

import copy
from datetime import time
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from services.kernel.problems import (
    MEDIA_TYPE,
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    Problem,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnprocessableContent,
)

OPERATIONS_TAG = "operations"

LocalTime = Annotated[
    time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "examples": ["19:00:00"],
        }
    ),
]
"""A time of day on the community's wall clock, `HH:MM[:SS]` without an offset, as it is answered.

Pydantic documents a `time` as JSON Schema's `format: time`, which is RFC 3339's full-time and
requires an offset (`19:00:00+08:00`); a wall-clock time has none, so the documented answer lied."""


class FieldError(BaseModel):
    """One refused field of a request (in a 422 problem's `errors`)."""

    field: str = Field(description="Where: `body.title`, `query.limit`, `path.issue_id`")
    message: str
    type: str = Field(description="The kind of error, e.g. `string_too_long`, `missing`, `json_invalid`")


class ProblemDetails(BaseModel):
    """An RFC 9457 problem: `type` names the refusal (`…/problems/shift_full`), `detail` says it to a person.

    A problem may carry members of its own beyond these (a state, a waitlist position, `retry_after`)."""

    model_config = ConfigDict(extra="allow", title="Problem")

    type: str = Field(description="A URI naming the kind of problem; stable, for programs")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str = Field(description="What went wrong, for a person (English)")
    instance: str | None = Field(default=None, description="The path of the request that failed")
    detail_zh: str | None = Field(default=None, description="The detail in Chinese, where one is written")
    errors: list[FieldError] | None = Field(default=None, description="The refused fields of a 422")


PROBLEMS: tuple[type[Problem], ...] = (
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    PayloadTooLarge,
    UnprocessableContent,
    TooManyRequests,
    ServiceUnavailable,
)
"""What any API operation may answer besides its success."""

_REF = "#/components/schemas/Problem"


def _problem_content() -> dict[str, Any]:
    return {MEDIA_TYPE: {"schema": {"$ref": _REF}}}


def _declares_body(response: dict[str, Any]) -> bool:
    """A response the route declared with a body of its own (not FastAPI's default 422)."""
    content = response.get("content") or {}
    default_422 = content.get("application/json", {}).get("schema", {}).get("$ref", "").endswith("/HTTPValidationError")
    return bool(content) and not default_422


def document_problems(spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` (an OpenAPI document FastAPI made) with every operation's problem answers declared."""
    spec = copy.deepcopy(spec)
    components = spec.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in _problem_schemas().items():
        components[name] = schema
    for item in spec.get("paths", {}).values():
        for method, operation in item.items():
            if method not in {"get", "put", "post", "delete", "patch", "head", "options", "trace"}:
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            operational = OPERATIONS_TAG in operation.get("tags", ())
            statuses = [str(p.status) for p in PROBLEMS] if not operational else []
            titles = {str(p.status): p.title for p in PROBLEMS}
            for status in statuses:
                responses.setdefault(status, {"description": titles[status]})
            for status, response in responses.items():
                if status.startswith(("4", "5")) and not _declares_body(response):
                    if response.get("description") == "Validation Error":
                        response["description"] = titles["422"]
                    response["content"] = _problem_content()
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused in components and not _referenced(spec, f"#/components/schemas/{unused}", skip=unused):
            del components[unused]
    return spec


def _problem_schemas() -> dict[str, Any]:
    schema = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions: dict[str, Any] = schema.pop("$defs", {})
    return {**definitions, "Problem": schema}


def _referenced(node: Any, ref: str, *, skip: str) -> bool:
    """Whether `ref` is used anywhere in `node` outside the component named `skip`."""
    if isinstance(node, dict):
        if node.get("$ref") == ref:
            return True
        return any(_referenced(value, ref, skip=skip) for key, value in node.items() if key != skip)
    if isinstance(node, list):
        return any(_referenced(value, ref, skip=skip) for value in node)
    return False
