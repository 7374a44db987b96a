"""Community's settings (env prefix LINLI_), on top of what every service reads."""

from __future__ import annotations

from services.kernel.settings import ServiceSettings


class CommunitySettings(ServiceSettings):
    """Settings of the community service (none of its own yet beyond the kernel's)."""
