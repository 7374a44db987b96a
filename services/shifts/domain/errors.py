"""The shifts service's refusals, named by what they mean (the kernel maps each kind to a problem once).

A broken sign-up rule is a `RuleBroken` with a machine-readable reason: the problem's type is
`shifts/<reason>` and its body carries `reason`, `detail` (en) and `detail_zh` (zh-CN), so a
phone shows it as-is."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from services.kernel import errors


class Reason(StrEnum):
    FULL = "full"
    OVERLAPS = "overlaps"
    NOT_OPEN_YET = "not_open_yet"
    ENDED = "ended"
    SUSPENDED = "suspended"
    CANCELLATION_CLOSED = "cancellation_closed"
    SHIFT_CANCELLED = "shift_cancelled"
    ALREADY_SIGNED_UP = "already_signed_up"
    NOT_CHECKED_IN = "not_checked_in"
    NOT_STARTED = "not_started"
    ALREADY_CONFIRMED = "already_confirmed"
    CAPACITY_BELOW_CONFIRMED = "capacity_below_confirmed"


class RuleBroken(errors.RuleBroken):
    """A rule refused the command; nothing changed (except joining a waitlist when full)."""

    def __init__(self, reason: Reason, detail: str, detail_zh: str, **extensions: Any) -> None:
        super().__init__(detail, reason=str(reason), detail_zh=detail_zh, **extensions)
        self.reason: Reason = reason
        self.slug = f"shifts/{reason}"


class HoursInvalid(errors.InvalidInput):
    """Hours that cannot be counted (too short, too long, or edited without a reason)."""

    def __init__(self, detail: str, detail_zh: str) -> None:
        super().__init__(detail, detail_zh=detail_zh)


class InvalidShift(errors.InvalidInput):
    """A shift or template whose times or places do not make sense together."""

    def __init__(self, detail: str, detail_zh: str) -> None:
        super().__init__(detail, detail_zh=detail_zh)


class NotALeader(errors.NotPermitted):
    """Only the post's leaders (or the committee) may do this."""

    def __init__(
        self,
        detail: str = "Only this post's leaders (or the committee) may do this.",
        detail_zh: str = "只有本岗位负责人（或两委）可以操作。",
    ) -> None:
        super().__init__(detail, detail_zh=detail_zh)


class OwnParticipation(errors.NotPermitted):
    """Points are paid for confirmed hours, so nobody confirms their own: another leader of the post
    or a committee member does."""

    def __init__(self, volunteer_id: str) -> None:
        super().__init__(
            f"{volunteer_id} cannot confirm their own participation; another leader of the post or a committee"
            " member confirms it.",
            detail_zh="不能确认自己的参与情况，请由本岗位其他岗长或两委成员确认。",
            reason="own-participation",
        )


class ShiftNotFound(errors.DoesNotExist):
    def __init__(self, shift_id: object) -> None:
        super().__init__("No such shift.", shift_id=str(shift_id))


class PostNotSetUp(errors.DoesNotExist):
    def __init__(self, post_type: object) -> None:
        super().__init__(f"The {post_type} post is not set up in this community.", post=str(post_type))


class TemplateNotFound(errors.DoesNotExist):
    def __init__(self, template_id: object) -> None:
        super().__init__("No such template.", template_id=str(template_id))


class VolunteerNotFound(errors.DoesNotExist):
    def __init__(self, volunteer_id: str) -> None:
        super().__init__("No such volunteer.", volunteer_id=volunteer_id)


class NotAVolunteer(errors.DoesNotExist):
    """The person is not registered as a volunteer (signing up, asking for a calendar feed)."""

    def __init__(self, volunteer_id: str | None = None) -> None:
        if volunteer_id is None:
            super().__init__("You are not registered as a volunteer.", detail_zh="您尚未登记为志愿者。")
        else:
            super().__init__(
                "This person is not registered as a volunteer.",
                volunteer_id=volunteer_id,
                detail_zh="此人尚未登记为志愿者。",
            )


class SignupNotFound(errors.DoesNotExist):
    def __init__(self, volunteer_id: str, *, confirmed: bool = False) -> None:
        kind = "confirmed" if confirmed else "live"
        super().__init__(f"No {kind} sign-up of this volunteer for this shift.", volunteer_id=volunteer_id)


class FeedNotFound(errors.DoesNotExist):
    def __init__(self) -> None:
        super().__init__("No calendar at this address (it may have been re-issued).")
