"""Fault points for the fault-injection tests: named places where a test may make the
process die on purpose (`LINLI_FAULTS=consumer.after_commit`), the way a power cut would.
Unset in production, where every check is a dictionary lookup that finds nothing."""

from __future__ import annotations

import os

_ARMED = frozenset(filter(None, os.environ.get("LINLI_FAULTS", "").split(",")))


def crash_point(name: str) -> None:
    """Exit at once, without cleanup, acks or flushing, if this point is armed."""
    if name in _ARMED:
        os._exit(137)
