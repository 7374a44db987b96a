"""Resident memory of the service processes (psutil), sampled in the background."""

from __future__ import annotations

import threading
from typing import Any, Protocol

import psutil


class HasPids(Protocol):
    def pids(self) -> dict[str, int]: ...


def rss_mb(pid: int) -> float:
    try:
        rss: int = psutil.Process(pid).memory_info().rss
        return rss / 2**20
    except psutil.Error:
        return float("nan")


class RssSampler:
    """Every `interval` s, the RSS of every running process of the stack; keeps the peak."""

    def __init__(self, stack: HasPids, interval: float = 0.5) -> None:
        self.stack = stack
        self.interval = interval
        self.peak: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="rss-sampler")

    def snapshot(self) -> dict[str, float]:
        return {name: round(rss_mb(pid), 1) for name, pid in self.stack.pids().items()}

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            for name, value in self.snapshot().items():
                if value == value and value > self.peak.get(name, 0.0):
                    self.peak[name] = value

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    def summary(self) -> dict[str, Any]:
        return {name: round(value, 1) for name, value in sorted(self.peak.items())}
