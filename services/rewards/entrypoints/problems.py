"""Typed love-bank errors become RFC 9457 problem details here, in one place."""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.responses import Response

from services.kernel.problems import Problem, problem_response
from services.rewards.domain.errors import LoveBankError


def as_problem(error: LoveBankError) -> Problem:
    problem = Problem(error.detail, **error.extensions)
    problem.status, problem.type_slug, problem.title = error.status, error.slug, error.title
    return problem


def install(app: FastAPI) -> None:
    async def on_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoveBankError)
        return problem_response(as_problem(exc), request.url.path)

    app.add_exception_handler(LoveBankError, on_error)
