"""Typed refusals of the deliberation rules, named by meaning; the kernel maps them to problem details.

A refusal because of the state of things (`StateConflict`) answers with the problem type
`conflict`, as it always has, and names its `reason`; no quorum answers `no-quorum`."""

from __future__ import annotations

from typing import Any

from services.kernel.errors import DoesNotExist, IllegalTransition, InvalidInput, NotPermitted, RuleBroken


class NotFoundError(DoesNotExist):
    """No such council, session, item, motion or member (or not for this caller)."""


class RefusedError(NotPermitted):
    """The caller may not do this (not a member, an observer, not present); `reason` says which."""

    def __init__(self, detail: str, *, reason: str, **extensions: Any) -> None:
        super().__init__(detail, reason=reason, **extensions)
        self.reason = reason


class BadValues(InvalidInput):
    """The values of a request do not make sense together (a term ending before it starts...)."""


class StateConflict(RuleBroken):
    """The thing is not in a state that allows this (session not open, motion closed); `reason` says which."""

    slug = "conflict"


class IllegalSessionTransition(IllegalTransition):
    """A session lifecycle change its current state does not allow."""


class QuorumNotMet(RuleBroken):
    slug, title = "no-quorum", "No quorum"

    def __init__(self, *, present: int, needed: int, voting_members: int) -> None:
        super().__init__(
            f"No quorum: {present} voting members present, {needed} needed of {voting_members}. "
            f"未达法定人数：出席 {present} 人，需 {needed} 人。",
            reason="no_quorum",
            present=present,
            needed=needed,
            voting_members=voting_members,
        )
