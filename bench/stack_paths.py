"""Phase 2: the whole stack (placeholder until the services land)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


async def run(base_dir: Path, *, args: argparse.Namespace, sections: list[str], log: Any) -> dict[str, Any]:
    return {}
