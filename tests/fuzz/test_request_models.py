"""Every request body of every service refuses fields it does not know (pydantic extra='forbid')."""

from __future__ import annotations

import importlib
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

from services.web.openapi import SERVICES


def _routes(routes: Any) -> Iterator[APIRoute]:
    for route in routes:
        included = getattr(route, "original_router", None)  # an included router (FastAPI >= 0.165)
        if included is not None:
            yield from _routes(included.routes)
        elif isinstance(route, APIRoute):
            yield route


def _models(annotation: Any, seen: set[type[BaseModel]]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in seen:
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, seen)
    for argument in typing.get_args(annotation):
        _models(argument, seen)


@pytest.mark.parametrize("service", SERVICES)
def test_every_request_body_model_forbids_unknown_fields(service: str) -> None:
    app = importlib.import_module(f"services.{service}.bootstrap").create()
    lenient: list[str] = []
    checked = 0
    for route in _routes(app.routes):
        seen: set[type[BaseModel]] = set()
        for param in route.dependant.body_params:
            _models(param.field_info.annotation, seen)
        checked += len(seen)
        lenient += [
            f"{sorted(route.methods or ())} {route.path}: {m.__name__}"
            for m in seen
            if m.model_config.get("extra") != "forbid"
        ]
    assert checked > 0
    assert lenient == []
