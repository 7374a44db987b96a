"""Community's settings (env prefix LINLI_), on top of what every service reads."""

from __future__ import annotations

from pydantic import Field

from services.kernel.settings import ServiceSettings


class CommunitySettings(ServiceSettings):
    """Settings of the community service.

    community_names: each community's name as printed on its pages (the yearly report, the notice
    board), by community id; a community not named here is printed by its id.
    community_board_community: the community the public 亮身份 board (GET /board, no token) shows
    when no ?community= is given.
    """

    community_board_community: str = Field(default="meihu", pattern=r"^[a-z0-9-]+$", max_length=40)

    community_names: dict[str, str] = Field(
        default_factory=lambda: {"meihu": "合肥市包河区包公街道美湖社区"},
    )

    def community_name(self, community: str) -> str:
        return self.community_names.get(community, community)
