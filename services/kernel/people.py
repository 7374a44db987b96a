"""Every service's three privacy routes, written once: a person exports everything the service holds
about them (`GET /people/me/export`), an admin does it for a named person of the community
(`GET /people/{person_id}/export`), and an admin asks the service to forget a person
(`POST /people/{person_id}/forget`).

Forgetting is one synchronous transaction per service, idempotent (a second call finds nothing left
to change): what must be kept (a matter's history, the ledger's accounts, a vote's count) is kept
under the person's pseudonym with names and contacts cleared, the rest is deleted. The service says
what it holds and how it forgets in its `export` and `forget` functions (its service layer, over its
adapters' SQL); this module only gives them their routes and answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from contracts.enums import Role
from services.kernel.auth import Principal, current_principal, require_roles
from services.kernel.privacy import Forgetting, pseudonym
from services.kernel.unit_of_work import UnitOfWork

Exporter = Callable[[Any, str, str], Awaitable[dict[str, list[dict[str, Any]]]]]
"""(unit of work, community, person id) -> each kind of record the service holds about them."""
Forgetter = Callable[[Any, str, str, str], Awaitable[Forgetting]]
"""(unit of work, community, person id, pseudonym) -> what was deleted and what anonymised."""

NO_STORE = {"Cache-Control": "no-store"}
PERSON_ID = Path(min_length=1, max_length=100, pattern=r"^[^/\s]+$")


class PersonalData(BaseModel):
    service: str
    community: str
    person_id: str
    exported_at: datetime
    data: dict[str, list[dict[str, Any]]] = Field(
        description="Every kind of record the service holds about the person, each a list of rows."
    )


class Forgotten(BaseModel):
    service: str
    community: str
    person_id: str
    pseudonym: str = Field(description="What the kept records now carry instead of the person's id.")
    deleted: dict[str, int] = Field(description="Rows deleted, per kind of record.")
    anonymised: dict[str, int] = Field(description="Rows kept under the pseudonym, names and contacts cleared.")


def people_router(service: str, export: Exporter, forget: Forgetter) -> APIRouter:
    router = APIRouter(prefix="/people", tags=["privacy"])

    async def exported(request: Request, community: str, person_id: str) -> Response:
        uow: UnitOfWork[Any] = request.app.state.ctx.uow()
        data = await export(uow, community, person_id)
        answer = PersonalData(
            service=service, community=community, person_id=person_id, exported_at=uow.clock.now(), data=data
        )
        return Response(answer.model_dump_json(), media_type="application/json", headers=NO_STORE)

    @router.get("/me/export", response_model=PersonalData, summary="Everything this service holds about me (one JSON)")
    async def export_mine(request: Request, principal: Principal = Depends(current_principal)) -> Response:
        return await exported(request, principal.community, principal.sub)

    @router.get(
        "/{person_id}/export",
        response_model=PersonalData,
        summary="Everything this service holds about a person of the community (admin)",
    )
    async def export_person(
        request: Request,
        person_id: str = PERSON_ID,
        principal: Principal = Depends(require_roles(Role.ADMIN)),
    ) -> Response:
        return await exported(request, principal.community, person_id)

    @router.post(
        "/{person_id}/forget",
        response_model=Forgotten,
        summary="Forget a person: keep what must be kept under a pseudonym, delete the rest (admin)",
    )
    async def forget_person(
        request: Request,
        person_id: str = PERSON_ID,
        principal: Principal = Depends(require_roles(Role.ADMIN)),
    ) -> Forgotten:
        uow: UnitOfWork[Any] = request.app.state.ctx.uow()
        alias = pseudonym(principal.community, person_id, uow.settings.pseudonym_key)
        done = await forget(uow, principal.community, person_id, alias)
        return Forgotten(
            service=service,
            community=principal.community,
            person_id=person_id,
            pseudonym=alias,
            deleted={k: v for k, v in done.deleted.items() if v},
            anonymised={k: v for k, v in done.anonymised.items() if v},
        )

    return router
