"""A minimal service built on the kernel, so the kernel's guarantees are tested on their own:
it emits issue.submitted through its outbox and consumes the same events into `effects`."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from contracts.envelope import CloudEvent
from contracts.events.issue import IssueSubmitted
from services.kernel.app import ServiceContext, ServiceDefinition, create_app, get_ctx
from services.kernel.auth import Principal, current_principal
from services.kernel.consumer import Subscription
from services.kernel.errors import RuleBroken
from services.kernel.lean import json_response, lean_post
from services.kernel.settings import ServiceSettings
from services.kernel.tracing import current_ids
from services.kernel.unit_of_work import UnitOfWork

ProbeContext = ServiceContext[ServiceSettings, None]

MIGRATIONS = Path(__file__).parent / "migrations"
NAME = "probe"


class EmitRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    titles: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(min_length=1, max_length=1000)


router = APIRouter()


class EmitResponse(BaseModel):
    event_ids: list[uuid.UUID]


@router.post("/emit", status_code=202, response_model=EmitResponse)
async def emit(
    body: EmitRequest,
    principal: Principal = Depends(current_principal),
    ctx: ProbeContext = Depends(get_ctx),
) -> dict[str, Any]:
    return await _emit(body, principal, ctx)


async def emit_lean(request: Request, body: EmitRequest, principal: Principal, ctx: ProbeContext) -> Response:
    """The same as POST /emit, served as a lean route."""
    return json_response(EmitResponse, await _emit(body, principal, ctx), status_code=202)


lean_post(
    router, "/emit-lean", emit_lean, body=EmitRequest, response_model=EmitResponse, status_code=202, summary="Emit"
)
lean_post(
    router,
    "/emit-lean-committee",
    emit_lean,
    body=EmitRequest,
    roles=["committee"],
    response_model=EmitResponse,
    status_code=202,
    summary="Emit (committees only)",
)


class AuditedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    fail: bool = False


@router.post("/audited", status_code=204)
async def audited(
    body: AuditedRequest, principal: Principal = Depends(current_principal), ctx: ProbeContext = Depends(get_ctx)
) -> None:
    """A privileged action as a service writes one: its event, its audit entry, then (if asked) a refusal."""
    async with ctx.uow() as uow:
        data = IssueSubmitted(
            issue_id=uuid.uuid4(),
            category="other",
            title=body.title,
            status="submitted",
            channel="app",
            reporter_id=principal.sub,
            submitted_at=uow.now(),
        )
        await uow.emit(data, community=principal.community, subject=data.issue_id)
        await uow.audit("probe.acted", data.issue_id, principal, {"title": body.title})
        if body.fail:
            raise RuleBroken("The probe refuses after writing its audit entry.", reason="asked-to-fail")


async def _emit(body: EmitRequest, principal: Principal, ctx: ProbeContext) -> dict[str, Any]:
    ids = []
    if "refuse" in body.titles:  # how the contract tests make a route refuse, or fail unexpectedly
        raise RuleBroken("The probe refuses this title.", reason="refused-title")
    if "crash" in body.titles:
        raise RuntimeError("the probe crashed, as asked")
    async with ctx.uow() as uow:
        for title in body.titles:
            data = IssueSubmitted(
                issue_id=uuid.uuid4(),
                category="other",
                title=title,
                status="submitted",
                channel="app",
                reporter_id=principal.sub,
                submitted_at=uow.now(),
            )
            event = await uow.emit(data, community=principal.community, subject=data.issue_id)
            ids.append(str(event.id))
    return {"event_ids": ids}


async def on_submitted(uow: UnitOfWork[ServiceSettings], event: CloudEvent[IssueSubmitted]) -> None:
    if event.data.title.startswith("poison"):
        fixed = await uow.conn.fetchval("SELECT fixed FROM switches WHERE name = 'poison'")
        if not fixed:
            raise ValueError("the probe cannot handle poison yet")
    trace_id, _ = current_ids()
    await uow.conn.execute(
        "INSERT INTO effects (event_id, title, trace_id) VALUES ($1, $2, $3)", event.id, event.data.title, trace_id
    )


def create(settings: ServiceSettings | None = None) -> FastAPI:
    return create_app(
        ServiceDefinition(
            name=NAME,
            title="Kernel probe",
            description="Test-only service",
            routers=[router],
            subscriptions=[Subscription(IssueSubmitted, on_submitted)],
            settings=settings or ServiceSettings(),
        )
    )
