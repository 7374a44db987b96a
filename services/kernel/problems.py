"""RFC 9457 problem details: errors are typed values, mapped to `application/problem+json` here, once."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from services.kernel import errors

PROBLEM_BASE = "https://linli.example.org/problems/"
MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("linli.problems")


class Problem(Exception):
    """A failure the client should read: status, a stable type, a human detail and extra members."""

    status: int = 400
    type_slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions

    def body(self, instance: str | None = None) -> dict[str, Any]:
        # RFC 9457's own members come last: an extension named like one (a sign-up's `status`) never replaces it.
        body: dict[str, Any] = {
            **self.extensions,
            "type": PROBLEM_BASE + self.type_slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        return body


class BadRequest(Problem):
    pass


class Unauthorized(Problem):
    status, type_slug, title = 401, "unauthorized", "Unauthorized"


class Forbidden(Problem):
    status, type_slug, title = 403, "forbidden", "Forbidden"


class NotFound(Problem):
    status, type_slug, title = 404, "not-found", "Not found"


class Conflict(Problem):
    status, type_slug, title = 409, "conflict", "Conflict"


class IllegalTransition(Conflict):
    """A state change the lifecycle does not allow; names the current state and the allowed next ones."""

    type_slug, title = "illegal-transition", "Illegal transition"

    def __init__(self, detail: str, *, current: str, allowed: list[str], **extensions: Any) -> None:
        super().__init__(detail, current_state=current, allowed_next=allowed, **extensions)


class PayloadTooLarge(Problem):
    status, type_slug, title = 413, "payload-too-large", "Payload too large"


class UnprocessableContent(Problem):
    status, type_slug, title = 422, "validation", "Request validation failed"


class TooManyRequests(Problem):
    status, type_slug, title = 429, "rate-limited", "Too many requests"


class ServiceUnavailable(Problem):
    status, type_slug, title = 503, "unavailable", "Service unavailable"


def problem_response(problem: Problem, instance: str | None = None, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(problem.body(instance)),
        status_code=problem.status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


_STATUS_TYPES: dict[int, type[Problem]] = {
    cls.status: cls
    for cls in (BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, TooManyRequests)
}


class RateLimited(TooManyRequests):
    """A LimitReached refusal; answered with Retry-After."""


DOMAIN_PROBLEMS: Mapping[type[errors.DomainError], type[Problem]] = {
    errors.DoesNotExist: NotFound,
    errors.NotPermitted: Forbidden,
    errors.InvalidInput: BadRequest,
    errors.RuleBroken: Conflict,
    errors.IllegalTransition: Conflict,
    errors.LimitReached: RateLimited,
    errors.DomainError: Conflict,
}
"""Each kind of domain refusal and the problem that answers it; a service may add its own kinds."""


def domain_problem(error: errors.DomainError, mapping: Mapping[type[errors.DomainError], type[Problem]]) -> Problem:
    """The problem details answering `error`: the mapping's entry for its nearest class.

    The type names the refusal (a RuleBroken's reason, or the error's `slug`), so a client can tell
    "shift full" from "not open yet" without reading the detail."""
    cls = next(mapping[kind] for kind in type(error).__mro__ if kind in mapping)
    problem = cls(error.detail, **error.members())
    slug = getattr(error, "slug", None) or (
        error.reason
        if isinstance(error, errors.RuleBroken) and not isinstance(error, errors.IllegalTransition)
        else None
    )
    if isinstance(error, errors.IllegalTransition):
        problem.type_slug, problem.title = "illegal-transition", "Illegal transition"
    elif slug:
        problem.type_slug = slug
    if title := getattr(error, "title", None):
        problem.title = title
    return problem


def install_problem_handlers(
    app: FastAPI, domain: Mapping[type[errors.DomainError], type[Problem]] | None = None
) -> None:
    """Problem details for every error a route can raise, registered once per app.

    `domain`: the service's own kinds of refusal beyond the kernel's (DOMAIN_PROBLEMS)."""
    mapping = {**DOMAIN_PROBLEMS, **(domain or {})}

    async def on_domain(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, errors.DomainError)
        problem = domain_problem(exc, mapping)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, errors.LimitReached) else None
        return problem_response(problem, request.url.path, headers)

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return problem_response(exc, request.url.path, headers)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {
                "field": ".".join(str(part) for part in err.get("loc", ())),
                "message": err.get("msg", ""),
                "type": err.get("type", ""),
            }
            for err in exc.errors()
        ]
        fields = ", ".join(e["field"] for e in errors)
        return problem_response(UnprocessableContent(f"Invalid fields: {fields}", errors=errors), request.url.path)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        cls = _STATUS_TYPES.get(exc.status_code)
        problem: Problem
        if cls is None:
            problem = Problem(str(exc.detail))
            problem.status, problem.title = exc.status_code, str(exc.detail)
        else:
            problem = cls(str(exc.detail))
        return problem_response(problem, request.url.path, dict(exc.headers or {}))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # The route's template, never the path itself: a path may carry a secret (a feed's token).
        route = getattr(request.scope.get("route"), "path", None) or "unmatched route"
        log.exception("unhandled error on %s %s", request.method, route, exc_info=exc)
        problem = Problem("An unexpected error occurred; it has been logged.")
        problem.status, problem.type_slug, problem.title = 500, "internal", "Internal server error"
        return problem_response(problem, request.url.path)

    app.add_exception_handler(errors.DomainError, on_domain)
    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
