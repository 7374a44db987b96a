"""Every operation of every service's OpenAPI document, fuzzed by schemathesis against the real apps."""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from schemathesis.config import SchemathesisConfig

from services.web.openapi import SERVICES, document
from tests.fuzz.conftest import ServedStack
from tests.support.infra import Tokens

SEED = 20261206
MAX_EXAMPLES = int(os.environ.get("LINLI_FUZZ_MAX_EXAMPLES", "5"))
ALL_ROLES = ("resident", "volunteer", "post_leader", "council_member", "committee", "admin", "publicity_agent")

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "mode": "all"},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "checks": {"positive_data_acceptance": {"enabled": False}},
    }
)

schemas = {service: schemathesis.openapi.from_dict(document(service), config=CONFIG) for service in SERVICES}
TITLES = {schema.raw_schema["info"]["title"]: service for service, schema in schemas.items()}


@schemathesis.pytest.parametrize(**schemas)
def test_every_operation_answers_as_documented(case: Any, services: ServedStack, tokens: Tokens) -> None:
    service = TITLES[case.operation.schema.raw_schema["info"]["title"]]
    headers = tokens.headers("fuzz-admin", *ALL_ROLES, name="Fuzz 测试")
    case.call_and_validate(base_url=services.urls[service], headers=headers)
