"""Malformed input on write routes of the services: a clear 4xx problem, and nothing changed."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest

from tests.fuzz.conftest import ServedStack
from tests.support.infra import Tokens

ROLES = ("resident", "volunteer", "post_leader", "council_member", "committee", "admin")
# (service, method, path, a valid body whose "text" field the cases spoil)
ROUTES = [
    ("intake", "POST", "/issues", b'{"category": "environment", "title": %s}'),
    ("deliberation", "POST", "/councils", b'{"kind": "women", "name": %s}'),
    ("shifts", "PUT", "/volunteers/fuzz-admin", b'{"kind": "party_member", "name": %s}'),
    ("notifications", "PUT", "/preferences/me", b'{"language": "en", "email": %s}'),
]
CASES = {
    "malformed JSON": b'{"title": [',
    "wrong type": None,  # the text field given a number
    "huge number": None,
    "huge string": None,
    "NUL character": b'"a\\u0000b"',
    "lone surrogate": b'"a\\ud800b"',
    "lone low surrogate": b'"\\udc00"',
    "invalid UTF-8": b'"a\xffb"',
    "UTF-8 of a surrogate": b'"a\xed\xa0\x80b"',
}


def _body(template: bytes, case: str) -> bytes:
    value = CASES[case]
    if case == "malformed JSON":
        return value or b""
    if case == "wrong type":
        value = b"12345"
    elif case == "huge number":
        value = b"1" + b"0" * 400
    elif case == "huge string":
        value = b'"' + b"x" * 200_000 + b'"'
    assert value is not None
    return template % value


async def _counts(database_url: str, schema: str) -> dict[str, int]:
    conn = await asyncpg.connect(database_url)
    try:
        tables = await conn.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
            schema,
        )
        return {
            t["table_name"]: await conn.fetchval(f'SELECT count(*) FROM "{schema}"."{t["table_name"]}"') for t in tables
        }
    finally:
        await conn.close()


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize(("service", "method", "path", "template"), ROUTES, ids=[r[0] for r in ROUTES])
def test_malformed_input_is_a_4xx_problem_that_changes_nothing(
    services: ServedStack,
    fuzz_database_url: str,
    tokens: Tokens,
    service: str,
    method: str,
    path: str,
    template: bytes,
    case: str,
) -> None:
    headers = {**tokens.headers("fuzz-admin", *ROLES), "Content-Type": "application/json"}
    before = asyncio.run(_counts(fuzz_database_url, service))

    response = httpx.request(method, services.urls[service] + path, content=_body(template, case), headers=headers)

    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == response.status_code
    assert asyncio.run(_counts(fuzz_database_url, service)) == before
