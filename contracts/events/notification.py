"""Events of the notifications service: what was delivered to whom, and what failed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from contracts.envelope import EventData

Channel = Literal["inbox", "wecom", "email", "webhook"]


class NotificationEvent(EventData):
    entity = "notification"

    notification_id: uuid.UUID
    source_event_id: uuid.UUID
    source_event_type: str
    recipient: str = Field(description="A person id, a building group channel, or a subscription id.")
    channel: Channel
    attempts: int = Field(ge=1)


class NotificationDelivered(NotificationEvent):
    verb = "delivered"
    summary = "A notification reached its recipient on one channel."
    delivered_at: datetime


class NotificationFailed(NotificationEvent):
    verb = "failed"
    summary = "A notification could not be delivered after its retries."
    reason: str = Field(max_length=2000)
    failed_at: datetime


NOTIFICATION_EVENTS: tuple[type[EventData], ...] = (NotificationDelivered, NotificationFailed)
