"""What an aggregate records for the unit of work to publish: pure data, importable by any domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from contracts.envelope import EventData


@dataclass(frozen=True)
class PendingEvent:
    """An event an aggregate recorded, not yet in the outbox."""

    data: EventData
    community: str
    subject: str | uuid.UUID
    event_id: uuid.UUID | None = None


class RecordsEvents(Protocol):
    """An aggregate whose recorded events the unit of work writes to the outbox on commit."""

    def pull_events(self) -> Sequence[PendingEvent]:
        """The events recorded since the last call, oldest first; the aggregate forgets them."""
        ...
