"""The authorization matrix as data: a module per service, a row per route (see model.py)."""

from __future__ import annotations

from tests.security.matrix import community, deliberation, intake, notifications, rewards, shifts
from tests.security.matrix.model import Row

MATRIX: dict[str, list[Row]] = {
    intake.SERVICE: intake.ROWS,
    deliberation.SERVICE: deliberation.ROWS,
    shifts.SERVICE: shifts.ROWS,
    rewards.SERVICE: rewards.ROWS,
    notifications.SERVICE: notifications.ROWS,
    community.SERVICE: community.ROWS,
}
"""Every service's rows, by service name."""

PENDING: tuple[str, ...] = ()
"""Services whose rows are still to be written: their routes are not yet walked."""
