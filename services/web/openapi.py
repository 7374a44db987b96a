"""Each service's OpenAPI document, dumped from its app (no server), and the TypeScript types made from it.

python -m services.web.openapi          rewrite web/openapi/<svc>.json and web/src/api/<svc>.ts
python -m services.web.openapi --check  exit 1 when either is stale (tests/web/test_api_types.py too)
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
from typing import Any

from services.web.node import WEB, ensure_installed, npm

SERVICES: tuple[str, ...] = ("intake", "deliberation", "shifts", "rewards", "notifications", "community")
OPTIONS = ("--default-non-nullable", "false")
"""A field with a default is optional in a request body (pydantic's default is not required)."""


def document(service: str) -> dict[str, Any]:
    app = importlib.import_module(f"services.{service}.bootstrap").create()
    spec: dict[str, Any] = app.openapi()
    return spec


def document_text(service: str) -> str:
    return json.dumps(document(service), indent=2, ensure_ascii=False) + "\n"


def types_text(service: str) -> str:
    """openapi-typescript's output for the committed document, as it would be written."""
    ensure_installed()
    done = npm("exec", "--", "openapi-typescript", f"openapi/{service}.json", *OPTIONS, capture=True)
    return done.stdout


def expected() -> dict[str, str]:
    """Every generated file, by its path under web/, as the services make it now."""
    files: dict[str, str] = {}
    for service in SERVICES:
        files[f"openapi/{service}.json"] = document_text(service)
    return files


def write() -> None:
    for path, text in expected().items():
        (WEB / path).write_text(text)
    for service in SERVICES:
        ensure_installed()
        npm("exec", "--", "openapi-typescript", f"openapi/{service}.json", *OPTIONS, "-o", f"src/api/{service}.ts")


def stale() -> list[str]:
    """The generated files that differ from what the services and openapi-typescript make now."""
    out = [path for path, text in expected().items() if not (WEB / path).exists() or (WEB / path).read_text() != text]
    for service in SERVICES:
        path = WEB / "src" / "api" / f"{service}.ts"
        try:
            fresh = types_text(service)
        except subprocess.CalledProcessError:  # a committed document openapi-typescript cannot read
            fresh = None
        if fresh is None or not path.exists() or path.read_text() != fresh:
            out.append(f"src/api/{service}.ts")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.web.openapi")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if args.check:
        behind = stale()
        for path in behind:
            print(f"web/{path} is stale: run `make web-api`", file=sys.stderr)
        return 1 if behind else 0
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
