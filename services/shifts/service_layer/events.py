"""Building the contract events from rows, in one place."""

from __future__ import annotations

from contracts.enums import PostType
from contracts.events.shifts import (
    ShiftCancelled,
    ShiftScheduled,
    SignupCancelled,
    SignupCreated,
    SignupPromoted,
)
from services.shifts.adapters.queries import Row


def scheduled(shift: Row, post_type: str, volunteer_ids: list[str]) -> ShiftScheduled:
    return ShiftScheduled(
        shift_id=shift["id"],
        post_id=shift["post_id"],
        post_type=PostType(post_type),
        title=shift["title"],
        starts_at=shift["starts_at"],
        ends_at=shift["ends_at"],
        location=shift["location"],
        capacity=shift["capacity"],
        post_volunteer_ids=volunteer_ids,
    )


def cancelled(shift: Row, reason: str | None, signed_up: list[str]) -> ShiftCancelled:
    return ShiftCancelled(
        shift_id=shift["id"],
        post_id=shift["post_id"],
        post_type=PostType(shift["post_type"]),
        title=shift["title"],
        starts_at=shift["starts_at"],
        ends_at=shift["ends_at"],
        location=shift["location"],
        reason=reason,
        signed_up_ids=signed_up,
    )


def _signup_fields(signup: Row, shift: Row) -> dict[str, object]:
    return {
        "signup_id": signup["id"],
        "shift_id": shift["id"],
        "volunteer_id": signup["volunteer_id"],
        "post_type": PostType(shift["post_type"]),
        "title": shift["title"],
        "starts_at": shift["starts_at"],
        "ends_at": shift["ends_at"],
    }


def signup_created(signup: Row, shift: Row) -> SignupCreated:
    return SignupCreated(**_signup_fields(signup, shift), status=signup["status"])


def signup_promoted(signup: Row, shift: Row) -> SignupPromoted:
    return SignupPromoted(**_signup_fields(signup, shift))


def signup_cancelled(signup: Row, shift: Row) -> SignupCancelled:
    return SignupCancelled(**_signup_fields(signup, shift))
