"""A person's notification preferences, with the defaults for someone who never set any."""

from __future__ import annotations

from dataclasses import dataclass

from services.notifications.domain.quiet_hours import QuietHours


@dataclass(frozen=True)
class Preferences:
    person_id: str
    language: str = "zh-CN"
    email: str | None = None
    inbox_enabled: bool = True
    email_enabled: bool = True
    quiet: QuietHours | None = None

    @classmethod
    def defaults(cls, person_id: str, timezone: str) -> Preferences:
        """Someone who never set any: Chinese, inbox and e-mail on, quiet 22:00-07:00 in `timezone`."""
        return cls(person_id, quiet=QuietHours.default(timezone))

    @property
    def wants_email(self) -> bool:
        return self.email_enabled and bool(self.email)
