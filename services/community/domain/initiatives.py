"""Initiatives (倡议书): a text the committees launch and residents sign on to, once each, until it closes.

Plain Python, no I/O. A second sign-on by the same person is not an error: it is answered with
the first, and records no second event (the repository keeps one row per person).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from contracts.events.community import InitiativeLaunched, InitiativeSigned
from services.kernel import errors
from services.kernel.events import PendingEvent


class InitiativeNotFound(errors.DoesNotExist):
    def __init__(self, initiative_id: uuid.UUID) -> None:
        super().__init__(f"There is no initiative {initiative_id}.", detail_zh="没有这份倡议书。")


class InitiativeClosed(errors.RuleBroken):
    def __init__(self, closes_at: datetime) -> None:
        super().__init__(
            f"The initiative closed at {closes_at.isoformat()}; it takes no more sign-ons.",
            reason="initiative-closed",
            detail_zh="倡议书已截止签名。",
            closed_at=closes_at.isoformat(),
        )


@dataclass
class Initiative:
    id: uuid.UUID
    community: str
    title: str
    body: str
    closes_at: datetime | None
    launched_by: str
    launched_at: datetime
    _events: list[PendingEvent] = field(default_factory=list, repr=False)

    @classmethod
    def launch(
        cls,
        *,
        initiative_id: uuid.UUID,
        community: str,
        title: str,
        body: str,
        closes_at: datetime | None,
        launched_by: str,
        now: datetime,
    ) -> Initiative:
        if not title.strip() or not body.strip():
            raise errors.InvalidInput("An initiative needs a title and a text.", detail_zh="倡议书须有标题和正文。")
        if closes_at is not None and closes_at <= now:
            raise errors.InvalidInput(
                "An initiative closes after it is launched.", detail_zh="截止时间须晚于发起时间。", field="closes_at"
            )
        initiative = cls(initiative_id, community, title.strip(), body, closes_at, launched_by, now)
        initiative._events.append(
            PendingEvent(
                InitiativeLaunched(
                    initiative_id=initiative_id,
                    title=initiative.title,
                    body=body,
                    closes_at=closes_at,
                    launched_by=launched_by,
                    launched_at=now,
                ),
                community,
                initiative_id,
            )
        )
        return initiative

    def is_open(self, now: datetime) -> bool:
        return self.closes_at is None or now < self.closes_at

    def sign(self, person_id: str, building_group: int | None, now: datetime) -> InitiativeSigned:
        """The sign-on of one person (the caller stores it once and records its event only when new)."""
        if self.closes_at is not None and now >= self.closes_at:
            raise InitiativeClosed(self.closes_at)
        return InitiativeSigned(
            initiative_id=self.id, person_id=person_id, building_group=building_group, signed_at=now
        )

    def record(self, signed: InitiativeSigned) -> None:
        self._events.append(PendingEvent(signed, self.community, self.id))

    def pull_events(self) -> list[PendingEvent]:
        events, self._events = self._events, []
        return events
