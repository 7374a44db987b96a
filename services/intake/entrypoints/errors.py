"""Domain errors become problem details here, in one place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from services.intake.domain.lifecycle import (
    InvalidCommand,
    InvalidDuplicate,
    NotTheReporter,
    TransitionNotAllowed,
)
from services.intake.service_layer.commands import IssueNotFound
from services.kernel.problems import BadRequest, Forbidden, IllegalTransition, NotFound


@contextmanager
def domain_errors() -> Iterator[None]:
    try:
        yield
    except TransitionNotAllowed as exc:
        raise IllegalTransition(str(exc), current=exc.current.value, allowed=exc.allowed) from exc
    except NotTheReporter as exc:
        raise Forbidden(str(exc)) from exc
    except (InvalidCommand, InvalidDuplicate) as exc:
        raise BadRequest(str(exc)) from exc
    except IssueNotFound as exc:
        raise NotFound(f"There is no issue {exc} / 事项不存在.") from exc
