"""Walking the matrix against a running stack: one request per cell, the answers compared.

Refusals are asked first, all at once (a refusal changes nothing, so their order does not
matter); then the allowed cells of phase 0, then those of phase 1 (routes that end or remove
what other rows use), each phase concurrently."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from services.kernel.dev_issuer import issue_token
from tests.security.matrix import MATRIX
from tests.security.matrix.model import ANONYMOUS, EXTRAS, Answer, Caller, Row, World, answer_of, grid

CONCURRENCY = 24


@dataclass(frozen=True)
class Cell:
    service: str
    row: Row
    caller: Caller
    expected: Answer


@dataclass(frozen=True)
class Outcome:
    cell: Cell
    status: int
    detail: str

    @property
    def answer(self) -> Answer | None:
        return answer_of(self.status)

    @property
    def matches(self) -> bool:
        answer = self.answer
        return (
            answer is not None
            and answer.passes == self.cell.expected.passes
            and (answer.passes or answer == self.cell.expected)
        )

    def describe(self) -> str:
        row, caller = self.cell.row, self.cell.caller
        return (
            f"{self.cell.service} {row.method} {row.path} as {caller.name}: expected {self.cell.expected.value}, "
            f"got {self.status} {self.detail[:160]}"
        )


def callers_of(row: Row) -> list[Caller]:
    """The grid, and the named callers a row's exceptions speak of."""
    named = [EXTRAS[name] for name in row.cells if name in EXTRAS]
    return [*grid(), *named]


def cells(matrix: Mapping[str, Iterable[Row]] = MATRIX) -> list[Cell]:
    return [
        Cell(service, row, caller, row.expected(caller))
        for service, rows in matrix.items()
        for row in rows
        for caller in callers_of(row)
    ]


class Tokens:
    """A token per caller, signed once."""

    def __init__(self, sign: Callable[[Caller], str]) -> None:
        self._sign = sign
        self._tokens: dict[str, str] = {}

    def headers(self, caller: Caller) -> dict[str, str]:
        if caller.sub is None:
            return {}
        if caller.name not in self._tokens:
            self._tokens[caller.name] = self._sign(caller)
        return {"Authorization": f"Bearer {self._tokens[caller.name]}"}


def dev_signer(run_dir: Any) -> Callable[[Caller], str]:
    def sign(caller: Caller) -> str:
        assert caller.sub is not None
        return issue_token(
            caller.sub,
            list(caller.roles),
            name=caller.sub,
            community=caller.community,
            building_group=caller.building_group,
            run_dir=run_dir,
        )

    return sign


def _value(value: Any, world: World) -> Any:
    return value(world) if callable(value) else value


def request_of(cell: Cell, world: World, tokens: Tokens) -> dict[str, Any]:
    row, caller = cell.row, cell.caller
    params = {name: _for(caller, world[row.fill.get(name, name)]) for name in _placeholders(row.path)}
    query = dict(_value(row.query, world) or {})
    body = _value(row.body, world)
    request: dict[str, Any] = {
        "method": row.method,
        "url": row.path.format(**params),
        "headers": tokens.headers(caller),
    }
    if caller.api_key is not None:
        key = world[caller.api_key]
        if row.method == "GET":
            query["api_key"] = key
        else:
            body = {**(body or {}), "api_key": key}
    if query:
        request["params"] = query
    if row.content is not None:
        request["content"] = row.content
        request["headers"] = {**request["headers"], "Content-Type": row.content_type or "application/octet-stream"}
    elif row.scope == "apikey" and body is not None:
        request["data"] = body
    elif body is not None:
        request["json"] = body
    return request


def _for(caller: Caller, value: Any) -> Any:
    if isinstance(value, Mapping):
        return value.get(caller.name, value["*"])
    return value


def _placeholders(path: str) -> list[str]:
    names = []
    rest = path
    while "{" in rest:
        start = rest.index("{")
        end = rest.index("}", start)
        names.append(rest[start + 1 : end])
        rest = rest[end + 1 :]
    return names


async def _ask(
    clients: Mapping[str, httpx.AsyncClient], cell: Cell, world: World, tokens: Tokens, gate: asyncio.Semaphore
) -> Outcome:
    async with gate:
        try:
            client = clients[cell.service]
            response = await client.send(client.build_request(**request_of(cell, world, tokens)), stream=True)
            try:
                if not cell.row.stream or response.status_code >= 300:
                    await response.aread()
            finally:
                await response.aclose()
        except (httpx.HTTPError, KeyError) as exc:
            return Outcome(cell, 0, f"{type(exc).__name__}: {exc}")
    detail = response.text if response.status_code >= 300 else ""
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        try:
            problem = response.json()
            detail = f"{problem.get('type', '')}: {problem.get('detail', '')}"
        except json.JSONDecodeError:
            pass
    return Outcome(cell, response.status_code, detail)


async def walk(urls: Mapping[str, str], world: World, tokens: Tokens, every: list[Cell]) -> list[Outcome]:
    """Every cell's outcome: the refusals first, then the allowed cells phase by phase."""
    gate = asyncio.Semaphore(CONCURRENCY)
    # Idle connections are dropped well before the services' own keep-alive timeout (uvicorn: 5 s), so a
    # wave never reuses one the server is closing ("Server disconnected without sending a response").
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY, keepalive_expiry=1.0)
    clients = {name: httpx.AsyncClient(base_url=url, timeout=60, limits=limits) for name, url in urls.items()}
    try:
        refusals = [c for c in every if not c.expected.passes]
        waves = [refusals] + [
            [c for c in every if c.expected.passes and c.row.phase == phase]
            for phase in sorted({c.row.phase for c in every})
        ]
        outcomes: list[Outcome] = []
        for wave in waves:
            outcomes += await asyncio.gather(*(_ask(clients, c, world, tokens, gate) for c in wave))
        return outcomes
    finally:
        for client in clients.values():
            await client.aclose()


__all__ = ["ANONYMOUS", "Cell", "Outcome", "Tokens", "cells", "dev_signer", "walk"]
