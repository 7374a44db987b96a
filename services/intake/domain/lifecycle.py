"""The issue lifecycle: which status may follow which, and the typed errors of the domain."""

from __future__ import annotations

from contracts.enums import IssueStatus as S
from services.kernel import errors

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


class TransitionNotAllowed(errors.IllegalTransition):
    def __init__(self, current: S, wanted: S, detail: str | None = None, allowed: list[S] | None = None) -> None:
        self.wanted = wanted
        super().__init__(
            detail or f"An issue that is {current.value} cannot become {wanted.value} / 事项当前状态不允许此操作.",
            current=current.value,
            allowed=[str(s) for s in (TRANSITIONS[current] if allowed is None else allowed)],
        )


class NotTheReporter(errors.NotPermitted):
    """Only the reporter may confirm or reopen."""


class OwnContribution(errors.NotPermitted):
    """Contributors earn points, so whoever resolves an issue does not name themself among them."""

    def __init__(self, actor: str) -> None:
        super().__init__(
            f"{actor} resolves this issue and cannot also be named as its contributor.",
            detail_zh="办结人不能把自己列为贡献者。",
            reason="own-contribution",
        )


class InvalidDuplicate(errors.InvalidInput):
    """The issue named as the original cannot be one."""


class InvalidCommand(errors.InvalidInput):
    """The command lacks something the rule needs (e.g. a rejection reason)."""


class IssueNotFound(errors.DoesNotExist):
    """No issue with that id in the caller's community (or one the caller may not see)."""

    def __init__(self, issue_id: object) -> None:
        super().__init__(f"There is no issue {issue_id} / 事项不存在.")
        self.issue_id = issue_id


class CategoryNotInUse(errors.InvalidInput):
    """The category is not one the issue's community uses (unknown there, or switched off)."""

    def __init__(self, category: str) -> None:
        super().__init__(f"The category {category} is not in use here / 该类别未启用.", field="category")
        self.category = category


class InvalidAttributes(errors.InvalidInput):
    """The category's attributes are not answered as it defines them; the detail says how."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="attributes")


def check(current: S, wanted: S) -> None:
    if wanted not in TRANSITIONS[current]:
        raise TransitionNotAllowed(current, wanted)
