"""Event-type patterns of webhook subscriptions: "*", "issue.*" or an exact name "points.awarded"."""

from __future__ import annotations

from contracts.catalogue import ALL_EVENTS

OWN_ENTITY = "notification"
KNOWN_NAMES = frozenset(e.event_name() for e in ALL_EVENTS if e.entity != OWN_ENTITY)
KNOWN_ENTITIES = frozenset(name.split(".")[0] for name in KNOWN_NAMES)
PATTERNS = ("*", *sorted(f"{entity}.*" for entity in KNOWN_ENTITIES), *sorted(KNOWN_NAMES))
"""Every pattern a subscription may name: all events, all of one entity's, or one event."""


class InvalidPattern(ValueError):
    pass


def validate(pattern: str) -> str:
    if pattern == "*":
        return pattern
    entity, _, verb = pattern.partition(".")
    if entity not in KNOWN_ENTITIES:
        raise InvalidPattern(f"{pattern!r}: unknown entity {entity!r}; known: {', '.join(sorted(KNOWN_ENTITIES))}")
    if verb == "*" or pattern in KNOWN_NAMES:
        return pattern
    raise InvalidPattern(f"{pattern!r} names no event; use '*', '<entity>.*' or an event name such as 'issue.resolved'")


def matches(patterns: list[str], event_name: str) -> bool:
    entity = event_name.split(".")[0]
    return any(p in ("*", event_name, f"{entity}.*") for p in patterns)
