"""CPU time spent by each part of the stack over a measurement (psutil): the services, PostgreSQL
(the postmaster and every backend), nats-server, and the machine as a whole.

A latency figure taken at a fixed rate says little without how busy the two cores were: the same
chain queues at 85 % of the machine and not at 50 %. Dividing by the events handled gives the cost
of one event per part, which is what the proposals compare from pass to pass."""

from __future__ import annotations

import time
from typing import Any, Protocol

import psutil


class Stack(Protocol):
    def pids(self) -> dict[str, int]: ...


def _seconds(process: psutil.Process | int) -> float:
    """CPU seconds a process (or pid) has used so far; 0 for one that is gone (its part then drops out)."""
    try:
        times = (psutil.Process(process) if isinstance(process, int) else process).cpu_times()
        return float(times.user + times.system)
    except psutil.Error:
        return 0.0


def _tree_seconds(root: psutil.Process) -> float:
    """CPU seconds a server and all its children ever used, the exited ones included.

    PostgreSQL forks a backend per connection and autovacuum workers that come and go: a sum over
    the children alive at each reading loses the whole CPU of every one that exits in between (a
    burst's pools shrinking afterwards made PostgreSQL's share look like a tenth of itself). The
    postmaster reaps its children, and the kernel adds what a reaped child used to the parent's
    children times, so the root's own, its reaped children's and its live children's together
    only ever grow."""
    times = root.cpu_times()
    total = float(times.user + times.system + times.children_user + times.children_system)
    for child in root.children(recursive=True):
        total += _seconds(child)
    return total


def _infrastructure(stack: Any) -> dict[str, psutil.Process]:
    parts: dict[str, psutil.Process] = {}
    for name, server in (("postgresql", getattr(stack, "postgres", None)), ("nats", getattr(stack, "nats", None))):
        process = getattr(server, "process", None)
        if process is None or process.poll() is not None:
            continue
        try:
            parts[name] = psutil.Process(process.pid)
        except psutil.Error:
            continue
    return parts


def _machine_busy() -> float:
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


class CpuMeter:
    """`start()`, the work, `stop(events)`: CPU ms per event by part, and the machine's busy share."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack

    def _read(self) -> dict[str, float]:
        read = {name: _seconds(pid) for name, pid in self.stack.pids().items()}
        for name, root in _infrastructure(self.stack).items():
            try:
                read[name] = _tree_seconds(root)
            except psutil.Error:
                continue
        return read

    def start(self) -> None:
        self._began = time.perf_counter()
        self._busy = _machine_busy()
        self._before = self._read()

    def stop(self, events: int) -> dict[str, Any]:
        after = self._read()
        elapsed = time.perf_counter() - self._began
        busy = _machine_busy() - self._busy
        cores = psutil.cpu_count() or 1
        per_event = {
            name: round((after[name] - self._before.get(name, 0.0)) * 1000 / max(events, 1), 3)
            for name in after
            if after[name] - self._before.get(name, 0.0) > 0
        }
        return {
            "cpu_ms_per_event": per_event,
            "cpu_ms_per_event_total": round(sum(per_event.values()), 3),
            "machine_busy_share": round(busy / (elapsed * cores), 3) if elapsed > 0 else None,
        }
