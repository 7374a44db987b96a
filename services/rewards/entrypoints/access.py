"""Who may see and do what in the love bank."""

from __future__ import annotations

from contracts.enums import Role
from services.kernel.auth import Principal
from services.rewards.domain.errors import NotAllowed

STAFF = (Role.ADMIN, Role.COMMITTEE)


def community_of(principal: Principal, community: str | None) -> str:
    """The community a read addresses: the caller's own, or another for a district reader (else 404)."""
    return principal.readable(community)


def may_see_person(principal: Principal, community: str, person_id: str) -> None:
    """A person sees their own account; staff of the community and district readers see everyone's."""
    if principal.sub == person_id and community == principal.community:
        return
    if principal.is_district or (community == principal.community and principal.has(*STAFF)):
        return
    raise NotAllowed("Only the account holder and the committees may see this account.")
