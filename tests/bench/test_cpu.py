"""The CPU meter (bench/cpu.py) counts what a server's children used even when they exit between
its two readings: PostgreSQL's backends and autovacuum workers come and go during a measurement, and
a sum over the children alive at each reading would lose every one that left."""

from __future__ import annotations

import subprocess
import sys

import psutil

from bench.cpu import _tree_seconds

# A parent that, each time it reads a line, runs a child burning ~0.3 s of CPU, waits for it (the
# child is reaped, as the postmaster reaps a backend) and says so.
PARENT = """
import subprocess, sys
BURN = "import time\\nend = time.process_time() + 0.3\\nwhile time.process_time() < end: pass"
for _ in sys.stdin:
    subprocess.run([sys.executable, "-c", BURN], check=True)
    print("reaped", flush=True)
"""


def test_a_child_that_exits_between_two_readings_still_counts() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert parent.stdin is not None
    assert parent.stdout is not None
    try:
        root = psutil.Process(parent.pid)
        before = _tree_seconds(root)

        parent.stdin.write("go\n")
        parent.stdin.flush()
        assert parent.stdout.readline().strip() == "reaped"
        after = _tree_seconds(root)

        assert after - before >= 0.25
    finally:
        parent.kill()
        parent.wait()
