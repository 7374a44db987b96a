"""Commands: one async function per thing a person (or the service's start-up) asks of notifications.

Each opens the unit of work it is given (`async with uow:`) and answers the stored row or
raises one of the service's refusals (domain/errors.py), which the kernel maps to problems.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from services.kernel.identity import Principal
from services.notifications.adapters import destinations
from services.notifications.domain import signing
from services.notifications.domain.default_templates import DEFAULTS
from services.notifications.domain.errors import (
    CommunityOutOfReach,
    DeliveryNotFound,
    DestinationRefused,
    InboxItemNotFound,
    PersonNotFound,
    StillBeingTried,
    SubscriptionNotFound,
    TemplateNotFound,
)
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.quiet_hours import QuietHours
from services.notifications.domain.templates import validate
from services.notifications.service_layer.unit_of_work import NotificationsUnitOfWork

# -- the inbox ----------------------------------------------------------------------------


async def mark_read(uow: NotificationsUnitOfWork, principal: Principal, item_id: uuid.UUID) -> dict[str, Any]:
    """Mark one of my inbox items read (the first time counts); another's is not there."""
    async with uow.one_statement():
        row = await uow.notifications.mark_read(item_id, principal.sub, principal.community, uow.now())
    if row is None:  # a broadcast to the reader's community or building group, read by this reader
        async with uow:
            row = await uow.broadcasts.mark_read(
                item_id, principal.sub, principal.community, principal.building_group, uow.now()
            )
    if row is None:
        raise InboxItemNotFound(item_id)
    return {**row, "unread": row["read_at"] is None}


async def mark_all_read(uow: NotificationsUnitOfWork, principal: Principal) -> None:
    async with uow:
        await uow.notifications.mark_all_read(principal.sub, principal.community, uow.now())
        await uow.broadcasts.mark_all_read(principal.sub, principal.community, principal.building_group, uow.now())


# -- preferences --------------------------------------------------------------------------


@dataclass(frozen=True)
class WantedPreferences:
    """What a person asks for; quiet hours (start, end) without a zone are read in the community's."""

    language: str
    email: str | None
    inbox_enabled: bool
    email_enabled: bool
    quiet: tuple[time, time] | None
    quiet_zone: str | None = None


async def save_preferences(
    uow: NotificationsUnitOfWork,
    person_id: str,
    community: str,
    wanted: WantedPreferences,
    *,
    display_name: str | None = None,
    by: Principal | None = None,
) -> Preferences:
    """Replace a person's preferences (and remember the name their token carries, if given).

    `by`: an admin replacing someone else's, which the audit log records."""
    zone = uow.settings.time_zone
    quiet = QuietHours(*wanted.quiet, wanted.quiet_zone or zone) if wanted.quiet else None
    prefs = Preferences(
        person_id=person_id,
        language=wanted.language,
        email=wanted.email,
        inbox_enabled=wanted.inbox_enabled,
        email_enabled=wanted.email_enabled,
        quiet=quiet,
    )
    async with uow:
        if by is not None and await uow.people.community_of(person_id) not in (None, community):
            raise PersonNotFound(person_id)  # another community's person is not there for this admin
        await uow.people.save(prefs, community, zone, display_name)
        if by is not None and by.sub != person_id:
            await uow.audit(
                "preferences.replaced",
                person_id,
                by,
                {"language": wanted.language, "inbox": wanted.inbox_enabled, "email": wanted.email_enabled},
            )
        return await uow.people.preferences(person_id, zone)


# -- channels and templates ---------------------------------------------------------------


async def _check_destination(uow: NotificationsUnitOfWork, url: str) -> None:
    """Refuse a URL that points inside (loopback, private, link-local/metadata...), after DNS."""
    if why := await destinations.why_refused(url, uow.settings.allowed_networks):
        raise DestinationRefused(url, why)


async def put_robot(uow: NotificationsUnitOfWork, by: Principal, group: int, url: str) -> dict[str, Any]:
    """A building group's robot; the audit log names its host only, since a robot URL carries its key."""
    await _check_destination(uow, url)
    async with uow:
        row = await uow.channels.put_robot(by.community, group, url)
        await uow.audit("robot.set", str(group), by, {"host": urlsplit(url).hostname})
    uow.components.caches.robots.forget(by.community)  # this instance at once; the others on the notification
    return row


async def delete_robot(uow: NotificationsUnitOfWork, by: Principal, group: int) -> None:
    async with uow:
        await uow.channels.delete_robot(by.community, group)
        await uow.audit("robot.removed", str(group), by)
    uow.components.caches.robots.forget(by.community)


async def install_default_templates(uow: NotificationsUnitOfWork) -> None:
    """The default texts, once (an admin's edits are kept); at start-up, before consumers run."""
    async with uow:
        await uow.channels.install_default_templates()


async def save_template(
    uow: NotificationsUnitOfWork, key: str, language: str, subject: str, body: str, by: Principal
) -> dict[str, Any]:
    """The admin's community's own version of a template, once its placeholders are checked (other
    communities keep theirs); this instance uses it at once, every other one once the database's
    notification reaches it (milliseconds)."""
    if key not in DEFAULTS:
        raise TemplateNotFound(key, sorted(DEFAULTS))
    validate(key, subject, body)
    async with uow:
        row = await uow.channels.save_template(by.community, key, language, subject, body, by.sub)
        await uow.audit("template.changed", f"{key}/{language}", by, {"subject": subject, "body": body})
    uow.components.caches.templates.forget(by.community)
    return {**row, "own": True}


async def reset_template(uow: NotificationsUnitOfWork, key: str, language: str, by: Principal) -> None:
    """Drop the admin's community's own version of a template: the stack's text is used again (a community
    without a version of its own is already there: nothing changes, nothing is audited)."""
    if key not in DEFAULTS:
        raise TemplateNotFound(key, sorted(DEFAULTS))
    async with uow:
        if await uow.channels.reset_template(by.community, key, language):
            await uow.audit("template.reset", f"{key}/{language}", by)
    uow.components.caches.templates.forget(by.community)


# -- webhook subscriptions ----------------------------------------------------------------


async def subscribe(
    uow: NotificationsUnitOfWork,
    principal: Principal,
    *,
    url: str,
    event_types: Sequence[str],
    community: str | None,
    description: str | None,
) -> tuple[dict[str, Any], str]:
    """A new subscription of `community` (the caller's own by default); its row and its secret, shown once."""
    community = community or principal.community
    if not principal.can_read(community):
        raise CommunityOutOfReach(community)
    await _check_destination(uow, url)
    secret = signing.new_secret()
    async with uow:
        row = await uow.channels.add_subscription(
            community=community,
            url=url,
            event_types=event_types,
            description=description,
            secret=secret,
            created_by=principal.sub,
            at=uow.now(),
        )
        await uow.audit(
            "subscription.created",
            row["id"],
            principal,
            {"receiver": _without_query(url), "community": community, "event_types": list(event_types)},
        )
    uow.components.caches.subscriptions.forget(community)
    return row, secret


def _without_query(url: str) -> str:
    """A receiver's address for the audit log: a query string may carry its credentials."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.hostname or "", parts.path, "", ""))


async def _subscription(
    uow: NotificationsUnitOfWork, principal: Principal, subscription_id: uuid.UUID
) -> dict[str, Any]:
    row = await uow.channels.subscription_for_update(subscription_id)
    if row is None or not principal.can_read(row["community"]):
        raise SubscriptionNotFound(subscription_id)
    return row


async def unsubscribe(uow: NotificationsUnitOfWork, principal: Principal, subscription_id: uuid.UUID) -> None:
    """Stop a subscription; its delivery log stays."""
    async with uow:
        row = await _subscription(uow, principal, subscription_id)
        await uow.channels.deactivate(subscription_id)
        await uow.audit("subscription.stopped", subscription_id, principal)
    uow.components.caches.subscriptions.forget(row["community"])


async def rotate_secret(
    uow: NotificationsUnitOfWork, principal: Principal, subscription_id: uuid.UUID, grace_seconds: float | None
) -> tuple[dict[str, Any], str]:
    """A new secret; the old one stays valid for `grace_seconds` (the service's default if None)."""
    grace = grace_seconds if grace_seconds is not None else uow.settings.notifications_secret_grace
    secret = signing.new_secret()
    async with uow:
        await _subscription(uow, principal, subscription_id)
        row = await uow.channels.rotate_secret(subscription_id, secret, uow.now() + timedelta(seconds=grace))
        await uow.audit("subscription.secret_rotated", subscription_id, principal, {"grace_seconds": grace})
    return row, secret


async def redeliver(
    uow: NotificationsUnitOfWork, principal: Principal, subscription_id: uuid.UUID, delivery_id: uuid.UUID
) -> None:
    """Send a finished delivery again with a fresh retry window (same webhook-id); a pending one is refused."""
    async with uow:
        await _subscription(uow, principal, subscription_id)
        current = await uow.notifications.webhook_delivery_for_update(subscription_id, delivery_id)
        if current is None:
            raise DeliveryNotFound(subscription_id, delivery_id)
        if current["status"] == "pending":
            raise StillBeingTried(current["status"])
        await uow.notifications.send_again(delivery_id, uow.now())
        await uow.audit("delivery.redelivered", delivery_id, principal, {"subscription_id": subscription_id})
