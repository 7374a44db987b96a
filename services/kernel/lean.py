"""Lean routes: the few write endpoints that take bursts, served without FastAPI's per-request work.

FastAPI answers a request by reading the body through its generic path, solving the dependency
graph, validating the body from a Python dict and validating and serialising the response
model. On the benchmark machine that machinery alone costs more than a whole bare Starlette
request that inserts a row (bench/proposals/README.md): an endpoint with a body model and two
dependencies that does nothing tops out at ~2,300 requests/s where a plain Starlette route
under the same middleware does ~5,000.

A lean route is declared like any other, with its body model, response model, status code
and roles, so OpenAPI documents it exactly as before, but a request is served by a short
path that does the same checks in the same order:

1. the bearer token, with the same verifier and the same 401/403 problem details;
2. the body, validated straight from the raw bytes with `model_validate_json` (pydantic-core,
   no intermediate dict); errors become the same 422 problem as every other route's, with the
   fields under `body.`;
3. the service's handler, which returns a `Response` (see `json_response`).

Errors are raised as usual and answered by the problem handlers (problems.py).

The app's innermost middleware (lean_lane.py) sends a request for a lean route's path straight to
its handler.
"""

from __future__ import annotations

import functools
import inspect
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from decimal import Decimal
from types import UnionType
from typing import Any, TypeVar, Union, get_args, get_origin

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from contracts.enums import Role
from services.kernel.app import ServiceContext
from services.kernel.auth import Principal, authenticate, current_principal, require_roles
from services.kernel.lean_lane import LEAN_HANDLER

B = TypeVar("B", bound=BaseModel)
LeanHandler = Callable[[Request, B, Principal, ServiceContext[Any, Any]], Awaitable[Response]]

_JSON_TYPES = ("application/json",)


class LeanRoute(APIRoute):
    """An APIRoute whose requests go to the lean handler attached to its endpoint, if any."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        lean: Callable[[Request], Coroutine[Any, Any, Response]] | None = getattr(self.endpoint, LEAN_HANDLER, None)
        return lean if lean is not None else super().get_route_handler()


def _is_json(content_type: str | None) -> bool:
    if content_type is None:  # FastAPI reads a body without a content type as JSON too
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media in _JSON_TYPES or (media.startswith("application/") and media.endswith("+json"))


def _body_errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [{**err, "loc": ("body", *err["loc"])} for err in exc.errors(include_url=False)]


def lean_post(
    router: APIRouter,
    path: str,
    handler: LeanHandler[B],
    *,
    body: type[B],
    roles: Sequence[Role | str] = (),
    response_model: type[BaseModel],
    status_code: int,
    summary: str,
    description: str | None = None,
) -> None:
    """Add `POST path` to `router`, documented from `body`/`response_model`, served by `handler`.

    `roles`: the caller must hold one of them (403 otherwise); empty: any verified caller."""
    check_roles = require_roles(*roles) if roles else current_principal

    async def serve(request: Request) -> Response:
        principal = authenticate(request)
        if roles:
            principal.require(*roles)
        if not _is_json(request.headers.get("content-type")):
            raise RequestValidationError(
                [{"type": "content_type", "loc": ("body",), "msg": "The body must be JSON (application/json)."}]
            )
        try:
            model = body.model_validate_json(await request.body())
        except ValidationError as exc:
            raise RequestValidationError(_body_errors(exc)) from exc
        ctx: ServiceContext[Any, Any] = request.app.state.ctx
        return await handler(request, model, principal, ctx)

    async def documented(**_: Any) -> None:  # what OpenAPI reads; requests never reach it
        raise AssertionError("served by the lean handler")

    documented.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY, annotation=body),
            inspect.Parameter(
                "principal", inspect.Parameter.KEYWORD_ONLY, annotation=Principal, default=Depends(check_roles)
            ),
        ]
    )
    documented.__name__ = documented.__qualname__ = handler.__name__
    documented.__doc__ = handler.__doc__
    setattr(documented, LEAN_HANDLER, serve)
    router.add_api_route(
        path,
        documented,
        methods=["POST"],
        response_model=response_model,
        status_code=status_code,
        summary=summary,
        description=description or inspect.getdoc(handler) or "",
        route_class_override=LeanRoute,
    )


def json_response(
    model: type[BaseModel], content: dict[str, Any], *, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """`content`, a dict holding `model`'s fields, answered as FastAPI answers `response_model=model`.

    The handler builds `content` from the row it just stored, whose columns have the model's
    types, so it is not validated again: its fields are picked by the model's shape (names by
    alias, defaults filled in, nested models and lists of them picked in turn, anything else
    left out) and written by orjson, with UTC as `Z` as pydantic writes it. Validating and
    serialising through pydantic cost POST /issues ~10 % of its CPU (issue 19).
    tests/kernel/test_lean_response.py holds the two serialisations equal."""
    payload = orjson.dumps(_shape(model).pick(content), option=orjson.OPT_UTC_Z, default=_as_json)
    return Response(payload, status_code=status_code, media_type="application/json", headers=headers)


def _as_json(value: Any) -> Any:
    """What orjson cannot write itself: asyncpg's UUIDs and Decimals as their text, a model as pydantic writes it."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, uuid.UUID | Decimal):  # asyncpg's UUID is a subclass, which orjson does not take
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class _Shape:
    """The fields of a response model, in order: (key, serialised name, default, nested shape, list of them)."""

    def __init__(self, model: type[BaseModel]) -> None:
        self.fields: list[tuple[str, str, Any, _Shape | None, bool]] = []
        for name, info in model.model_fields.items():
            nested, many = _nested(info.annotation)
            default = _MISSING if info.is_required() else info.get_default(call_default_factory=True)
            self.fields.append((name, info.serialization_alias or info.alias or name, default, nested, many))

    def pick(self, content: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, key, default, nested, many in self.fields:
            value = content.get(name, default)
            if value is _MISSING:
                raise KeyError(f"the response lacks its required field {name!r}")
            if nested is not None and value is not None:
                value = [nested.pick_one(v) for v in value] if many else nested.pick_one(value)
            out[key] = value
        return out

    def pick_one(self, value: Any) -> Any:
        return self.pick(value) if isinstance(value, dict) else value


_MISSING = object()


@functools.cache
def _shape(model: type[BaseModel]) -> _Shape:
    return _Shape(model)


def _nested(annotation: Any) -> tuple[_Shape | None, bool]:
    """The shape of a field holding a model, a list of models, or either or None; (None, False) for anything else."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _shape(annotation), False
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is list and len(args) == 1:
        inner, _ = _nested(args[0])
        return inner, inner is not None
    if len(args) == 1 and get_origin(annotation) in (Union, UnionType):
        return _nested(args[0])
    return None, False
