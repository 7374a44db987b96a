"""Quiet hours: when a non-urgent message waits for the morning.

Urgent messages are never deferred (see routing.URGENT). The inbox is silent (a person
pulls it), so quiet hours defer only the channels that reach a phone: e-mail and WeCom.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_START = time(22, 0)
DEFAULT_END = time(7, 0)


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time
    timezone: str
    """An IANA zone name: the person's own, or the community's (the kernel's time_zone)."""

    @classmethod
    def default(cls, timezone: str) -> QuietHours:
        """22:00-07:00 in `timezone`: what someone who never chose has."""
        return cls(DEFAULT_START, DEFAULT_END, timezone)

    @classmethod
    def parse(cls, text: str, timezone: str) -> QuietHours | None:
        """'22:00-07:00' -> QuietHours; '' -> None (no quiet hours)."""
        if not text:
            return None
        start, end = text.split("-")
        return cls(time.fromisoformat(start), time.fromisoformat(end), timezone)

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # the window crosses midnight

    def release_at(self, now: datetime, *, urgent: bool = False) -> datetime:
        """When a message created at `now` may go out: now, or the end of the quiet window."""
        if urgent:
            return now
        zone = ZoneInfo(self.timezone)
        local = now.astimezone(zone)
        if not self.contains(local.time().replace(tzinfo=None)):
            return now
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end = (local + timedelta(days=1)).replace(
                hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0
            )
        return end.astimezone(UTC)
