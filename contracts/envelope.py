"""The CloudEvents 1.0 envelope (structured JSON mode) and the NATS subject naming.

Every event Linli emits travels as one `CloudEvent[Data]`; `Data` is a model from
`contracts.events`. The event id is also the JetStream `Nats-Msg-Id`, so the broker
drops a re-published duplicate and consumers key their idempotency on it.
"""

from __future__ import annotations

import functools
import re
import uuid
from datetime import UTC, datetime
from typing import ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

SPEC_VERSION = "1.0"
TYPE_PREFIX = "linli."
SCHEMA_BASE = "https://linli.example.org/schemas/"
COMMUNITY_PATTERN = r"^[a-z][a-z0-9_-]{1,39}$"
_TYPE_RE = re.compile(r"^linli\.([a-z_]+)\.([a-z_]+)\.v(\d+)$")


class EventData(BaseModel):
    """Base of every event payload.

    `entity` and `verb` name the event (`issue.resolved`); `version` is the major
    version of its schema. A change that removes or retypes a field, or adds a required
    one, needs a new major version (a test compares against the committed schemas).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    entity: ClassVar[str]
    verb: ClassVar[str]
    version: ClassVar[int] = 1
    summary: ClassVar[str] = ""

    @classmethod
    def event_name(cls) -> str:
        """`issue.resolved`: the name used in subjects and subscriptions."""
        return f"{cls.entity}.{cls.verb}"

    @classmethod
    def event_type(cls) -> str:
        """`linli.issue.resolved.v1`: the CloudEvents `type`."""
        return f"{TYPE_PREFIX}{cls.entity}.{cls.verb}.v{cls.version}"

    @classmethod
    def schema_uri(cls) -> str:
        return f"{SCHEMA_BASE}{cls.event_type()}.json"


D = TypeVar("D", bound=EventData)


def subject_for(community: str, event_name: str) -> str:
    """NATS subject of an event: `linli.<community>.<entity>.<verb>`."""
    return f"linli.{community}.{event_name}"


def subject_filter(event_name: str, community: str = "*") -> str:
    """Subject filter a consumer uses: every community unless one is named."""
    return f"linli.{community}.{event_name}"


def parse_type(event_type: str) -> tuple[str, int]:
    """Split `linli.issue.resolved.v1` into (`issue.resolved`, 1)."""
    match = _TYPE_RE.match(event_type)
    if match is None:
        raise ValueError(f"not a Linli event type: {event_type!r}")
    return f"{match.group(1)}.{match.group(2)}", int(match.group(3))


class CloudEvent(BaseModel, Generic[D]):
    """CloudEvents 1.0 structured-mode envelope with the W3C `traceparent` extension."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    specversion: str = Field(default=SPEC_VERSION, pattern=r"^1\.0$")
    id: uuid.UUID = Field(default_factory=uuid.uuid4, description="Unique; also the Nats-Msg-Id.")
    source: str = Field(pattern=r"^/linli/[a-z][a-z0-9_-]{1,39}/[a-z]+$", description="/linli/<community>/<service>")
    type: str = Field(pattern=r"^linli\.[a-z_]+\.[a-z_]+\.v\d+$")
    time: datetime
    subject: str = Field(min_length=1, max_length=200, description="The aggregate id.")
    datacontenttype: str = "application/json"
    dataschema: str
    traceparent: str | None = Field(default=None, pattern=r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
    community: str = Field(pattern=COMMUNITY_PATTERN, description="Extension: the community the event belongs to.")
    data: D

    @field_validator("time")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("time must carry a timezone")
        return value

    @property
    def event_name(self) -> str:
        return parse_type(self.type)[0]

    @property
    def nats_subject(self) -> str:
        return subject_for(self.community, self.event_name)

    @classmethod
    def wrap(
        cls,
        data: D,
        *,
        community: str,
        service: str,
        subject: str,
        traceparent: str | None = None,
        event_id: uuid.UUID | None = None,
        time: datetime | None = None,
    ) -> CloudEvent[D]:
        """Put a payload in its envelope."""
        model: type[CloudEvent[D]] = envelope_of(type(data))
        return model(
            id=event_id or uuid.uuid4(),
            source=f"/linli/{community}/{service}",
            type=data.event_type(),
            time=time or datetime.now(UTC),
            subject=subject,
            dataschema=data.schema_uri(),
            traceparent=traceparent,
            community=community,
            data=data,
        )


@functools.cache
def envelope_of(data_type: type[D]) -> type[CloudEvent[D]]:
    """`CloudEvent[data_type]`, made once and kept for the life of the process.

    pydantic keeps parametrised generics only weakly: an envelope type no live event holds is
    collected and, next time, built again with its whole validation schema (milliseconds)."""
    model: type[CloudEvent[D]] = CloudEvent[data_type]  # type: ignore[valid-type]
    return model
