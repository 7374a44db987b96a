"""ASGI middleware shared by every service: a server span per request, HTTP metrics, a body size limit,
and text no service can keep (NUL, unpaired surrogates, bytes that are not UTF-8) refused (unstorable.py).

Written as plain ASGI (not BaseHTTPMiddleware) so it adds microseconds, not a task per request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from opentelemetry import propagate
from opentelemetry.trace import SpanKind
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.kernel import unstorable
from services.kernel.metrics import HTTP_LATENCY, HTTP_REQUESTS
from services.kernel.problems import PayloadTooLarge, UnprocessableContent, problem_response
from services.kernel.tracing import span

_TRACE_HEADERS = (b"traceparent", b"tracestate", b"baggage")
# On every answer: no MIME sniffing, never framed, no referrer leaked to links in a page. The
# APIs answer JSON and the odd printable page (inline styles only), so the policy forbids scripts,
# frames and forms; /docs and /redoc load Swagger UI and ReDoc from their CDN and keep FastAPI's own.
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
_CSP = (
    b"content-security-policy",
    b"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; "
    b"base-uri 'none'; form-action 'none'",
)
_OWN_PAGES = ("/docs", "/redoc")
_API_HEADERS = [*_SECURITY_HEADERS, _CSP]


class _BodyTooLarge(Exception):
    pass


def _body_check(content_type: str | None) -> Callable[[bytes], str | None] | None:
    """How a body of `content_type` is checked for text no service can keep; None: not at all (images)."""
    if content_type is None:  # FastAPI reads a body without a content type as JSON
        return unstorable.in_json
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json" or (media.startswith("application/") and media.endswith("+json")):
        return unstorable.in_json
    if media == "application/x-www-form-urlencoded":
        return unstorable.in_form
    return None


def _unstorable(where: str, detail: str) -> UnprocessableContent:
    return UnprocessableContent(detail, errors=[{"field": where, "message": detail, "type": "unstorable_text"}])


class KernelHttpMiddleware:
    def __init__(self, app: ASGIApp, *, service: str, max_body_bytes: int) -> None:
        self.app = app
        self.service = service
        self.max_body_bytes = max_body_bytes
        # The metric series of each (method, route, status) answered, found once: prometheus_client's
        # labels() takes a lock and builds its key on every call. Routes are templates and methods
        # the few the HTTP parser knows, so there are as many entries as series.
        self._series: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length: str | None = None
        content_type: str | None = None
        carrier: dict[str, str] = {}  # the trace context headers, if the caller sent any
        for key, value in scope.get("headers", ()):
            if key == b"content-length":
                length = value.decode("latin-1")
            elif key == b"content-type":
                content_type = value.decode("latin-1")
            elif key in _TRACE_HEADERS:
                carrier[key.decode("latin-1")] = value.decode("latin-1")
        method: str = scope["method"]
        secure = _SECURITY_HEADERS if scope.get("path", "").startswith(_OWN_PAGES) else _API_HEADERS

        async def secured_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *secure]
            await send(message)

        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            too_large = PayloadTooLarge(
                f"The request body is {length} bytes; at most {self.max_body_bytes} are accepted.",
                max_bytes=self.max_body_bytes,
            )
            await problem_response(too_large, scope.get("path"))(scope, receive, secured_send)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _BodyTooLarge
            return message

        status = 500
        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
            await secured_send(message)

        started = time.perf_counter()
        context = propagate.extract(carrier) if "traceparent" in carrier else None
        with span(f"{method} {scope.get('path', '')}", context=context, kind=SpanKind.SERVER) as current:
            try:
                refused = unstorable.in_url(scope.get("path", ""), scope.get("query_string", b""))
                check = _body_check(content_type) if method in _BODY_METHODS and refused is None else None
                app_receive: Receive = limited_receive
                if check is not None:
                    body = await _read_body(limited_receive)
                    if body and (reason := check(body)):
                        refused = ("body", reason)
                    app_receive = _replay(body, receive)
                if refused is not None:
                    problem = _unstorable(*refused)
                    await problem_response(problem, scope.get("path"))(scope, receive, tracking_send)
                else:
                    await self.app(scope, app_receive, tracking_send)
            except _BodyTooLarge:
                if not response_started:
                    too_large = PayloadTooLarge(
                        f"The request body exceeds {self.max_body_bytes} bytes.",
                        max_bytes=self.max_body_bytes,
                    )
                    await problem_response(too_large, scope.get("path"))(scope, receive, secured_send)
                status = 413
            route: Any = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            current.update_name(f"{method} {template}")
            current.set_attribute("http.response.status_code", status)
        key = (method, template, str(status))
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = (
                HTTP_REQUESTS.labels(self.service, *key),
                HTTP_LATENCY.labels(self.service, method, template),
            )
        series[0].inc()
        series[1].observe(time.perf_counter() - started)


_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def _read_body(receive: Receive) -> bytes:
    """The whole request body (within the size limit `receive` enforces)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the app the body already read, then whatever the server sends next."""
    given = False

    async def replayed() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
