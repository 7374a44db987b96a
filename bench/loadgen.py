"""One load generator for every HTTP figure and its baseline: raw HTTP/1.1 over asyncio
streams, keep-alive connections, no client library in the way.

A heavy client (httpx costs ~0.3 ms of CPU per request) would share the two cores with
the server it measures and flatten every ratio towards 1; this one costs a few tens of
microseconds per request, the same for the service and for its baseline.

Two shapes:
- `closed_loop`: `concurrency` connections, each sends its next request as soon as the
  previous answer arrived (saturation: requests/s and latency at that concurrency).
- `open_loop`: requests are due at a fixed rate whatever the answers do; latency counts
  from when a request was due, so a stall is not hidden (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import orjson

RequestFactory = Callable[[int], tuple[str, str, bytes | None]]
"""i -> (method, path, JSON body or None) for the i-th request."""


@dataclass
class Response:
    status: int
    body: bytes

    def json(self) -> object:
        return orjson.loads(self.body)


@dataclass
class Samples:
    """What one run measured: per-request latencies (s) of 2xx answers and the failures."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    duration: float = 0.0
    first_error: str | None = None

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.ok / self.duration if self.duration else 0.0

    def fail(self, key: str, detail: str) -> None:
        self.errors[key] = self.errors.get(key, 0) + 1
        if self.first_error is None:
            self.first_error = detail[:500]

    def add(self, other: Samples) -> None:
        """Take in another run's samples (rounds of one figure measured apart)."""
        self.latencies += other.latencies
        self.duration += other.duration
        for key, count in other.errors.items():
            self.errors[key] = self.errors.get(key, 0) + count
        self.first_error = self.first_error or other.first_error


class Connection:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        fixed = {"Host": f"{self.host}:{self.port}", "Connection": "keep-alive", **headers}
        self._head = "".join(f"{k}: {v}\r\n" for k, v in fixed.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.reconnects = 0  # idle keep-alive connections the server had closed, replaced before a request
        self.resent = 0  # requests sent once more: the server closed a reused connection before any byte of an answer
        self._answered = False  # some byte of the current request's answer has arrived

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    def stale(self) -> bool:
        """The server has closed this idle keep-alive connection (its FIN is in), as a browser or an HTTP
        library notices before reusing one: uvicorn closes a connection idle for 5 s."""
        return self.writer is not None and (
            self.writer.is_closing() or (self.reader is not None and self.reader.at_eof())
        )

    async def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Response:
        """One request; `headers` are added to the connection's own (e.g. each request's own token).

        Like a real client: a kept-alive connection the server closed while it sat idle is replaced
        before the request, and a request on a reused connection that the server closed before
        sending any byte of an answer (its close crossed our request) is sent once more on a new
        connection. Anything else (an error on a new connection, a partial answer, a second failure)
        is raised: a genuine failure stays one."""
        if self.stale():
            await self.close()
            self.reconnects += 1
        reused = self.writer is not None
        try:
            return await self._exchange(method, path, body, headers)
        except (OSError, asyncio.IncompleteReadError):
            if not reused or self._answered:
                raise
            await self.close()
            self.resent += 1
        return await self._exchange(method, path, body, headers)

    async def _exchange(self, method: str, path: str, body: bytes | None, headers: dict[str, str] | None) -> Response:
        self._answered = False
        if self.writer is None:
            await self.open()
        assert self.reader is not None
        assert self.writer is not None
        extra = f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n" if body is not None else ""
        if headers:
            extra += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(f"{method} {path} HTTP/1.1\r\n{self._head}{extra}\r\n".encode() + (body or b""))
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            self._answered = bool(exc.partial)
            raise
        self._answered = True
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = -1
        chunked = False
        closing = False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            lname = name.strip().lower()
            if lname == "content-length":
                length = int(value)
            elif lname == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif lname == "connection" and "close" in value.lower():
                closing = True
        if status in (204, 304) or status < 200 or method == "HEAD":
            payload = b""  # no body, whatever the headers say (RFC 9112, 6.3): nothing to wait for
        elif chunked:
            data = bytearray()
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                data += await self.reader.readexactly(size + 2)
                del data[-2:]
            payload = bytes(data)
        elif length >= 0:
            payload = await self.reader.readexactly(length)
        else:
            payload = await self.reader.read()
            closing = True
        if closing:
            await self.close()
        return Response(status, payload)


async def closed_loop(
    url: str,
    headers: dict[str, str],
    make: Callable[[int], tuple[str, str, bytes | None] | None],
    *,
    concurrency: int,
    duration: float,
    warmup: float = 0.0,
    expect: Callable[[int], bool] = lambda s: 200 <= s < 300,
) -> Samples:
    """Saturate: `concurrency` connections for `warmup` (discarded) then `duration` seconds."""
    counter = iter(range(10**12))
    samples = Samples()
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + duration

    async def worker() -> None:
        conn = Connection(url, headers)
        try:
            while True:
                sent = time.perf_counter()
                if sent >= stop_at:
                    return
                request = make(next(counter))
                if request is None:  # the factory has nothing more to send
                    return
                method, path, body = request
                try:
                    response = await conn.request(method, path, body)
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    await conn.close()
                    if sent >= measure_from:
                        samples.fail(type(exc).__name__, repr(exc))
                    continue
                done = time.perf_counter()
                if sent < measure_from or done > stop_at:
                    continue
                if expect(response.status):
                    samples.latencies.append(done - sent)
                else:
                    samples.fail(str(response.status), response.body.decode("utf-8", "replace"))
        finally:
            await conn.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    samples.duration = duration
    return samples


async def open_loop(
    url: str,
    headers: dict[str, str],
    make: RequestFactory,
    *,
    rate: float,
    duration: float,
    connections: int = 64,
    on_answer: Callable[[int, float, Response], Awaitable[None] | None] | None = None,
    expect: Callable[[int], bool] = lambda s: 200 <= s < 300,
) -> Samples:
    """Requests due every 1/rate s for `duration` s; latency from the due time to the answer."""
    samples = Samples()
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(Connection(url, headers))
    total = int(rate * duration)
    start = time.perf_counter() + 0.05
    pending: set[asyncio.Task[None]] = set()

    async def one(i: int, due: float) -> None:
        conn = await pool.get()
        try:
            method, path, body = make(i)
            response = await conn.request(method, path, body)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            await conn.close()
            samples.fail(type(exc).__name__, repr(exc))
            return
        finally:
            pool.put_nowait(conn)
        done = time.perf_counter()
        if not expect(response.status):
            samples.fail(str(response.status), response.body.decode("utf-8", "replace"))
            return
        samples.latencies.append(done - due)
        if on_answer is not None:
            result = on_answer(i, due, response)
            if result is not None:
                await result

    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(i, due))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.gather(*pending)
    samples.duration = duration
    while not pool.empty():
        await pool.get_nowait().close()
    return samples


async def batch(
    url: str,
    headers: dict[str, str],
    requests: Sequence[tuple[str, str, bytes | None]],
    *,
    concurrency: int = 16,
) -> list[Response]:
    """Send every request (set-up work, not measured) over `concurrency` connections; answers in order."""
    answers: list[Response | None] = [None] * len(requests)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(requests)):
        queue.put_nowait(i)

    async def worker() -> None:
        conn = Connection(url, headers)
        try:
            while not queue.empty():
                i = queue.get_nowait()
                method, path, body = requests[i]
                try:
                    answers[i] = await conn.request(method, path, body)
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    await conn.close()
                    answers[i] = Response(599, repr(exc).encode())
        finally:
            await conn.close()

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(requests)) or 1)))
    return [a if a is not None else Response(599, b"not sent") for a in answers]
