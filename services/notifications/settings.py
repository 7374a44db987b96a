"""Settings of the notifications service (env prefix LINLI_, e.g. LINLI_NOTIFICATIONS_SMTP_HOST)."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from services.kernel.settings import ServiceSettings
from services.notifications.domain.destinations import Network, networks


class NotificationSettings(ServiceSettings):
    """What the notifications service reads besides the kernel's settings.

    notifications_smtp_host: SMTP server; empty means no e-mail is sent (none is queued).
    notifications_smtp_port: its port (25, 465 with TLS, 587 with STARTTLS).
    notifications_smtp_from: the From address of every e-mail.
    notifications_smtp_tls: connect with implicit TLS (port 465).
    notifications_smtp_starttls: upgrade with STARTTLS (port 587).
    notifications_smtp_username / notifications_smtp_password: login, if the server wants one.
    notifications_smtp_timeout: seconds before an SMTP conversation is abandoned (then retried).
    notifications_worker_interval: seconds between scans of the delivery queue and the reminders.
    notifications_worker_batch: deliveries claimed per scan.
    notifications_lease: seconds a claimed delivery is hidden from other workers while it is sent.
    notifications_retry_base / notifications_retry_max: exponential back-off (seconds) with jitter.
    notifications_webhook_retry_window: how long a webhook delivery is retried before it fails (24 h).
    notifications_max_attempts: tries of an e-mail or WeCom message before it fails.
    notifications_webhook_timeout: seconds a subscriber's endpoint has to answer.
    notifications_wecom_limit / notifications_wecom_window: messages per window per robot (20 per 60 s).
    notifications_secret_grace: seconds the previous webhook secret stays valid after a rotation.
    notifications_allowed_networks: networks (CIDR) webhooks and WeCom robots may be sent to although
        they are loopback, private or link-local: a district's own internal receivers. Empty: none.
    notifications_group_quiet_hours: quiet hours of building-group channels, "HH:MM-HH:MM" or "".

    Quiet hours of groups and of people who chose no zone, and times in messages, are read in the
    community's time zone: the kernel's `time_zone` (LINLI_TIME_ZONE), `settings.zone`.
    """

    notifications_smtp_host: str = ""
    notifications_smtp_port: int = Field(default=25, ge=1, le=65535)
    notifications_smtp_from: str = "linli@meihu.example.org"
    notifications_smtp_tls: bool = False
    notifications_smtp_starttls: bool = False
    notifications_smtp_username: str | None = None
    notifications_smtp_password: SecretStr | None = None
    notifications_smtp_timeout: float = Field(default=15.0, gt=0)

    notifications_worker_interval: float = Field(default=1.0, gt=0)
    notifications_worker_batch: int = Field(default=50, ge=1, le=1000)
    notifications_lease: float = Field(default=60.0, gt=0)
    notifications_retry_base: float = Field(default=5.0, gt=0)
    notifications_retry_max: float = Field(default=3600.0, gt=0)
    notifications_webhook_retry_window: float = Field(default=86400.0, gt=0)
    notifications_max_attempts: int = Field(default=8, ge=1)
    notifications_webhook_timeout: float = Field(default=10.0, gt=0)

    notifications_wecom_limit: int = Field(default=20, ge=1)
    notifications_wecom_window: float = Field(default=60.0, gt=0)

    notifications_secret_grace: float = Field(default=86400.0, ge=0)
    notifications_allowed_networks: list[str] = Field(default_factory=list)

    @field_validator("notifications_allowed_networks")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        networks(value)  # a typo stops the service at start, not a delivery at night
        return value

    @property
    def allowed_networks(self) -> tuple[Network, ...]:
        return networks(self.notifications_allowed_networks)

    notifications_group_quiet_hours: str = Field(default="22:00-07:00", pattern=r"^(\d\d:\d\d-\d\d:\d\d)?$")
