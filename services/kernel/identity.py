"""Who is calling, and the one rule for reading across communities.

Kept apart from auth.py (which checks tokens on HTTP requests) so the service layer can take
a Principal without importing anything of HTTP."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.enums import Role
from services.kernel.errors import DoesNotExist, NotPermitted


@dataclass(frozen=True)
class Principal:
    """Who is calling, from the token's claims."""

    sub: str
    name: str
    community: str
    roles: frozenset[str]
    building_group: int | None = None

    def has(self, *roles: Role | str) -> bool:
        return any(str(r) in self.roles for r in roles)

    @property
    def is_district(self) -> bool:
        return Role.DISTRICT in self.roles

    def can_read(self, community: str) -> bool:
        return community == self.community or self.is_district

    def readable(self, community: str | None) -> str:
        """The community a read is about: the caller's own when None, another only for the district.

        Another community's data is answered as if it did not exist (404, never 403), so a caller
        cannot even learn which communities or objects there are."""
        if community is None or community == self.community:
            return self.community
        if not self.is_district:
            raise DoesNotExist(f"There is no community {community} for you.", detail_zh="没有这个社区。")
        return community

    def require(self, *roles: Role | str) -> None:
        if not self.has(*roles):
            wanted = ", ".join(str(r) for r in roles)
            raise NotPermitted(f"This needs one of the roles: {wanted}.", required_roles=[str(r) for r in roles])
