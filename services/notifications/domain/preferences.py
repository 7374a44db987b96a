"""A person's notification preferences, with the defaults for someone who never set any."""

from __future__ import annotations

from dataclasses import dataclass

from services.notifications.domain.quiet_hours import DEFAULT, QuietHours


@dataclass(frozen=True)
class Preferences:
    person_id: str
    language: str = "zh-CN"
    email: str | None = None
    inbox_enabled: bool = True
    email_enabled: bool = True
    quiet: QuietHours | None = DEFAULT

    @property
    def wants_email(self) -> bool:
        return self.email_enabled and bool(self.email)
