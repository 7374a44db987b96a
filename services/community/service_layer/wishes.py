"""Micro-wish commands: one async function per thing a person asks, and the intake reaction.

Each opens the unit of work, loads the wish with a row lock, calls one domain method and saves;
the events the wish recorded go to the outbox when the unit of work commits. Who may see what
of a wish is decided here too (`wish_view`): the family is named to the committees only.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from contracts.enums import IssueCategory, Role
from contracts.envelope import CloudEvent
from contracts.events.issue import IssueSubmitted
from services.community.domain.wishes import Channel, Claimer, Wish, WishNotFound
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.kernel.errors import NotPermitted
from services.kernel.identity import Principal

log = logging.getLogger("linli.community.wishes")
INTAKE_NAMESPACE = uuid.UUID("8d1f5a52-3c1e-4f0b-9a57-6f7e0c2b9d14")


def wish_id_for_issue(community: str, issue_id: uuid.UUID) -> uuid.UUID:
    """The wish a matter becomes: derived from the issue, so the same submission is one wish."""
    return uuid.uuid5(INTAKE_NAMESPACE, f"{community}:{issue_id}")


def is_committee(principal: Principal | None, community: str) -> bool:
    return principal is not None and principal.has(Role.COMMITTEE) and principal.community == community


async def _load(uow: CommunityUnitOfWork, wish_id: uuid.UUID, principal: Principal) -> Wish:
    """The wish of the caller's community, locked; a candidate (private until approved) is there for
    its committees only, so no one else learns from a refusal that it exists or what state it is in."""
    wish = await uow.wishes.get_for_update(wish_id)
    if wish is None or wish.community != principal.community:
        raise WishNotFound(wish_id)
    if wish.status == "candidate" and not is_committee(principal, wish.community):
        raise WishNotFound(wish_id)
    return wish


async def on_issue_submitted(uow: CommunityUnitOfWork, event: CloudEvent[IssueSubmitted]) -> None:
    """A matter of category micro_wish becomes a private wish candidate; the reporter is the family."""
    data = event.data
    if data.category != IssueCategory.MICRO_WISH:
        return
    if not data.reporter_id:
        log.warning("micro-wish issue %s names no reporter; no candidate made", data.issue_id)
        return
    async with uow:
        wish = Wish.candidate(
            wish_id=wish_id_for_issue(event.community, data.issue_id),
            community=event.community,
            issue_id=data.issue_id,
            family_id=data.reporter_id,
            title=data.title,
            building_group=data.building_group,
            now=uow.now(),
        )
        await uow.wishes.add(wish)


async def enter(
    uow: CommunityUnitOfWork,
    *,
    by: Principal,
    channel: Channel,
    family_id: str,
    title: str,
    description: str,
    building_group: int | None,
) -> Wish:
    """A committee enters a wish it collected (festival, visit, its own round): on the board at once."""
    async with uow:
        wish = Wish.entered(
            wish_id=uuid.uuid4(),
            community=by.community,
            channel=channel,
            family_id=family_id,
            title=title,
            description=description,
            building_group=building_group,
            actor=by.sub,
            now=uow.now(),
        )
        await uow.wishes.add(wish)
        await uow.audit(
            "wish.entered", wish.id, by, {"channel": channel, "family_id": family_id, "building_group": building_group}
        )
        return wish


async def approve(
    uow: CommunityUnitOfWork,
    *,
    wish_id: uuid.UUID,
    by: Principal,
    title: str | None,
    description: str | None,
    building_group: int | None,
) -> Wish:
    async with uow:
        wish = await _load(uow, wish_id, by)
        wish.approve(by.sub, title=title, description=description, building_group=building_group, now=uow.now())
        await uow.wishes.save(wish)
        await uow.audit("wish.approved", wish_id, by, {"building_group": building_group})
        return wish


async def claim(
    uow: CommunityUnitOfWork,
    *,
    wish_id: uuid.UUID,
    principal: Principal,
    kind: str,
    unit_name: str | None,
    contact_id: str | None,
    contact_name: str | None,
) -> Wish:
    """A person claims as themself (person, party_member); a committee records a unit's claim."""
    if kind == "unit":
        if not is_committee(principal, principal.community):
            raise NotPermitted("A committee records a unit's claim / 单位认领由两委登记.", required_roles=["committee"])
        claimer = Claimer("unit", unit_name or "", contact_id, contact_name)
    else:
        claimer = Claimer("party_member" if kind == "party_member" else "person", principal.name, principal.sub)
    async with uow:
        wish = await _load(uow, wish_id, principal)
        wish.claim(claimer, uow.now())
        await uow.wishes.save(wish)
        if kind == "unit":  # a committee recording a unit's claim
            await uow.audit("wish.unit_claim_recorded", wish_id, principal, {"unit_name": unit_name})
        return wish


async def fulfil(
    uow: CommunityUnitOfWork, *, wish_id: uuid.UUID, principal: Principal, note: str, photo_url: str
) -> Wish:
    async with uow:
        wish = await _load(uow, wish_id, principal)
        wish.fulfil(
            principal.sub,
            is_committee=is_committee(principal, wish.community),
            note=note,
            photo_url=photo_url,
            now=uow.now(),
        )
        await uow.wishes.save(wish)
        return wish


async def confirm(uow: CommunityUnitOfWork, *, wish_id: uuid.UUID, principal: Principal) -> Wish:
    async with uow:
        wish = await _load(uow, wish_id, principal)
        wish.confirm(principal.sub, uow.now())
        await uow.wishes.save(wish)
        return wish


# -- who sees what ----------------------------------------------------------------------------

_PUBLIC = ("id", "status", "channel", "building_group", "claimer_kind", "claimer_name")
_TIMES = ("created_at", "approved_at", "claimed_at", "fulfilled_at", "confirmed_at")


def wish_view(viewer: Principal | None, row: dict[str, Any]) -> dict[str, Any]:
    """A wish as `viewer` may see it (None: an anonymous reader of the board).

    Everyone: the public wording, status, building group, who claimed it (a name, as the board
    shows it). The committees: also the family, the matter it was raised as and the family's own
    wording. The claimer and the family: also the fulfilment note and photo."""
    view: dict[str, Any] = {key: row[key] for key in (*_PUBLIC, *_TIMES)}
    view["title"] = row["public_title"] or row["private_title"]
    view["description"] = row["public_description"]
    committee = is_committee(viewer, row["community"])
    involved = viewer is not None and viewer.sub in (row["claimer_id"], row["family_id"])
    if committee or involved:
        view["fulfil_note"] = row["fulfil_note"]
        view["photo_url"] = row["photo_url"]
    if committee:
        view["committee"] = {
            "family_id": row["family_id"],
            "issue_id": row["issue_id"],
            "private_title": row["private_title"],
            "private_description": row["private_description"],
            "claimer_id": row["claimer_id"],
            "unit_contact": row["unit_contact"],
            "approved_by": row["approved_by"],
        }
    return view
