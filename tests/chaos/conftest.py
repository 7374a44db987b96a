"""The chaos marker: fault-injection scenarios against the whole stack (tests/chaos/test_chaos.py)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "chaos: fault-injection scenario against the whole stack (tests/chaos)")
