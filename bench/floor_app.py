"""The HTTP write path's framework floor: the kernel's FastAPI app with intake's request body and
roles, but endpoints that do no work, so the benchmark can show what the framework alone costs
next to the baseline (a bare Starlette route that inserts a row).

    DATABASE_URL=... NATS_URL=... LINLI_HTTP_PORT=... LINLI_OUTBOX_RELAYS=0 python -m bench.floor_app
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel
from starlette.responses import Response

from contracts.enums import Role
from services.intake.entrypoints.schemas import IssueIn
from services.kernel.app import ServiceContext, ServiceDefinition, create_app, get_ctx, serve
from services.kernel.auth import Principal, require_roles
from services.kernel.lean import lean_post
from services.kernel.settings import ServiceSettings

ANSWER = b'{"ok":true}'
router = APIRouter()


class Ok(BaseModel):
    ok: bool


@router.post("/floor/fastapi", status_code=201)
async def fastapi_noop(
    body: IssueIn,
    principal: Principal = Depends(require_roles(Role.RESIDENT, Role.COMMITTEE)),
    ctx: ServiceContext[ServiceSettings, None] = Depends(get_ctx),
) -> Response:
    return Response(ANSWER, status_code=201, media_type="application/json")


async def lean_noop(
    request: Request, body: IssueIn, principal: Principal, ctx: ServiceContext[ServiceSettings, None]
) -> Response:
    return Response(ANSWER, status_code=201, media_type="application/json")


lean_post(
    router,
    "/floor/lean",
    lean_noop,
    body=IssueIn,
    roles=(Role.RESIDENT, Role.COMMITTEE),
    response_model=Ok,
    status_code=201,
    summary="No work",
)


def create() -> FastAPI:
    return create_app(
        ServiceDefinition(
            name="floor",
            title="Framework floor",
            description="bench only",
            settings=ServiceSettings(),
            routers=[router],
        )
    )


if __name__ == "__main__":
    serve(create(), 8099)
