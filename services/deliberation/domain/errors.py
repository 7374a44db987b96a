"""Typed refusals of the deliberation rules; entrypoints/problems.py maps them to problem details."""

from __future__ import annotations

from typing import Any


class DeliberationError(Exception):
    """A rule refused a command; nothing was changed."""

    status = 409

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotFoundError(DeliberationError):
    status = 404


class RefusedError(DeliberationError):
    """The caller may not do this (not a member, an observer, not present)."""

    status = 403


class StateConflict(DeliberationError):
    """The thing is not in a state that allows this (session not open, motion closed)."""

    status = 409


class IllegalSessionTransition(StateConflict):
    def __init__(self, detail: str, *, current: str, allowed: list[str]) -> None:
        super().__init__(detail, current_state=current, allowed_next=allowed)


class QuorumNotMet(StateConflict):
    def __init__(self, *, present: int, needed: int, voting_members: int) -> None:
        super().__init__(
            f"No quorum: {present} voting members present, {needed} needed of {voting_members}. "
            f"未达法定人数：出席 {present} 人，需 {needed} 人。",
            present=present,
            needed=needed,
            voting_members=voting_members,
        )
