"""Reading a stream from outside the services, while a cluster is still settling."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tests.chaos import streams


class SettlingConsumer:
    """An ephemeral consumer whose leader is elected after `leaderless` answers (None: never)."""

    def __init__(self, leaderless: int | None) -> None:
        self.leaderless = leaderless
        self.asked = 0
        self.pulled_without_leader = False

    def _has_leader(self) -> bool:
        return self.leaderless is not None and self.asked > self.leaderless

    async def consumer_info(self) -> Any:
        self.asked += 1
        return SimpleNamespace(cluster=SimpleNamespace(leader="n2" if self._has_leader() else None))

    async def fetch(self, batch: int, timeout: float) -> list[Any]:
        self.pulled_without_leader |= not self._has_leader()
        metadata = SimpleNamespace(sequence=SimpleNamespace(stream=1))
        return [SimpleNamespace(metadata=metadata, subject="linli.x", headers=None, data=b'{"id": "a"}')]

    async def unsubscribe(self) -> None:
        pass


class OneMessageStream:
    def __init__(self, consumer: SettlingConsumer) -> None:
        self.consumer = consumer

    async def stream_info(self, stream: str, subjects_filter: str) -> Any:
        return SimpleNamespace(state=SimpleNamespace(subjects={"linli.x": 1}))

    async def pull_subscribe(self, *args: Any, **kwargs: Any) -> SettlingConsumer:
        return self.consumer


async def test_a_read_pulls_only_once_its_consumer_has_a_leader() -> None:
    consumer = SettlingConsumer(leaderless=1)

    result = await streams.read_stream(OneMessageStream(consumer), "LINLI_X", "linli.x")  # type: ignore[arg-type]

    assert result == [streams.Stored(1, "linli.x", {}, b'{"id": "a"}')]
    assert not consumer.pulled_without_leader


async def test_a_read_gives_up_once_the_cluster_has_had_its_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streams, "SETTLE_SECONDS", 0.0)

    with pytest.raises(TimeoutError):
        await streams.read_stream(OneMessageStream(SettlingConsumer(leaderless=None)), "LINLI_X", "linli.x")  # type: ignore[arg-type]
