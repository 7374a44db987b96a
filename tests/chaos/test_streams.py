"""Reading a stream from outside the services, while a cluster is still settling."""

from __future__ import annotations

from typing import Any

import pytest
from nats.js.errors import ServiceUnavailableError

from tests.chaos import streams


async def test_a_read_starts_again_when_its_consumer_has_no_leader_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    stored = [streams.Stored(1, "linli.x", {}, b'{"id": "a"}')]
    attempts: list[int] = []

    async def first_refused(js: Any, stream: str, subject: str) -> list[streams.Stored]:
        attempts.append(1)
        if len(attempts) == 1:
            raise ServiceUnavailableError()
        return stored

    monkeypatch.setattr(streams, "_read_once", first_refused)

    result = await streams.read_stream(None, "LINLI_X", "linli.x")  # type: ignore[arg-type]

    assert (result, len(attempts)) == (stored, 2)


async def test_a_read_gives_up_once_the_cluster_has_had_its_time(monkeypatch: pytest.MonkeyPatch) -> None:
    async def always_refused(js: Any, stream: str, subject: str) -> list[streams.Stored]:
        raise ServiceUnavailableError()

    monkeypatch.setattr(streams, "_read_once", always_refused)
    monkeypatch.setattr(streams, "SETTLE_SECONDS", 0.0)

    with pytest.raises(ServiceUnavailableError):
        await streams.read_stream(None, "LINLI_X", "linli.x")  # type: ignore[arg-type]
