"""The love bank's refusals, named by what they mean (the kernel maps each kind to its problem once).

Each subclasses one of the kernel's meaning-named errors (services/kernel/errors.py); the
`reason` of a rule broken is the problem's type (`.../insufficient-points`) and the title says it
in words. No HTTP here: the one special case (values that do not make sense together answer 422,
as they always have) is mapped in bootstrap.py."""

from __future__ import annotations

from typing import Any

from services.kernel import errors


class NotFoundError(errors.DoesNotExist):
    """The account, award, prize, redemption, rule or transaction is not there (or not in this community)."""


class NotAllowed(errors.NotPermitted):
    """The caller is known but may not see or do this (another person's account, another's redemption)."""


class InvalidValues(errors.InvalidInput):
    """The values of a request do not make sense (zero points, bad rule parameters, a title without zh-CN)."""


class InsufficientPoints(errors.RuleBroken):
    title = "Insufficient points"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail, reason="insufficient-points", **extensions)


class OutOfStock(errors.RuleBroken):
    title = "Out of stock"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail, reason="out-of-stock", **extensions)


class PrizeUnavailable(errors.RuleBroken):
    title = "Prize not available now"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail, reason="prize-unavailable", **extensions)


class AlreadyExists(errors.RuleBroken):
    title = "Already exists"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail, reason="already-exists", **extensions)


class IllegalTransition(errors.IllegalTransition):
    """A redemption already settled (fulfilled or cancelled) cannot be settled again."""


class UnbalancedTransaction(ValueError):
    """A transaction whose postings do not sum to zero: a programming error, never reaches a client."""
