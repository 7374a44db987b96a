"""Every service's list of what it holds about a person is real SQL on its real schema: each table
and column it names exists, and export and forgetting run (on a person with no rows) in every service."""

from __future__ import annotations

import importlib

import pytest

from services.kernel.migrate import SERVICE_NAMES
from services.kernel.privacy import pseudonym
from tests.support.sql import connection


@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_each_service_exports_and_forgets_a_person_it_knows_nothing_of(database_url: str, service: str) -> None:
    personal_data = importlib.import_module(f"services.{service}.adapters.personal_data")

    async with connection(database_url, service) as conn, conn.transaction():
        data = await personal_data.export(conn, "meihu", "nobody")
        done = await personal_data.forget(conn, "meihu", "nobody", pseudonym("meihu", "nobody"))

    assert data
    assert all(rows == [] for rows in data.values())
    assert not any(done.deleted.values())
    assert not any(done.anonymised.values())
