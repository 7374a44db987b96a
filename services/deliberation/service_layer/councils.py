"""Commands on councils and their members (admins of the community)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from contracts.enums import CouncilKind, CouncilParty, CouncilPosition, MeetingMode
from services.deliberation.adapters.rows import Row
from services.deliberation.domain.errors import BadValues, NotFoundError, StateConflict
from services.deliberation.service_layer.access import council_for, require_own_community
from services.deliberation.service_layer.scheduling import schedule_council
from services.deliberation.service_layer.unit_of_work import DeliberationUnitOfWork
from services.kernel.identity import Principal

DEFAULT_NAMES = {"consultation": "协商议事会", "women": "妇女议事会"}


class CouncilExists(StateConflict):
    """The community already has a council of this kind."""

    def __init__(self, kind: str, existing: uuid.UUID) -> None:
        super().__init__(
            f"The community already has a {kind} council.", reason="council_exists", existing_council_id=str(existing)
        )


@dataclass(frozen=True)
class MemberTerms:
    """A seat on a council: who, for which party, in which position, from when until when."""

    name: str
    party: CouncilParty
    term_from: date
    position: CouncilPosition = CouncilPosition.MEMBER
    term_until: date | None = None

    def check(self) -> None:
        if self.term_until is not None and self.term_until < self.term_from:
            raise BadValues("The term cannot end before it starts.", field="term_until")


@dataclass(frozen=True)
class NewCouncil:
    kind: CouncilKind
    name: str | None = None
    majority_rule: str = "simple"
    quorum_fraction: Decimal = Decimal("0.5")
    meeting_time: time | None = None
    timezone: str | None = None
    duration_minutes: int | None = None
    default_mode: MeetingMode = MeetingMode.IN_PERSON
    location: str | None = None
    members: list[tuple[str, MemberTerms]] = field(default_factory=list)
    """(person id, terms) of the members from the start."""


def _member_values(council: Row, person_id: str, member: MemberTerms) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "council_id": council["id"],
        "community": council["community"],
        "person_id": person_id,
        "name": member.name,
        "party": member.party.value,
        "position": member.position.value,
        "voting": member.position != CouncilPosition.OBSERVER,
        "term_from": member.term_from,
        "term_until": member.term_until,
    }


async def create_council(uow: DeliberationUnitOfWork, principal: Principal, new: NewCouncil) -> Row:
    """A council of the caller's community, with its members, and its first-Friday sessions scheduled.

    Meeting time, timezone and length default to the service's settings and the community's zone."""
    settings = uow.settings
    timezone = new.timezone or settings.time_zone
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadValues(f"Unknown timezone {timezone!r}.", field="timezone") from exc
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "community": principal.community,
        "kind": new.kind.value,
        "name": new.name or DEFAULT_NAMES[new.kind.value],
        "majority_rule": new.majority_rule,
        "quorum_fraction": new.quorum_fraction,
        "meeting_time": new.meeting_time or settings.deliberation_meeting_time,
        "timezone": timezone,
        "duration_minutes": new.duration_minutes or settings.deliberation_duration_minutes,
        "default_mode": new.default_mode.value,
        "location": new.location,
        "feed_token": secrets.token_urlsafe(32),
    }
    async with uow:
        row = await uow.repo.insert_council(values)
        if row is None:
            existing = await uow.repo.council_of_kind(principal.community, new.kind.value)
            assert existing is not None
            raise CouncilExists(new.kind.value, existing["id"])
        if len({person_id for person_id, _ in new.members}) != len(new.members):
            raise BadValues("A person appears twice among the members.", field="members")
        for person_id, member in new.members:
            member.check()
            await uow.repo.upsert_member(_member_values(row, person_id, member))
        await schedule_council(uow, row)
        await uow.audit(
            "council.created",
            row["id"],
            principal,
            {"kind": new.kind.value, "name": values["name"], "members": [person for person, _ in new.members]},
        )
        return row


async def update_council(
    uow: DeliberationUnitOfWork, council_id: uuid.UUID, principal: Principal, values: dict[str, Any]
) -> Row:
    """Change a council's name, rules, default mode or location."""
    async with uow:
        row = await council_for(uow, council_id, principal)
        require_own_community(row["community"], principal)
        if not values:
            return row
        await uow.audit("council.changed", council_id, principal, values)
        return await uow.repo.update_council(council_id, values)


async def rotate_feed_token(uow: DeliberationUnitOfWork, council_id: uuid.UUID, principal: Principal) -> Row:
    """A new calendar feed address; the old one stops answering."""
    async with uow:
        row = await council_for(uow, council_id, principal)
        require_own_community(row["community"], principal)
        await uow.audit("council.feed_reissued", council_id, principal)
        return await uow.repo.update_council(council_id, {"feed_token": secrets.token_urlsafe(32)})


async def put_member(
    uow: DeliberationUnitOfWork, council_id: uuid.UUID, principal: Principal, person_id: str, member: MemberTerms
) -> Row:
    """Add a member, or change the party, position or term of one."""
    member.check()
    async with uow:
        council = await council_for(uow, council_id, principal)
        require_own_community(council["community"], principal)
        row = await uow.repo.upsert_member(_member_values(council, person_id, member))
        await uow.audit("council.member_set", council_id, principal, {"person_id": person_id, **vars(member)})
        return row


async def remove_member(
    uow: DeliberationUnitOfWork, council_id: uuid.UUID, principal: Principal, person_id: str
) -> None:
    """Remove a member; one who has attended keeps their record and their term ends yesterday instead."""
    async with uow:
        council = await council_for(uow, council_id, principal)
        require_own_community(council["community"], principal)
        if await uow.repo.has_attended(council_id, person_id):
            await uow.repo.end_term(council_id, person_id, uow.now().date() - timedelta(days=1))
        elif not await uow.repo.delete_member(council_id, person_id):
            raise NotFoundError("No such member.", person_id=person_id)
        await uow.audit("council.member_removed", council_id, principal, {"person_id": person_id})
