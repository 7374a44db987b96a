"""The micro-wish (微心愿): a family's small wish, put on the public board, claimed, fulfilled, confirmed.

Lifecycle: candidate (from intake, private) -> approved (on the board) -> claimed -> fulfilled ->
confirmed. A committee entering a wish itself (collected at the festival, on a visit) puts it
straight on the board. The family (`family_id`) is private: only the committees see who made a
wish; the board and every event but WishFulfilled (which asks the family to confirm) name none.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from contracts.events.community import ClaimerKind, WishApproved, WishClaimed, WishConfirmed, WishEvent, WishFulfilled
from services.kernel import errors
from services.kernel.events import PendingEvent

WishStatus = Literal["candidate", "approved", "claimed", "fulfilled", "confirmed"]
Channel = Literal["intake", "festival", "visit", "committee"]
BOARD_STATUSES: tuple[WishStatus, ...] = ("approved", "claimed", "fulfilled", "confirmed")

TRANSITIONS: dict[WishStatus, tuple[WishStatus, ...]] = {
    "candidate": ("approved",),
    "approved": ("claimed",),
    "claimed": ("fulfilled",),
    "fulfilled": ("confirmed",),
    "confirmed": (),
}


class WishNotFound(errors.DoesNotExist):
    def __init__(self, wish_id: object) -> None:
        super().__init__(f"There is no micro-wish {wish_id} / 微心愿不存在.")


class WishTransitionNotAllowed(errors.IllegalTransition):
    def __init__(self, current: WishStatus, wanted: WishStatus) -> None:
        super().__init__(
            f"A micro-wish that is {current} cannot become {wanted} / 微心愿当前状态不允许此操作.",
            current=current,
            allowed=list(TRANSITIONS[current]),
        )


class NotTheClaimer(errors.NotPermitted):
    """Only whoever claimed a wish fulfils it (a committee for a unit's claim)."""


class NotTheFamily(errors.NotPermitted):
    """Only the family who made the wish confirms it fulfilled."""


class FamilyCannotClaim(errors.RuleBroken):
    def __init__(self) -> None:
        super().__init__(
            "A family cannot claim its own micro-wish / 不能认领自己的微心愿.", reason="family-cannot-claim"
        )


class InvalidWish(errors.InvalidInput):
    """A wish command lacks what the rule needs (a public title, a note, a photo, a unit's name)."""


def _text(value: str, what: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise InvalidWish(f"{what} must not be empty / 不能为空.", field=what)
    if len(value) > limit:
        raise InvalidWish(f"{what} is longer than {limit} characters.", field=what)
    return value


@dataclass
class Claimer:
    kind: ClaimerKind
    name: str
    person_id: str | None = None
    """The claiming person; for a unit, its contact person if named (may be None)."""
    unit_contact: str | None = None
    """For a unit: the contact person as the committee wrote them down (free text)."""


@dataclass
class Wish:
    id: uuid.UUID
    community: str
    status: WishStatus
    channel: Channel
    family_id: str
    private_title: str
    created_at: datetime
    private_description: str = ""
    issue_id: uuid.UUID | None = None
    public_title: str | None = None
    public_description: str = ""
    building_group: int | None = None
    claimer: Claimer | None = None
    fulfil_note: str | None = None
    photo_url: str | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    claimed_at: datetime | None = None
    fulfilled_at: datetime | None = None
    confirmed_at: datetime | None = None
    events: list[WishEvent] = field(default_factory=list)

    # -- creation -------------------------------------------------------------------------

    @classmethod
    def candidate(
        cls,
        *,
        wish_id: uuid.UUID,
        community: str,
        issue_id: uuid.UUID,
        family_id: str,
        title: str,
        building_group: int | None,
        now: datetime,
    ) -> Wish:
        """A wish raised as a matter in intake: private until a committee approves it for the board."""
        return cls(
            id=wish_id,
            community=community,
            status="candidate",
            channel="intake",
            family_id=family_id,
            private_title=title,
            issue_id=issue_id,
            building_group=building_group,
            created_at=now,
        )

    @classmethod
    def entered(
        cls,
        *,
        wish_id: uuid.UUID,
        community: str,
        channel: Channel,
        family_id: str,
        title: str,
        description: str,
        building_group: int | None,
        actor: str,
        now: datetime,
    ) -> Wish:
        """A wish a committee collected itself (festival, visit, its own round): straight onto the board."""
        if channel == "intake":
            raise InvalidWish(
                "Wishes raised in intake arrive as candidates / 居民提交的微心愿由系统转入.", field="channel"
            )
        title = _text(title, "title", 200)
        wish = cls(
            id=wish_id,
            community=community,
            status="candidate",
            channel=channel,
            family_id=_text(family_id, "family_id", 100),
            private_title=title,
            private_description=description,
            building_group=building_group,
            created_at=now,
        )
        wish.approve(actor, title=title, description=description, now=now)
        return wish

    # -- the board ------------------------------------------------------------------------

    def approve(
        self,
        actor: str,
        *,
        title: str | None,
        description: str | None,
        now: datetime,
        building_group: int | None = None,
    ) -> None:
        """A committee puts the wish on the board, with the public wording it may edit (no family identity)."""
        self._check("approved")
        self.public_title = _text(title if title is not None else self.private_title, "title", 200)
        self.public_description = (description if description is not None else self.public_description).strip()
        if building_group is not None:
            self.building_group = building_group
        self.status = "approved"
        self.approved_by, self.approved_at = actor, now
        self.events.append(WishApproved(**self._base(), channel=self.channel, approved_by=actor, approved_at=now))

    def claim(self, claimer: Claimer, now: datetime) -> None:
        """One claimer at a time: a claimed wish is claimed (a second claim is an illegal transition)."""
        self._check("claimed")
        if claimer.kind != "unit" and claimer.person_id == self.family_id:
            raise FamilyCannotClaim()
        claimer.name = _text(claimer.name, "claimer_name", 200)
        self.claimer = claimer
        self.status = "claimed"
        self.claimed_at = now
        self.events.append(WishClaimed(**self._base(), **self._claimer(), claimed_at=now))

    def fulfil(self, actor: str, *, is_committee: bool, note: str, photo_url: str, now: datetime) -> None:
        """The claimer fulfils the wish with a note and a photo; a committee does it for a unit."""
        self._check("fulfilled")
        assert self.claimer is not None
        allowed = is_committee if self.claimer.kind == "unit" else actor == self.claimer.person_id
        if not allowed:
            raise NotTheClaimer(
                "Only the claimer fulfils a micro-wish (a committee for a unit) / 仅认领人可以登记完成.",
            )
        self.fulfil_note = _text(note, "note", 2000)
        self.photo_url = _text(photo_url, "photo_url", 500)
        self.status = "fulfilled"
        self.fulfilled_at = now
        self.events.append(
            WishFulfilled(
                **self._base(), **self._claimer(), family_id=self.family_id, note=self.fulfil_note, fulfilled_at=now
            )
        )

    def confirm(self, actor: str, now: datetime) -> None:
        """The family confirms the wish fulfilled: the claimer's micro-wish award follows (in rewards)."""
        if actor != self.family_id:
            raise NotTheFamily("Only the family who made the wish confirms it / 仅许愿家庭可以确认.")
        self._check("confirmed")
        self.status = "confirmed"
        self.confirmed_at = now
        self.events.append(WishConfirmed(**self._base(), **self._claimer(), confirmed_at=now))

    # -- helpers --------------------------------------------------------------------------

    def _check(self, wanted: WishStatus) -> None:
        if wanted not in TRANSITIONS[self.status]:
            raise WishTransitionNotAllowed(self.status, wanted)

    def _base(self) -> dict[str, object]:
        return {
            "wish_id": self.id,
            "issue_id": self.issue_id,
            "title": (self.public_title or self.private_title)[:200],
            "building_group": self.building_group,
        }

    def _claimer(self) -> dict[str, object]:
        assert self.claimer is not None
        return {
            "claimer_kind": self.claimer.kind,
            "claimer_id": self.claimer.person_id,
            "claimer_name": self.claimer.name,
        }

    def pull_events(self) -> list[PendingEvent]:
        pending = [PendingEvent(event, community=self.community, subject=self.id) for event in self.events]
        self.events.clear()
        return pending
