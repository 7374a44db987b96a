"""The lean lane: a request for a lean route's path goes straight to its lean handler (lean.py).

The app's innermost middleware. It skips Starlette's exception middleware, FastAPI's exit stack,
the router's match against every route of the service and the route's own wrappers, which
together cost POST /issues about a fifth of its Python time (profiled for issue 19). The
kernel's middleware (span, metrics, body checks, security headers) and CORS are outside it and
still see every request; an error is answered by the handler the exception middleware would
have used, and an unexpected one is left to the server error middleware, as on any route.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

LEAN_HANDLER = "__linli_lean__"
"""The attribute of a lean route's documented endpoint that holds the handler serving its requests."""

Serve = Callable[[Request], Coroutine[Any, Any, Response]]
Handler = Callable[[Request, Exception], Coroutine[Any, Any, Response]]


def _lean_routes(routes: Iterable[BaseRoute], prefix: str) -> Iterator[tuple[str, tuple[BaseRoute, Serve]]]:
    """(path, (route, handler)) of every lean route without path parameters, routers included with their prefix.

    FastAPI (0.16x) keeps an included router as one route holding the original router and its
    include context; an older one copied the routes. Both are walked; a shape it does not know
    is skipped, and its lean routes are then served through the router like any other."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            context = getattr(route, "include_context", None)
            yield from _lean_routes(included.routes, prefix + getattr(context, "prefix", ""))
            continue
        serve = getattr(getattr(route, "endpoint", None), LEAN_HANDLER, None)
        path = prefix + getattr(route, "path", "")
        if serve is not None and "{" not in path and "POST" in (getattr(route, "methods", None) or ()):
            yield path, (_Named(path), serve)


class _Named(BaseRoute):
    """What the kernel's middleware reads of `scope["route"]`: the route's path template, for spans and metrics."""

    def __init__(self, path: str) -> None:
        self.path = path


class LeanLane:
    """Innermost middleware: `POST <a lean route's path>` goes straight to its lean handler."""

    def __init__(self, app: ASGIApp, *, fastapi: FastAPI) -> None:
        self.app = app
        self.fastapi = fastapi
        self._routes: dict[str, tuple[BaseRoute, Serve]] | None = None

    def _lean_routes(self) -> dict[str, tuple[BaseRoute, Serve]]:
        # Read at the first request: routers are included after the middleware is added.
        return dict(_lean_routes(self.fastapi.router.routes, ""))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        if self._routes is None:
            self._routes = self._lean_routes()
        lean = self._routes.get(scope["path"])
        if lean is None:
            await self.app(scope, receive, send)
            return
        route, serve = lean
        scope["route"] = route  # what the kernel's middleware names the span and the metrics by
        request = Request(scope, receive, send)
        try:
            response = await serve(request)
        except Exception as exc:
            handler = self._handler(exc)
            if handler is None:
                raise
            response = await handler(request, exc)
        await response(scope, receive, send)

    def _handler(self, exc: Exception) -> Handler | None:
        """The app's exception handler for `exc`, looked up as Starlette's exception middleware does (by class);
        None for an unexpected error, which is left to the server error middleware as on any other route."""
        handlers = self.fastapi.exception_handlers
        for kind in type(exc).__mro__:
            if kind is Exception:
                return None
            if kind in handlers:
                handler: Handler = handlers[kind]  # type: ignore[assignment]
                return handler
        return None
