"""An upgrade: the previous release's database, filled with its demo data and a day's use, takes every
migration of this release and all six services start on it and answer with the data it held.

`release-48275f2/` is a `linli backup` of release 48275f2 (the five services before the leaderboard
totals, the in-place leaderboard, confirmed hours, derived balances and the inbox's own events):
its `make run` seeded Meihu, then an admin credited 王芳 200 points by hand and she redeemed a
haircut voucher (60) at the counter, so she held 165. Taking the next such backup is in deploy/README.md.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.community.bootstrap import create as community
from services.community.settings import CommunitySettings
from services.deliberation.bootstrap import create as deliberation
from services.deliberation.settings import DeliberationSettings
from services.intake.bootstrap import create as intake
from services.intake.settings import IntakeSettings
from services.kernel.backup import Manifest, restore
from services.kernel.migrate import SERVICE_NAMES, SERVICES_DIR, migrate_all
from services.notifications.bootstrap import create as notifications
from services.notifications.settings import NotificationSettings
from services.rewards.bootstrap import create as rewards
from services.rewards.settings import RewardsSettings
from services.shifts.bootstrap import create as shifts
from services.shifts.settings import ShiftsSettings
from services.stack.postgres import PostgresServer, postgres_bin_dir
from tests.support.infra import Tokens, new_database, running, settings_for
from tests.support.sql import connection

PREVIOUS_RELEASE = Path(__file__).parent / "release-48275f2"
APPS: dict[str, tuple[Any, type[Any]]] = {
    "intake": (intake, IntakeSettings),
    "deliberation": (deliberation, DeliberationSettings),
    "shifts": (shifts, ShiftsSettings),
    "rewards": (rewards, RewardsSettings),
    "notifications": (notifications, NotificationSettings),
    "community": (community, CommunitySettings),
}


@pytest.fixture(autouse=True)
def postgres_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    # The client tools of the embedded server's own version (Debian's pg_restore may be older).
    monkeypatch.setenv("LINLI_PG_BIN", str(postgres_bin_dir()))


def versions(service: str) -> list[str]:
    return sorted(path.name.split("_", 1)[0] for path in (SERVICES_DIR / service / "migrations").glob("*.sql"))


def test_migrations_are_forward_only_every_one_the_previous_release_applied_is_still_here() -> None:
    applied = Manifest.read(PREVIOUS_RELEASE).migrations

    for service, done in applied.items():
        assert set(done) <= set(versions(service)), f"{service}: a released migration was removed or renamed"
        newer = [v for v in versions(service) if v > max(done)]
        assert sorted(set(versions(service)) - set(done)) == newer, f"{service}: a migration was slipped in before"


async def test_the_previous_releases_data_takes_every_migration_and_all_services_start_and_answer_with_it(
    postgres: PostgresServer, nats_url: str, run_dir: Path, tokens: Tokens
) -> None:
    database = await new_database(postgres.url(), "template0")
    restore(database, PREVIOUS_RELEASE)

    migrate_all(database)

    for service in SERVICE_NAMES:
        async with connection(database, service) as conn:
            applied = sorted(r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations"))
        assert applied == versions(service), f"{service} is on every migration of this release"
    admin = tokens.headers("admin", "admin", "committee", building_group=1)
    async with contextlib.AsyncExitStack() as stack:
        clients: dict[str, httpx.AsyncClient] = {}
        for name, (create, kind) in APPS.items():
            settings = settings_for(database, nats_url, run_dir, kind)
            clients[name] = await stack.enter_async_context(running(create(settings)))
        ready = {name: (await client.get("/readyz")).status_code for name, client in clients.items()}
        account = (await clients["rewards"].get("/accounts/wang-fang", headers=admin)).json()
        books = (await clients["rewards"].get("/ledger/verify", headers=admin)).json()
        board = (await clients["rewards"].get("/leaderboards?period=all", headers=admin)).json()
        issues = (await clients["intake"].get("/issues?limit=100", headers=admin)).json()
        posts = (await clients["shifts"].get("/posts", headers=admin)).json()
        inbox = (await clients["notifications"].get("/inbox", headers=tokens.headers("wang-fang"))).json()

    assert ready == dict.fromkeys(APPS, 200)
    assert account["balance"] == 165
    assert books["clean"] is True
    assert any(standing["person_id"] == "wang-fang" for standing in board), "leaderboard totals carried over"
    assert len(issues["items"]) == 7
    assert len(posts) == 4
    assert inbox["items"], "what 王芳 was told before the upgrade is still in her inbox"
