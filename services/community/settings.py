"""Community's settings (env prefix LINLI_), on top of what every service reads."""

from __future__ import annotations

from pydantic import Field

from services.kernel.settings import ServiceSettings


class CommunitySettings(ServiceSettings):
    """Settings of the community service."""

    community_board_community: str = Field(default="meihu", pattern=r"^[a-z0-9-]+$", max_length=40)
    """Publicity: the community the public 亮身份 board (GET /board, no token) shows when no ?community= is given."""
    community_board_name: str = Field(default="美湖社区", max_length=40)
    """Publicity: the community's name printed at the head of the board's A4 page (GET /board/print)."""
