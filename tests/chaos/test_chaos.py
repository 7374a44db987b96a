"""The fault-injection scenarios as tests, so `make test` covers some of them.

Scenarios 4 (duplicates and disorder) and 5 (poison, dead letters, replay) run as they
are in `make chaos` (about 10 and 25 s each). Scenarios 2, 3, 6 and 7 run with a third
of the traffic (about 30-45 s each) and are also marked `slow`, so a quick run can leave
them out with `-m "not slow"`, as is the suite's self-test on the kernel probe. Scenario 1
(1,000 participations) runs only in `make chaos`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.chaos.common import Context
from tests.chaos.results import details
from tests.chaos.scenarios import BY_NUMBER
from tests.chaos.stack import sources_from_env


def _services_present() -> bool:
    return all(
        importlib.util.find_spec(f"services.{name}") is not None or name in sources_from_env()
        for name in ("shifts", "rewards")
    )


needs_services = pytest.mark.skipif(not _services_present(), reason="the shifts and rewards services are not here")


async def _run(number: str, tmp_path: Path, scale: float) -> None:
    row = await BY_NUMBER[number].load()(Context(base_dir=tmp_path, scale=scale))
    assert row.passed, details([row])


@pytest.mark.chaos
@needs_services
async def test_duplicates_and_disorder_change_nothing(tmp_path: Path) -> None:
    await _run("4", tmp_path, 1.0)


@pytest.mark.chaos
@needs_services
async def test_poison_is_dead_lettered_and_replays_once_after_a_fix(tmp_path: Path) -> None:
    await _run("5", tmp_path, 1.0)


@pytest.mark.chaos
@pytest.mark.slow
@needs_services
@pytest.mark.parametrize(
    "number",
    [
        pytest.param("2", id="nats-outage-loses-nothing"),
        pytest.param("3", id="postgres-restart-loses-nothing"),
        pytest.param("6", id="cluster-node-killed-loses-nothing"),
        pytest.param("7", id="sigterm-drains-without-redelivery-storm"),
    ],
)
async def test_outages_lose_and_double_nothing(number: str, tmp_path: Path) -> None:
    await _run(number, tmp_path, 0.3)


@pytest.mark.chaos
@pytest.mark.slow
async def test_the_suite_works_on_the_kernel_probe(tmp_path: Path) -> None:
    """The suite's own machinery (stack, kill, DLQ replay) against the kernel alone."""
    row = await BY_NUMBER["5"].load()(Context(base_dir=tmp_path, probe=True))
    assert row.passed, details([row])
