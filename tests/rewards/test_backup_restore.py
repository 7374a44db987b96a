"""A backup of the love bank restored into a fresh database, its consumers rewound: the streams'
replay gives back what was credited after the backup, doubles nothing credited before it, and the
books verify clean with the balances the lost database had."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contracts.enums import IssueCategory
from contracts.envelope import CloudEvent
from services.kernel.backup import Manifest, backup, restore, rewind_consumers
from services.rewards.bootstrap import create
from services.rewards.settings import RewardsSettings
from services.stack.postgres import PostgresServer, postgres_bin_dir
from tests.rewards.helpers import participation, resolved
from tests.rewards.test_awards_through_nats import acked_up_to, balance_of
from tests.support.events import publish
from tests.support.infra import eventually, jetstream, new_database, running, settings_for

PEOPLE = ["wang-fang", "zhao-lei", "li-na"]


@pytest.fixture(autouse=True)
def postgres_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    # The client tools of the embedded server's own version (Debian's pg_dump may be older).
    monkeypatch.setenv("LINLI_PG_BIN", str(postgres_bin_dir()))


async def test_a_restored_backup_verifies_clean_with_the_same_balances_and_a_replay_doubles_nothing(
    admin: dict[str, str], database_url: str, nats_url: str, run_dir: Path, postgres: PostgresServer, tmp_path: Path
) -> None:
    early: list[CloudEvent[Any]] = [participation(person, hours=1.5 + i) for i, person in enumerate(PEOPLE)]
    late = resolved(["wang-fang", "li-na"], category=IssueCategory.REPAIRS)
    original = settings_for(database_url, nats_url, run_dir, RewardsSettings, outbox_poll_interval=0.2)
    async with running(create(original)) as client, jetstream(nats_url) as js:
        acks = [await publish(js, event) for event in early]
        await eventually(lambda: acked_up_to(js, "participation.completed", acks[-1].seq), message="shifts credited")
        manifest = await backup(database_url, tmp_path / "backup", ["rewards"])
        late_ack = await publish(js, late)  # credited after the backup: its effect is not in it
        await eventually(lambda: acked_up_to(js, "issue.resolved", late_ack.seq), message="the issue credited")
        before = {person: await balance_of(client, admin, person) for person in PEOPLE}
    # The disaster: the database is gone; the service is stopped, NATS keeps its streams.

    fresh = await new_database(postgres.url(), "template0")  # empty: no schema, no migration
    restore(fresh, tmp_path / "backup")
    async with jetstream(nats_url) as js:
        rewound = await rewind_consumers(js, ["rewards"])
    restarted = settings_for(fresh, nats_url, run_dir, RewardsSettings, outbox_poll_interval=0.2)
    async with running(create(restarted)) as restored, jetstream(nats_url) as js:
        # The rewound durables start again from the first event of their streams.
        await eventually(lambda: acked_up_to(js, "participation.completed", acks[-1].seq), message="shifts replayed")
        await eventually(lambda: acked_up_to(js, "issue.resolved", late_ack.seq), message="the issue replayed")
        after = {person: await balance_of(restored, admin, person) for person in PEOPLE}
        verify = (await restored.get("/ledger/verify", headers=admin)).json()

    assert Manifest.read(tmp_path / "backup") == manifest
    assert manifest.services == ["rewards"]
    assert manifest.migrations["rewards"], "the migrations the backup's schema had"
    assert {"rewards__participation_completed", "rewards__issue_resolved"} <= set(rewound)
    assert all(before.values())
    assert after == before
    assert verify["clean"] is True


async def test_a_backup_never_overwrites_another(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "linli.dump").write_text("an older backup")

    with pytest.raises(RuntimeError, match="not empty"):
        await backup(database_url, tmp_path / "backup", ["rewards"])

    assert (tmp_path / "backup" / "linli.dump").read_text() == "an older backup"
