"""Every service's OpenAPI links followed by schemathesis' state machine against the real apps.

Without links a fuzzer never holds the id of an object that exists, so every operation on
/things/{id} answers 404 and the code behind it is never reached. The services declare their links
(services/*/entrypoints/links.py, written into each document by services/kernel/links.py): a create's
answer gives its id to the operations that take it, and each step of an object's life to the next.
Each scenario starts from a create (or another operation with links) and follows them; every answer
must be no server error and conform to its documented status, media type and schema, an object just
created must be found through its links, and a deleted one must stay gone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi import stateful
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from services.web.openapi import SERVICES, document
from tests.fuzz.conftest import ServedStack
from tests.fuzz.test_openapi_fuzz import ALL_ROLES, SEED
from tests.support.infra import Tokens

SCENARIOS = int(os.environ.get("LINLI_FUZZ_SCENARIOS", "30"))
"""State machine runs per service: each a sequence of linked calls from a fresh start."""
STEPS = int(os.environ.get("LINLI_FUZZ_STEPS", "20"))
"""The most calls in one scenario."""

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        # Valid requests, so creates succeed and their links lead somewhere; the stateless test fuzzes invalid ones.
        "generation": {"deterministic": True, "mode": "positive"},
        # Only the links the services declare, not ones schemathesis guesses.
        "phases": {"stateful": {"enabled": True, "max-steps": STEPS, "inference": {"algorithms": []}}},
    }
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    ensure_resource_availability,
    use_after_free,
]
ARRANGE: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    # The community's four red posts are set up and the fuzzing admin volunteers before the first scenario:
    # without a post no shift or template can be made, and a PUT of a post is only one start among many.
    "shifts": [
        *(("PUT", f"/posts/{post}", {}) for post in ("publicity", "patrol", "environment", "culture")),
        ("PUT", "/volunteers/fuzz-admin", {"kind": "party_member", "name": "Fuzz 测试"}),
    ],
}
SETTINGS = hypothesis.settings(
    max_examples=SCENARIOS,
    stateful_step_count=STEPS,
    deadline=None,
    database=None,
    phases=[hypothesis.Phase.generate],
    suppress_health_check=list(hypothesis.HealthCheck),
)


RESTARTS = 6
"""How many times a run that Hypothesis stopped as flaky is started again with the next seed."""


@dataclass
class Findings:
    """What the runs of one service found: check failures as raised, and how many scenarios ran."""

    failures: list[BaseException] = field(default_factory=list)
    scenarios: int = 0


def _every_linked_operation(operation: Any, node: Any, produced_anywhere: set[str]) -> bool:
    """Every operation with links may start a scenario.

    Schemathesis starts scenarios only from creates whose inputs it thinks something produces, so a
    create that takes a person, a family or a volunteer (an adjustment, a micro-wish, a care visit) or
    a PUT (a red post, a category, a council member) would never run, nor anything linked from it."""
    return True


def state_machine(service: str, base_url: str, headers: dict[str, str], findings: Findings) -> Any:
    """The service's state machine, calling it at `base_url` with `headers` and noting in `findings`."""
    schema = schemathesis.openapi.from_dict(document(service), config=CONFIG)
    with mock.patch.object(stateful, "is_likely_root_transition", _every_linked_operation):
        workflow: Any = schema.as_state_machine()

    class Workflow(workflow):  # type: ignore[misc]
        rule_order_seed = SEED

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": base_url, "headers": headers}

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            try:
                case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs, recorder=self.recorder)
            except FailureGroup as failure:
                findings.failures.append(failure)
                raise

        def teardown(self) -> None:
            findings.scenarios += 1
            super().teardown()

    return Workflow


def fuzz(service: str, base_url: str, headers: dict[str, str]) -> Findings:
    """SCENARIOS scenarios of the service's state machine, seeded from SEED.

    The services keep what each scenario made, so a later scenario may find a list that was empty
    before; Hypothesis, replaying its choices, then stops as flaky (FlakyStrategyDefinition): the
    API's state changed, not its answers. Such a run is started again with the next seed (as
    schemathesis' own runner does) until SCENARIOS ran; a check failure is raised as found."""
    findings = Findings()
    for restart in range(RESTARTS):
        machine = hypothesis.seed(SEED + restart)(state_machine(service, base_url, headers, findings))
        try:
            machine.run(settings=hypothesis.settings(SETTINGS, max_examples=SCENARIOS - findings.scenarios))
            return findings
        except hypothesis.errors.Flaky:
            if findings.failures:
                raise findings.failures[0] from None
        if findings.scenarios >= SCENARIOS:
            return findings
    return findings


@pytest.mark.parametrize("service", SERVICES)
def test_linked_operations_answer_as_documented(service: str, services: ServedStack, tokens: Tokens) -> None:
    headers = tokens.headers("fuzz-admin", *ALL_ROLES, name="Fuzz 测试")
    for method, path, body in ARRANGE.get(service, []):
        httpx.request(method, services.urls[service] + path, json=body, headers=headers).raise_for_status()

    findings = fuzz(service, services.urls[service], headers)

    assert findings.failures == []
    assert findings.scenarios >= SCENARIOS // 2
