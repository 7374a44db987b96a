"""Domain refusals become RFC 9457 problem details here, in one place."""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.responses import Response

from services.deliberation.domain.errors import (
    DeliberationError,
    IllegalSessionTransition,
    NotFoundError,
    QuorumNotMet,
    RefusedError,
)
from services.kernel.problems import Conflict, Forbidden, NotFound, Problem, problem_response


class NoQuorum(Conflict):
    type_slug, title = "no-quorum", "No quorum"


class IllegalTransitionProblem(Conflict):
    type_slug, title = "illegal-transition", "Illegal transition"


def to_problem(error: DeliberationError) -> Problem:
    cls: type[Problem]
    if isinstance(error, NotFoundError):
        cls = NotFound
    elif isinstance(error, RefusedError):
        cls = Forbidden
    elif isinstance(error, QuorumNotMet):
        cls = NoQuorum
    elif isinstance(error, IllegalSessionTransition):
        cls = IllegalTransitionProblem
    else:
        cls = Conflict
    return cls(error.detail, **error.extensions)


def install(app: FastAPI) -> None:
    async def on_refusal(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DeliberationError)
        return problem_response(to_problem(exc), request.url.path)

    app.add_exception_handler(DeliberationError, on_refusal)
