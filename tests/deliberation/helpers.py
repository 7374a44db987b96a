"""What the deliberation integration tests share: the running app, a council with members, the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import asyncpg
import httpx

from services.deliberation.service_layer.unit_of_work import DeliberationUnitOfWork
from services.deliberation.settings import DeliberationSettings
from services.kernel.clock import Clock, SystemClock
from services.kernel.outbox import Outbox
from services.kernel.unit_of_work import UnitOfWorkFactory
from tests.support.infra import Tokens
from tests.support.sql import Sql

VOTERS = ("zhang-wei", "li-na", "wang-fang", "chen-jing", "yang-min", "huang-li", "zhou-qiang")
POSITIONS = {"zhang-wei": "chair", "li-na": "vice_chair", "wang-fang": "secretary"}
OBSERVER = "liu-yang"


@dataclass
class Council:
    client: httpx.AsyncClient
    tokens: Tokens
    id: str
    body: dict[str, Any]
    members: list[str] = field(default_factory=list)

    def as_(self, person: str) -> dict[str, str]:
        roles = ("admin", "committee") if person == "admin" else ("resident", "council_member")
        return self.tokens.headers(person, *roles)

    @property
    def chair(self) -> dict[str, str]:
        return self.as_(self.members[0])

    async def sessions(self, **params: str) -> list[dict[str, Any]]:
        response = await self.client.get(f"/councils/{self.id}/sessions", params=params, headers=self.as_("admin"))
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def next_session(self) -> dict[str, Any]:
        return (await self.sessions(status="scheduled"))[0]

    async def ad_hoc(self, *, mode: str = "in_person", starts_in: timedelta = timedelta(days=1)) -> dict[str, Any]:
        starts = datetime.now(UTC) + starts_in
        body = {"title": "临时会议 / Ad-hoc", "starts_at": starts.isoformat(), "mode": mode}
        response = await self.client.post(f"/councils/{self.id}/sessions", json=body, headers=self.chair)
        assert response.status_code == 201, response.text
        session: dict[str, Any] = response.json()
        return session

    async def open_with(self, session_id: str, present: list[str]) -> None:
        response = await self.client.post(f"/sessions/{session_id}/open", headers=self.chair)
        assert response.status_code == 200, response.text
        for person in present:
            response = await self.client.put(f"/sessions/{session_id}/attendance/{person}", headers=self.chair)
            assert response.status_code == 204, response.text

    async def item(self, session_id: str, title: str = "楼道堆物清理 / Corridor clutter") -> dict[str, Any]:
        response = await self.client.post(
            f"/sessions/{session_id}/agenda-items", json={"title": title}, headers=self.as_(self.members[1])
        )
        assert response.status_code == 201, response.text
        item: dict[str, Any] = response.json()
        return item

    async def motion(self, item_id: str) -> dict[str, Any]:
        body = {"title": "同意清理楼道 / Clear the corridors", "text": "物业一周内清理"}
        response = await self.client.post(f"/agenda-items/{item_id}/motions", json=body, headers=self.chair)
        assert response.status_code == 201, response.text
        motion: dict[str, Any] = response.json()
        return motion

    async def vote(self, motion_id: str, person: str, choice: str) -> httpx.Response:
        return await self.client.put(f"/motions/{motion_id}/vote", json={"choice": choice}, headers=self.as_(person))

    async def close(self, motion_id: str, **body: Any) -> httpx.Response:
        return await self.client.post(f"/motions/{motion_id}/close", json=body, headers=self.chair)


async def make_council(
    client: httpx.AsyncClient,
    tokens: Tokens,
    *,
    kind: str = "consultation",
    voters: tuple[str, ...] = VOTERS,
    observer: str | None = OBSERVER,
    **rules: Any,
) -> Council:
    admin = tokens.headers("admin", "admin", "committee")
    people = [(p, POSITIONS.get(p, "member")) for p in voters]
    if observer:
        people.append((observer, "observer"))
    members = [
        {"person_id": p, "name": p, "party": "resident", "position": position, "term_from": "2026-01-01"}
        for p, position in people
    ]
    response = await client.post("/councils", json={"kind": kind, "members": members, **rules}, headers=admin)
    assert response.status_code == 201, response.text
    council = Council(client, tokens, response.json()["id"], response.json(), list(voters))
    return council


def sql(database_url: str) -> Sql:
    """Deliberation's tables, through the one SQL runner of the tests."""
    return Sql(database_url, "deliberation")


def units(
    pool: asyncpg.Pool, settings: DeliberationSettings, clock: Clock | None = None
) -> UnitOfWorkFactory[DeliberationSettings]:
    """Units of work of deliberation on `pool`, as an instance of the service makes them."""
    return UnitOfWorkFactory(
        DeliberationUnitOfWork,
        pool=lambda: pool,
        outbox=Outbox("deliberation"),
        clock=clock or SystemClock(),
        settings=settings,
    )


def new_uow(factory: UnitOfWorkFactory[DeliberationSettings]) -> Callable[[], DeliberationUnitOfWork]:
    return lambda: cast(DeliberationUnitOfWork, factory())


def joined(
    conn: asyncpg.Connection, settings: DeliberationSettings, clock: Clock | None = None
) -> DeliberationUnitOfWork:
    """A unit of work inside `conn`'s open transaction (as a consumer's handler gets it)."""
    return DeliberationUnitOfWork(
        pool=None, outbox=Outbox("deliberation"), clock=clock or SystemClock(), settings=settings, conn=conn
    )


def new_id() -> str:
    return str(uuid.uuid4())
