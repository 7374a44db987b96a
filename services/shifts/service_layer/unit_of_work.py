"""The shifts unit of work: the kernel's, with the shifts repository on its connection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from services.kernel.unit_of_work import UnitOfWork
from services.shifts.adapters.repository import ShiftsRepository
from services.shifts.domain.rules import SignupPolicy
from services.shifts.settings import ShiftsSettings


def policy_of(settings: ShiftsSettings) -> SignupPolicy:
    """The sign-up rules as the community tuned them."""
    return SignupPolicy(
        opens_before=timedelta(hours=settings.shifts_signup_opens_hours),
        cancel_cutoff=timedelta(hours=settings.shifts_cancel_cutoff_hours),
        no_show_limit=settings.shifts_no_show_limit,
        no_show_window=timedelta(days=settings.shifts_no_show_window_days),
        checkin_opens_before=timedelta(minutes=settings.shifts_checkin_opens_minutes),
    )


@dataclass(frozen=True)
class ShiftsComponents:
    """Shifts' process-wide parts, built once in bootstrap.py."""

    policy: SignupPolicy


class ShiftsUnitOfWork(UnitOfWork[ShiftsSettings]):
    components: ShiftsComponents

    @property
    def repo(self) -> ShiftsRepository:
        return ShiftsRepository(self.conn)

    @property
    def policy(self) -> SignupPolicy:
        return self.components.policy
