"""The notifications service's refusals, named by meaning (the kernel maps each kind to its problem)."""

from __future__ import annotations

import uuid

from services.kernel.errors import DoesNotExist, InvalidInput, NotPermitted, RuleBroken


class TemplateNotFound(DoesNotExist):
    def __init__(self, key: str, known_keys: list[str], language: str | None = None, *, own: bool = False) -> None:
        where = f" in {language}" if language else ""
        if own:
            super().__init__(
                f"Your community has no version of its own of template {key}{where}.", known_keys=known_keys
            )
        else:
            super().__init__(f"No template {key}{where}.", known_keys=known_keys)


class InboxItemNotFound(DoesNotExist):
    def __init__(self, item_id: uuid.UUID) -> None:
        super().__init__(f"No inbox item {item_id} of yours.")


class PersonNotFound(DoesNotExist):
    """A person whose preferences belong to another community: not there for this admin."""

    def __init__(self, person_id: str) -> None:
        super().__init__(f"No person {person_id} in your community.")


class SubscriptionNotFound(DoesNotExist):
    """Not there, or another community's (answered alike)."""

    def __init__(self, subscription_id: uuid.UUID) -> None:
        super().__init__(f"No subscription {subscription_id}.")


class DeliveryNotFound(DoesNotExist):
    def __init__(self, subscription_id: uuid.UUID, delivery_id: uuid.UUID) -> None:
        super().__init__(f"No delivery {delivery_id} of subscription {subscription_id}.")


class CommunityOutOfReach(NotPermitted):
    """A subscription for a community the caller's token does not reach."""

    def __init__(self, community: str) -> None:
        super().__init__(f"Your token does not reach the community {community!r}.")


class StillBeingTried(RuleBroken):
    """A delivery still pending cannot be redelivered."""

    def __init__(self, status: str) -> None:
        super().__init__("This delivery is still being tried.", reason="still-pending", current=status)


class DestinationRefused(InvalidInput):
    """A webhook or robot URL that points inside: the service will not send there (SSRF)."""

    def __init__(self, url: str, why: str) -> None:
        super().__init__(
            f"Linli does not send to {url}: {why}. Internal receivers must be listed in notifications_allowed_networks.",
            detail_zh="不能向内网或本机地址发送消息。",
            reason="destination-not-allowed",
        )
