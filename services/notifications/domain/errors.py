"""The notifications service's refusals, named by meaning (the kernel maps each kind to its problem)."""

from __future__ import annotations

import uuid

from services.kernel.errors import DoesNotExist, NotPermitted, RuleBroken


class TemplateNotFound(DoesNotExist):
    def __init__(self, key: str, known_keys: list[str], language: str | None = None) -> None:
        where = f" in {language}" if language else ""
        super().__init__(f"No template {key}{where}.", known_keys=known_keys)


class InboxItemNotFound(DoesNotExist):
    def __init__(self, item_id: uuid.UUID) -> None:
        super().__init__(f"No inbox item {item_id} of yours.")


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
