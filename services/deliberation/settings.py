"""Settings of the deliberation service (environment prefix LINLI_)."""

from __future__ import annotations

from datetime import time

from pydantic import Field

from services.kernel.settings import ServiceSettings


class DeliberationSettings(ServiceSettings):
    """Every variable is documented here and in the README.

    - LINLI_DELIBERATION_MEETING_TIME: local start time of the first-Friday sessions (default 19:00), in the
      council's timezone; a council created without one takes the community's (kernel setting LINLI_TIME_ZONE).
    - LINLI_DELIBERATION_DURATION_MINUTES: how long a session lasts (its window for online votes).
    - LINLI_DELIBERATION_MONTHS_AHEAD: how many months ahead sessions are scheduled.
    - LINLI_DELIBERATION_SCHEDULE_INTERVAL: seconds between runs of the scheduling loop.
    - LINLI_DELIBERATION_PUBLIC_URL: base URL put in front of calendar feed paths (none: relative paths).
    """

    deliberation_meeting_time: time = time(19, 0)
    deliberation_duration_minutes: int = Field(default=120, ge=15, le=1440)
    deliberation_months_ahead: int = Field(default=3, ge=0, le=24)
    deliberation_schedule_interval: float = Field(default=3600.0, gt=0)
    deliberation_public_url: str = ""
