"""The issue lifecycle: which status may follow which, and the typed errors of the domain."""

from __future__ import annotations

from contracts.enums import IssueStatus as S

TRANSITIONS: dict[S, tuple[S, ...]] = {
    S.SUBMITTED: (S.ACCEPTED, S.REJECTED, S.REFERRED, S.DUPLICATE),
    S.ACCEPTED: (S.IN_PROGRESS,),
    # A referred issue starts on the council's decision.adopted; decision.rejected sends it
    # back to the committees' queue (submitted). A committee may also start it by hand.
    S.REFERRED: (S.IN_PROGRESS, S.SUBMITTED),
    S.IN_PROGRESS: (S.RESOLVED,),
    S.RESOLVED: (S.CLOSED, S.REOPENED),
    S.REOPENED: (S.IN_PROGRESS,),
    S.REJECTED: (),
    S.DUPLICATE: (),
    S.CLOSED: (),
}

OPEN_STATUSES: frozenset[S] = frozenset({S.SUBMITTED, S.ACCEPTED, S.REFERRED, S.IN_PROGRESS, S.REOPENED})
"""Statuses of issues still being worked on (the duplicate hint looks among these)."""


class DomainError(Exception):
    """A rule of the domain refused a command."""


class TransitionNotAllowed(DomainError):
    def __init__(self, current: S, wanted: S, detail: str | None = None) -> None:
        self.current = current
        self.wanted = wanted
        self.allowed = [str(s) for s in TRANSITIONS[current]]
        super().__init__(
            detail or f"An issue that is {current.value} cannot become {wanted.value} / 事项当前状态不允许此操作."
        )


class NotTheReporter(DomainError):
    """Only the reporter may confirm or reopen."""


class InvalidDuplicate(DomainError):
    """The issue named as the original cannot be one."""


class InvalidCommand(DomainError):
    """The command lacks something the rule needs (e.g. a rejection reason)."""


def check(current: S, wanted: S) -> None:
    if wanted not in TRANSITIONS[current]:
        raise TransitionNotAllowed(current, wanted)
