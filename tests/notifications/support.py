"""Real local receivers for the notification channels: an HTTP server (webhooks, WeCom robot) and an SMTP server."""

from __future__ import annotations

import contextlib
import email
import email.policy
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import nats
import orjson
from aiosmtpd.controller import Controller
from nats.js.api import PubAck
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from contracts.envelope import CloudEvent, EventData
from contracts.events.rewards import PointsAwarded
from services.kernel.topology import ConsumerSpec, ensure_streams
from services.stack.ports import any_free


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]
    query: dict[str, str]

    def json(self) -> Any:
        return orjson.loads(self.body)


@dataclass
class HttpReceiver:
    """Records every POST; answers 500 to the first `failures` of them."""

    failures: int = 0
    wecom: bool = False
    requests: list[Received] = field(default_factory=list)
    failed: int = 0

    def app(self) -> Starlette:
        async def receive(request: Request) -> Response:
            if self.failed < self.failures:
                self.failed += 1
                if self.wecom:  # the robot answers 200 with an error code
                    return JSONResponse({"errcode": -1, "errmsg": "system busy"})
                return Response("down for maintenance", status_code=500)
            self.requests.append(Received(await request.body(), dict(request.headers), dict(request.query_params)))
            if self.wecom:
                return JSONResponse({"errcode": 0, "errmsg": "ok"})
            return Response(status_code=204)

        return Starlette(routes=[Route("/{path:path}", receive, methods=["POST"])])


class SmtpSink:
    """aiosmtpd handler keeping every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.raw.append(bytes(envelope.content))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


@contextlib.contextmanager
def smtp_server() -> Any:
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=any_free())
    controller.start()
    try:
        yield sink, controller.port
    finally:
        controller.stop()


def points_awarded(person: str = "zhao-lei", points: int = 10) -> PointsAwarded:
    return PointsAwarded(
        transaction_id=uuid.uuid4(),
        person_id=person,
        points=points,
        balance_after=120,
        rule_id="shift-hours",
        rule_version=1,
        explanation={"zh-CN": "红色驿站值守 2 小时", "en": "2 hours on the red post"},
        source_event_id=uuid.uuid4(),
        source_event_type="linli.participation.completed.v1",
        building_group=2,
        awarded_at=datetime.now(UTC),
    )


def wrap(data: EventData, service: str, subject: str = "s-1", community: str = "meihu") -> CloudEvent[Any]:
    return CloudEvent.wrap(data, community=community, service=service, subject=subject)


async def publish(nats_url: str, event: CloudEvent[Any], msg_id: str | None = None) -> PubAck:
    """Publish an event as its emitter would; a different msg_id gets past JetStream's duplicate window."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        ack: PubAck = await js.publish(
            event.nats_subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": msg_id or str(event.id)}
        )
        return ack
    finally:
        await nc.close()


async def consumed(nats_url: str, event_name: str, seq: int) -> bool:
    """True once the service's durable consumer acknowledged the message at stream sequence `seq`."""
    spec = ConsumerSpec("notifications", event_name)
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jetstream().consumer_info(spec.stream, spec.durable)
        return bool(info.ack_floor and (info.ack_floor.stream_seq or 0) >= seq)
    finally:
        await nc.close()
