"""Configuration shared by every service: one pydantic-settings class, each variable documented in the README."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
RUN_DIR = REPO_ROOT / ".run"


class ServiceSettings(BaseSettings):
    """Settings every service reads from its environment (prefix LINLI_, except the two URLs)."""

    model_config = SettingsConfigDict(env_prefix="LINLI_", extra="ignore", frozen=True)

    database_url: str = Field(
        default="postgresql://postgres@127.0.0.1:5432/linli",
        validation_alias=AliasChoices("DATABASE_URL", "LINLI_DATABASE_URL"),
    )
    nats_url: str = Field(default="nats://127.0.0.1:4222", validation_alias=AliasChoices("NATS_URL", "LINLI_NATS_URL"))
    db_pool_min: int = Field(default=2, ge=1)
    db_pool_max: int = Field(default=10, ge=1)

    jwt_public_key_file: Path | None = RUN_DIR / "dev-jwt-public.pem"
    jwks_url: str | None = None
    jwks_min_refresh_seconds: float = Field(default=30.0, ge=0)
    """A token whose key id the services do not know fetches the provider's JWKS again, at most this often
    (a stream of made-up key ids must not turn every service into a client hammering the provider)."""
    jwt_issuer: str = "linli-dev"
    jwt_audience: str = "linli"

    pseudonym_key: str = ""
    """The secret a forgotten person's pseudonym is keyed with (services/kernel/privacy.py), the same in every
    service; with none (make run), a pseudonym can be recomputed by whoever guesses the person's id."""

    time_zone: str = "Asia/Shanghai"
    """The community's time zone: shift times, quiet hours, service days and calendars are read in it."""

    cors_origins: list[str] = [
        "http://127.0.0.1:8080",
        "http://localhost:8080",
        "http://localhost:5173",
        "http://127.0.0.1:5173",
    ]
    """Browser origins allowed to call the API: by default the web app as `make run` serves it (8080) and Vite's dev server (5173)."""
    log_level: str = "INFO"
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT", "LINLI_OTLP_ENDPOINT")
    )

    outbox_batch_size: int = Field(default=1000, ge=1, le=10_000)
    outbox_poll_interval: float = Field(default=1.0, gt=0)
    outbox_publish_timeout: float = Field(default=5.0, gt=0)
    outbox_relays: int = Field(default=2, ge=0, le=16)
    outbox_retention_hours: float = Field(default=168.0, gt=0)
    outbox_publish_after_commit: bool = True
    """Publish a transaction's outbox rows from the same process right after it commits (publisher.py);
    the relay then only picks up what that publish missed, after `outbox_relay_grace` seconds."""
    outbox_relay_grace: float = Field(default=5.0, gt=0)
    outbox_mark_delay: float = Field(default=0.05, ge=0, le=1.0)
    """How long the publisher gathers acknowledged rows before marking them published in one UPDATE (0: at once);
    kept far below `outbox_relay_grace`, so the relay never takes a row whose mark is only waiting."""

    consumer_batch_size: int = Field(default=256, ge=1, le=1000)
    consumer_max_ack_pending: int = Field(default=1000, ge=1)
    consumer_ack_wait: float = Field(default=30.0, gt=0)
    consumer_max_tries: int = Field(default=5, ge=1)
    consumer_backoff_base: float = Field(default=0.5, gt=0)
    consumer_backoff_max: float = Field(default=30.0, gt=0)

    stream_replicas: int = Field(default=1, ge=1, le=5)
    stream_duplicate_window: float = Field(default=120.0, gt=0)
    graceful_timeout: float = Field(default=15.0, gt=0)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)  # an unknown zone fails at start-up, not on the first shift
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)  # ZoneInfo keeps one instance per key

    @property
    def nats_servers(self) -> list[str]:
        """NATS_URL may list several servers of a cluster, comma-separated."""
        return [url.strip() for url in self.nats_url.split(",") if url.strip()]
