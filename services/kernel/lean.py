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

import inspect
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError
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


_adapters: dict[type[BaseModel], TypeAdapter[Any]] = {}


def json_response(
    model: type[BaseModel], content: Any, *, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """`content` validated as `model` and serialised as FastAPI would for `response_model=model`."""
    adapter = _adapters.get(model)
    if adapter is None:
        adapter = _adapters[model] = TypeAdapter(model)
    payload = adapter.dump_json(adapter.validate_python(content, from_attributes=True), by_alias=True)
    return Response(payload, status_code=status_code, media_type="application/json", headers=headers)
