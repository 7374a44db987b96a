"""Typed errors of the love bank; entrypoints/problems.py maps each to problem details, once."""

from __future__ import annotations

from typing import Any


class LoveBankError(Exception):
    """A rule of the love bank refused a change; nothing was changed."""

    status = 409
    slug = "conflict"
    title = "Conflict"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotFoundError(LoveBankError):
    status, slug, title = 404, "not-found", "Not found"


class InvalidInput(LoveBankError):
    status, slug, title = 422, "validation", "Request validation failed"


class InsufficientPoints(LoveBankError):
    slug, title = "insufficient-points", "Insufficient points"


class OutOfStock(LoveBankError):
    slug, title = "out-of-stock", "Out of stock"


class PrizeUnavailable(LoveBankError):
    slug, title = "prize-unavailable", "Prize not available now"


class IllegalTransition(LoveBankError):
    slug, title = "illegal-transition", "Illegal transition"

    def __init__(self, detail: str, *, current: str, allowed: list[str]) -> None:
        super().__init__(detail, current_state=current, allowed_next=allowed)


class AlreadyExists(LoveBankError):
    slug, title = "already-exists", "Already exists"


class UnbalancedTransaction(ValueError):
    """A transaction whose postings do not sum to zero: a programming error, never reaches a client."""
