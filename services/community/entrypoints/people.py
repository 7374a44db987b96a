"""Routes: a person's data export (their own, or an admin's for a named person) and forgetting a person (admin)."""

from __future__ import annotations

from services.community.service_layer.personal_data import export_person, forget_person
from services.kernel.people import people_router

router = people_router("community", export_person, forget_person)
