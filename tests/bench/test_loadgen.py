"""The load generator (bench/loadgen.py) behaves like a real HTTP client: it replaces a kept-alive
connection the server closed while it sat idle, and sends a request once more when the server closed
a reused connection before any byte of an answer, so a benchmark's errors are the server's own. A
genuine failure (on a new connection, a partial answer, a second time) is still raised, and an
answer without a body (204) does not wait for the server to close the connection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bench.loadgen import Connection
from tests.support.infra import eventually

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
NO_CONTENT = b"HTTP/1.1 204 No Content\r\n\r\n"

# (requests read on this connection so far, the server's count of requests) -> the answer (bytes without a
# blank line: a partial answer, then the server closes), or None: close without answering
Answer = Callable[[int, int], bytes | None]


class Server:
    """A raw HTTP/1.1 server on loopback that answers each request as `answer` says and counts them."""

    def __init__(self, answer: Answer, *, keep_alive: bool) -> None:
        self.answer = answer
        self.keep_alive = keep_alive  # False: close each connection after its answer (an idle timeout at once)
        self.requests = 0
        self.connections = 0
        self.url = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        on_this = 0
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                on_this += 1
                self.requests += 1
                reply = self.answer(on_this, self.requests)
                if reply is None:
                    return
                writer.write(reply)
                await writer.drain()
                if b"\r\n\r\n" not in reply or not self.keep_alive:  # a partial answer, or no keep-alive
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., Awaitable[Server]]]:
    servers: list[asyncio.Server] = []

    async def start(answer: Answer, *, keep_alive: bool = True) -> Server:
        server = Server(answer, keep_alive=keep_alive)
        listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        servers.append(listening)
        server.url = f"http://127.0.0.1:{listening.sockets[0].getsockname()[1]}"
        return server

    yield start
    for listening in servers:
        listening.close()


@pytest.fixture
async def connections() -> AsyncIterator[list[Connection]]:
    made: list[Connection] = []
    yield made
    for conn in made:
        await conn.close()


def connect(server: Server, made: list[Connection]) -> Connection:
    conn = Connection(server.url, {})
    made.append(conn)
    return conn


async def test_an_idle_connection_the_server_closed_is_replaced_before_the_next_request(
    serve: Callable[..., Awaitable[Server]], connections: list[Connection]
) -> None:
    server = await serve(lambda _, __: OK, keep_alive=False)  # closes after each answer, as after an idle timeout
    conn = connect(server, connections)
    await conn.request("GET", "/")
    await eventually(conn.stale, message="the client never saw the server's close")

    answer = await conn.request("GET", "/")

    assert (answer.status, answer.body) == (200, b"ok")
    assert (conn.reconnects, conn.resent, server.connections, server.requests) == (1, 0, 2, 2)


async def test_a_request_the_server_closed_a_reused_connection_on_unanswered_is_sent_once_more(
    serve: Callable[..., Awaitable[Server]], connections: list[Connection]
) -> None:
    server = await serve(lambda on_this, _: OK if on_this == 1 else None)  # reads the second request, then closes
    conn = connect(server, connections)
    await conn.request("GET", "/")

    answer = await conn.request("POST", "/", b"{}")

    assert (answer.status, conn.resent, server.connections, server.requests) == (200, 1, 2, 3)


async def test_a_server_that_never_answers_fails_a_request_on_a_new_connection(
    serve: Callable[..., Awaitable[Server]], connections: list[Connection]
) -> None:
    server = await serve(lambda _, __: None)
    conn = connect(server, connections)

    with pytest.raises(asyncio.IncompleteReadError):
        await conn.request("GET", "/")
    assert (conn.resent, server.requests) == (0, 1)


async def test_a_reused_connection_is_resent_at_most_once_and_then_the_failure_counts(
    serve: Callable[..., Awaitable[Server]], connections: list[Connection]
) -> None:
    server = await serve(lambda _, count: OK if count == 1 else None)  # answers once, then never again
    conn = connect(server, connections)
    await conn.request("GET", "/")

    with pytest.raises((asyncio.IncompleteReadError, ConnectionError)):
        await conn.request("GET", "/")
    assert (conn.resent, server.requests) == (1, 3)


async def test_a_partial_answer_on_a_reused_connection_is_a_failure_not_a_resend(
    serve: Callable[..., Awaitable[Server]], connections: list[Connection]
) -> None:
    server = await serve(lambda on_this, _: OK if on_this == 1 else b"HTTP/1.1 500 Internal")  # then closes
    conn = connect(server, connections)
    await conn.request("GET", "/")

    with pytest.raises(asyncio.IncompleteReadError):
        await conn.request("GET", "/")
    assert (conn.resent, server.requests) == (0, 2)


async def test_an_answer_without_a_body_returns_without_waiting_for_the_connection_to_close(
    serve: Callable[..., Awaitable[Server]], connections: list[Connection]
) -> None:
    server = await serve(lambda _, __: NO_CONTENT)  # keeps the connection open, as uvicorn does
    conn = connect(server, connections)

    async with asyncio.timeout(10):  # a client that read a 204 to its close would hang here
        first = await conn.request("PUT", "/motions/m/vote", b"{}")
        second = await conn.request("PUT", "/motions/m/vote", b"{}")

    assert (first.status, first.body, second.status) == (204, b"", 204)
    assert (server.connections, conn.reconnects, conn.resent) == (1, 0, 0)
