"""The authorization matrix, walked against the six running services.

One stack is started for the module; the arrange phase makes the objects the rows name; every
cell (route x caller) is asked once and the test fails listing every cell whose answer differs
from the matrix (tests/security/matrix/). A route without a row, or a row without a route, fails
too, so a new route cannot ship without saying who may call it. docs/security-matrix.md is the
matrix rendered, and must be regenerated when it changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.kernel.migrate import SERVICE_NAMES
from services.stack.harness import Harness
from tests.security import render
from tests.security.arrange import STACK_ENV, Arranger
from tests.security.matrix import MATRIX, PENDING
from tests.security.walk import Outcome, Tokens, cells, dev_signer, walk

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Walked:
    outcomes: list[Outcome]
    openapi: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
async def walked(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Walked]:
    base = tmp_path_factory.mktemp("matrix")
    async with Harness.started(base, env=STACK_ENV) as stack:
        urls = {name: stack.url(name) for name in stack.service_names}
        tokens = Tokens(dev_signer(stack.run_dir))
        arranger = Arranger(urls, tokens)
        try:
            world = await arranger.arrange()
        finally:
            await arranger.close()
        async with httpx.AsyncClient(timeout=30) as client:
            openapi = {name: (await client.get(f"{url}/openapi.json")).json() for name, url in urls.items()}
        yield Walked(await walk(urls, world, tokens, cells()), openapi)


def test_every_cell_of_the_matrix_answers_as_written(walked: Walked) -> None:
    wrong = [o.describe() for o in walked.outcomes if not o.matches]

    assert len(walked.outcomes) > 1000
    assert not wrong, f"{len(wrong)} of {len(walked.outcomes)} cells differ:\n" + "\n".join(wrong)


def test_every_route_has_a_row_and_every_row_a_route(walked: Walked) -> None:
    problems = []
    for service in MATRIX:
        real = {
            (method.upper(), path)
            for path, operations in walked.openapi[service]["paths"].items()
            for method in operations
        }
        rows = {row.key for row in MATRIX[service]}
        problems += [f"{service}: {m} {p} has no row" for m, p in sorted(real - rows)]
        problems += [f"{service}: the row {m} {p} names no route" for m, p in sorted(rows - real)]

    assert not problems, "\n".join(problems)


def test_each_service_has_its_matrix_or_is_named_as_pending() -> None:
    assert set(MATRIX) | set(PENDING) == set(SERVICE_NAMES)
    assert not set(MATRIX) & set(PENDING)


def test_another_communitys_objects_are_404_never_403_except_to_the_district_who_can_see_them(
    walked: Walked,
) -> None:
    leaks = [
        o.describe()
        for o in walked.outcomes
        if o.cell.caller.other
        and o.cell.caller.role != "district"
        and o.cell.row.scope == "object"
        and o.cell.row.gate is False
        and o.status == 403
    ]

    assert not leaks, "\n".join(leaks)


def test_the_rendered_matrix_in_docs_is_current() -> None:
    committed = (REPO / render.TARGET).read_text(encoding="utf-8")

    assert committed == render.markdown(), (
        "docs/security-matrix.md is stale: uv run --frozen python -m tests.security.render"
    )


def test_the_readmes_summary_of_the_matrix_is_current() -> None:
    committed = (REPO / render.README).read_text(encoding="utf-8")

    assert committed == render.readme(committed), (
        "README.md's matrix summary is stale: uv run --frozen python -m tests.security.render"
    )


def test_rows_are_unique_per_service() -> None:
    for service, rows in MATRIX.items():
        keys = [row.key for row in rows]
        assert len(keys) == len(set(keys)), service
