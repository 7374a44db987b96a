"""Routes: a person's data export (their own, or an admin's for a named person) and forgetting a person (admin)."""

from __future__ import annotations

from services.kernel.people import people_router
from services.rewards.service_layer.personal_data import export_person, forget_person

router = people_router("rewards", export_person, forget_person)
