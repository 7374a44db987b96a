"""Settings of the shifts service (environment prefix LINLI_, like every service)."""

from __future__ import annotations

from pydantic import Field

from services.kernel.settings import ServiceSettings


class ShiftsSettings(ServiceSettings):
    """The sign-up rules a community may tune.

    - `shifts_signup_opens_hours`: sign-up opens this many hours before a shift starts (default 14 days).
    - `shifts_cancel_cutoff_hours`: a volunteer may cancel until this many hours before the start (default 3).
    - `shifts_no_show_limit` / `shifts_no_show_window_days`: this many no-shows within the window
      suspend a volunteer until a post leader re-approves them (default 2 in 90 days).
    - `shifts_checkin_opens_minutes`: check-in opens this many minutes before the start (default 60).
    - `shifts_generate_weeks`: templates generate concrete shifts this many weeks ahead (default 4).
    - `shifts_generate_interval_seconds`: how often the background loop generates (default 1 h).
    - `shifts_public_base_url`: the base URL put into iCalendar feed links.
    """

    shifts_signup_opens_hours: float = Field(default=14 * 24, gt=0)
    shifts_cancel_cutoff_hours: float = Field(default=3, ge=0)
    shifts_no_show_limit: int = Field(default=2, ge=1)
    shifts_no_show_window_days: int = Field(default=90, ge=1)
    shifts_checkin_opens_minutes: float = Field(default=60, ge=0)
    shifts_generate_weeks: int = Field(default=4, ge=1, le=52)
    shifts_generate_interval_seconds: float = Field(default=3600, gt=0)
    shifts_public_base_url: str = Field(default="http://127.0.0.1:8083", max_length=500)
