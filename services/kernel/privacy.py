"""Privacy by default, written once for every service: how a phone number, an e-mail address or a
contact is shown to someone who does not need it (masked), and the pseudonym a forgotten person's
kept records carry instead of their id.

Masking keeps enough to recognise a number one already knows (the first three and last four digits
of a phone, as 13900000000 -> 139****0000) and too little to call it; the stars are always four, so
the length is hidden too. Pure functions: domains, service layers and entrypoints may all use them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any

STARS = "****"

# A mainland mobile (11 digits from 13x to 19x) or a landline with its area code (0551-6000 0000),
# standing alone: not inside a longer run of digits (an order number, a date written 20261206).
_PHONE_IN_TEXT = re.compile(
    r"(?<![\d])(?:\+?86[- ]?)?(?:1[3-9]\d[- ]?\d{4}[- ]?\d{4}|0\d{2,3}[- ]?\d{3,4}[- ]?\d{4})(?![\d])"
)

FORGOTTEN_PREFIX = "forgotten-"


def mask_phone(phone: str) -> str:
    """A phone number as someone who must not call it sees it: 13900000000 -> 139****0000.

    Spaces, dashes and a +86 prefix are dropped first; a number of fewer than eight digits keeps only
    its last two (there is too little to keep a prefix and a suffix of)."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not digits:
        return STARS if phone else ""
    if len(digits) < 8:
        return STARS + digits[-2:]
    return digits[:3] + STARS + digits[-4:]


def mask_phones_in(text: str) -> str:
    """Free text (a matter's description, a comment) with every phone number in it masked."""
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)


def mask_email(email: str) -> str:
    """wang.fang@example.org -> w***@example.org: the domain says which provider, not who."""
    local, at, domain = email.partition("@")
    if not at:
        return STARS
    return (local[:1] or "") + "***@" + domain


def mask_contact(contact: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A contact (phone, e-mail, names, device or account ids) as a reader who may know who, not how to
    reach them, sees it: phone and e-mail masked, the names kept, device and account ids left out."""
    if contact is None:
        return None
    masked: dict[str, Any] = {}
    for key, value in contact.items():
        if not isinstance(value, str) or not value:
            continue
        if key == "phone":
            masked[key] = mask_phone(value)
        elif key == "email":
            masked[key] = mask_email(value)
        elif key in ("first_name", "last_name", "name"):
            masked[key] = value
    return masked


def pseudonym(community: str, person_id: str, key: str = "") -> str:
    """The stable stand-in for a forgotten person in what must be kept (a matter's history, the
    ledger's accounts, the count of a vote): the same in every service, so kept records still agree
    with each other, and not the person's id. With a secret `key` (LINLI_PSEUDONYM_KEY) nobody can
    recompute it from a guessed id."""
    if is_pseudonym(person_id):
        return person_id
    digest = hmac.new(key.encode(), f"{community}:{person_id}".encode(), hashlib.sha256).hexdigest()
    return FORGOTTEN_PREFIX + digest[:16]


def is_pseudonym(person_id: str) -> bool:
    return person_id.startswith(FORGOTTEN_PREFIX)


class Forgetting:
    """What forgetting a person did in one service: rows deleted and rows anonymised, per kind of record."""

    def __init__(self) -> None:
        self.deleted: dict[str, int] = {}
        self.anonymised: dict[str, int] = {}

    def delete(self, kind: str, rows: int) -> None:
        self.deleted[kind] = self.deleted.get(kind, 0) + rows

    def anonymise(self, kind: str, rows: int) -> None:
        self.anonymised[kind] = self.anonymised.get(kind, 0) + rows


def affected(status: str) -> int:
    """The row count of an asyncpg command status ('UPDATE 3', 'DELETE 0', 'INSERT 0 1')."""
    tail = status.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else 0
