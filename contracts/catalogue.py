"""The event catalogue: every event type, which service emits it, and the stream it lives in."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.envelope import EventData, parse_type
from contracts.events.community import COMMUNITY_EVENTS
from contracts.events.deliberation import DELIBERATION_EVENTS
from contracts.events.issue import ISSUE_EVENTS
from contracts.events.notification import NOTIFICATION_EVENTS
from contracts.events.rewards import REWARDS_EVENTS
from contracts.events.shifts import SHIFT_EVENTS


@dataclass(frozen=True)
class Emitter:
    service: str
    stream: str
    events: tuple[type[EventData], ...]

    @property
    def entities(self) -> tuple[str, ...]:
        return tuple(sorted({e.entity for e in self.events}))


EMITTERS: tuple[Emitter, ...] = (
    Emitter("intake", "LINLI_INTAKE", ISSUE_EVENTS),
    Emitter("deliberation", "LINLI_DELIBERATION", DELIBERATION_EVENTS),
    Emitter("shifts", "LINLI_SHIFTS", SHIFT_EVENTS),
    Emitter("rewards", "LINLI_REWARDS", REWARDS_EVENTS),
    Emitter("notifications", "LINLI_NOTIFICATIONS", NOTIFICATION_EVENTS),
    Emitter("community", "LINLI_COMMUNITY", COMMUNITY_EVENTS),
)

ALL_EVENTS: tuple[type[EventData], ...] = tuple(e for em in EMITTERS for e in em.events)
BY_NAME: dict[str, type[EventData]] = {e.event_name(): e for e in ALL_EVENTS}
BY_TYPE: dict[str, type[EventData]] = {e.event_type(): e for e in ALL_EVENTS}


def emitter_of(event_name: str) -> Emitter:
    for emitter in EMITTERS:
        if any(e.event_name() == event_name for e in emitter.events):
            return emitter
    raise KeyError(event_name)


def model_for_type(event_type: str) -> type[EventData]:
    """The payload model of a CloudEvents type; raises KeyError for an unknown type or major version."""
    parse_type(event_type)
    return BY_TYPE[event_type]
