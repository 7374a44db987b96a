"""Routes: a person's data export (their own, or an admin's for a named person) and forgetting a person (admin)."""

from __future__ import annotations

from services.kernel.people import people_router
from services.shifts.service_layer.personal_data import export_person, forget_person

router = people_router("shifts", export_person, forget_person)
