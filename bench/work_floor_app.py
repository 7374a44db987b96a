"""The HTTP write path's work floor: the baseline's bare Starlette endpoint, but writing what issue 9
says POST /issues writes (the issue, its first history entry and its event in intake's outbox, in
one transaction, into intake's own tables with their indexes), with no token check, no validation
and every value that Python would compute prepared once at start-up.

Nothing a real endpoint could skip is left out of the database's side and nothing is added on
Python's side, so its requests/s is the ceiling of any POST /issues on this machine, the baseline
of issue 19's HTTP targets. Each committed event is handed to the kernel's publisher (publish
after commit, services/kernel/publisher.py) in this process, as POST /issues hands intake's to
intake's: the floor pays for publishing what it writes as the service does, and intake's relay
remains the safety net for both.

    DATABASE_URL=... NATS_URL=... LINLI_HTTP_PORT=... python -m bench.work_floor_app
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import nats
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contracts.enums import IssueCategory, IssueChannel
from services.intake.adapters.repository import _INSERT_NEW
from services.intake.domain.issue import Issue
from services.intake.domain.search import tsvector_literal
from services.kernel import db
from services.kernel.outbox import Outbox, outbox_row
from services.kernel.publisher import OutboxPublisher

TITLE = "3栋2单元楼道灯不亮 / corridor light out"
DESCRIPTION = "晚上楼道很黑，老人上下楼不安全。The corridor is dark at night; unsafe for the elderly."
SEARCH = tsvector_literal(TITLE, DESCRIPTION, "三楼楼梯口 / third-floor landing", "3栋")
# One real issue.submitted, made and serialised once; each request only puts its own ids in, so
# notifications (which consumes it after the round) receives valid events.
_ISSUE_MARK, _EVENT_MARK = uuid.UUID(int=1), uuid.UUID(int=2)


def _event_template() -> tuple[str, str, bytes]:
    issue = Issue.submit(
        issue_id=_ISSUE_MARK,
        community="meihu",
        category=IssueCategory.REPAIRS,
        title=TITLE,
        reporter_id="sun-hao",
        channel=IssueChannel.APP,
        now=datetime.now(UTC),
        description=DESCRIPTION,
        building="3栋",
        building_group=3,
    )
    _, data = issue.events[0]
    _, subject, event_type, _, payload, _ = outbox_row(
        Outbox("intake").envelope(data, community="meihu", subject=_ISSUE_MARK, event_id=_EVENT_MARK)
    )
    return subject, event_type, payload


SUBJECT, EVENT_TYPE, PAYLOAD = _event_template()


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    # Same pool bounds and connection set-up as intake's (ServiceSettings.db_pool_min / db_pool_max).
    app.state.pool = await db.create_pool(
        os.environ["DATABASE_URL"], "intake", min_size=2, max_size=10, notify_outbox=False
    )
    connection = await nats.connect(os.environ["NATS_URL"])
    # Publishing at once, as intake's does once its relay has caught up (there is nothing to catch up on here).
    app.state.publisher = OutboxPublisher("intake")
    await app.state.publisher.start(app.state.pool, connection.jetstream(), relay=False)
    yield
    await app.state.publisher.stop()
    await connection.drain()
    await app.state.pool.close()


async def create_issue(request: Request) -> Response:
    raw = await request.body()
    body = orjson.loads(raw)
    issue_id, event_id, now = uuid.uuid4(), uuid.uuid4(), datetime.now(UTC)
    location = body["location"]
    payload = PAYLOAD.replace(str(_ISSUE_MARK).encode(), str(issue_id).encode()).replace(
        str(_EVENT_MARK).encode(), str(event_id).encode()
    )
    row = await request.app.state.pool.fetchrow(
        _INSERT_NEW,
        issue_id,
        "meihu",
        body["category"],
        body["title"],
        body["description"],
        location["building"],
        location["unit"],
        location["text"],
        None,
        None,
        3,
        [],
        body["channel"],
        False,
        "sun-hao",
        "孙浩",
        {},
        "normal",
        {},
        "submitted",
        False,
        SEARCH,
        None,
        now,
        [now],
        ["sun-hao"],
        [None],
        ["submitted"],
        [None],
        [event_id],
        [event_id],
        [SUBJECT],
        [EVENT_TYPE],
        ["meihu"],
        [payload],
        [None],
    )
    request.app.state.publisher.committed([(event_id, SUBJECT, EVENT_TYPE, "meihu", payload, None)])
    return Response(
        orjson.dumps({"id": issue_id, "title": row["title"], "created_at": row["created_at"]}),
        status_code=201,
        media_type="application/json",
    )


async def healthz(request: Request) -> Response:
    return Response(b'{"status":"ready","service":"work_floor"}', media_type="application/json")


app = Starlette(
    routes=[Route("/issue-rows", create_issue, methods=["POST"]), Route("/readyz", healthz)], lifespan=lifespan
)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["LINLI_HTTP_PORT"]), log_config=None, access_log=False)
