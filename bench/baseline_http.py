"""The HTTP write-path baseline: a minimal Starlette endpoint that parses the JSON body and
inserts one row with asyncpg into the same PostgreSQL, served by uvicorn exactly as the
services are (one process, same loop and HTTP parser, no access log).

    DATABASE_URL=... LINLI_HTTP_PORT=... python -m bench.baseline_http
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

DDL = """
CREATE SCHEMA IF NOT EXISTS bench;
CREATE TABLE IF NOT EXISTS bench.rows (
    id         uuid PRIMARY KEY,
    community  text NOT NULL,
    title      text NOT NULL,
    body       jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
"""
INSERT = "INSERT INTO bench.rows (id, community, title, body) VALUES ($1, $2, $3, $4::jsonb) RETURNING created_at"


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    # Same pool bounds as a service's (ServiceSettings.db_pool_min / db_pool_max defaults).
    pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=2, max_size=10)
    assert pool is not None
    await pool.execute(DDL)
    app.state.pool = pool
    yield
    await pool.close()


async def create_row(request: Request) -> Response:
    raw = await request.body()
    body = orjson.loads(raw)
    row_id = uuid.uuid4()
    created = await request.app.state.pool.fetchval(INSERT, row_id, "meihu", body["title"], raw.decode())
    return Response(
        orjson.dumps({"id": row_id, "title": body["title"], "created_at": created}),
        status_code=201,
        media_type="application/json",
    )


async def healthz(request: Request) -> Response:
    return Response(b'{"status":"ready","service":"baseline"}', media_type="application/json")


app = Starlette(routes=[Route("/rows", create_row, methods=["POST"]), Route("/readyz", healthz)], lifespan=lifespan)

if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(os.environ["LINLI_HTTP_PORT"]),
        log_config=None,
        access_log=False,
    )
