"""Refusals named by what they mean, for domain and service-layer code that knows nothing of HTTP.

A service's own errors subclass these (`IssueNotFound(DoesNotExist)`, `ShiftFull(RuleBroken)`);
the kernel maps each kind to its problem details once per app (problems.install_problem_handlers),
and a service adds a mapping of its own only where an error needs a different answer.
Each carries a detail in English, optionally one in Chinese, and extra members for clients
(`reason`, the current state, a waitlist position...).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request the rules refuse; `detail` is for a person, `extensions` for a program."""

    def __init__(self, detail: str, *, detail_zh: str | None = None, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.detail_zh = detail_zh
        self.extensions = extensions

    def members(self) -> dict[str, Any]:
        """What a problem document adds to status, type, title and detail."""
        members = dict(self.extensions)
        if self.detail_zh:
            members["detail_zh"] = self.detail_zh
        return members


class DoesNotExist(DomainError):
    """The thing asked for is not there, or not for this caller (another community's objects too)."""


class NotPermitted(DomainError):
    """The caller is known but may not do this."""


class InvalidInput(DomainError):
    """The request is well-formed but its values do not make sense together."""


class RuleBroken(DomainError):
    """The request is valid but the current state forbids it (full, closed, already done...)."""

    def __init__(self, detail: str, *, reason: str, detail_zh: str | None = None, **extensions: Any) -> None:
        super().__init__(detail, detail_zh=detail_zh, reason=reason, **extensions)
        self.reason = reason


class IllegalTransition(RuleBroken):
    """A lifecycle change the current state does not allow."""

    def __init__(self, detail: str, *, current: str, allowed: list[str], **extensions: Any) -> None:
        super().__init__(detail, reason="illegal-transition", current_state=current, allowed_next=allowed, **extensions)
        self.current = current
        self.allowed = allowed


class LimitReached(DomainError):
    """Too many of these in too short a time; try again after `retry_after` seconds."""

    def __init__(self, detail: str, *, retry_after: int, **extensions: Any) -> None:
        super().__init__(detail, retry_after=retry_after, **extensions)
        self.retry_after = retry_after
