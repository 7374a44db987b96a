"""A lean route answers exactly what FastAPI answers for its response model (services/kernel/lean.py json_response).

FastAPI validates a handler's result as the response model and serialises the model; a lean
route writes the model's fields from the handler's dict with orjson. The bytes must be the same."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from asyncpg.pgproto.pgproto import UUID as AsyncpgUUID
from pydantic import BaseModel, Field, TypeAdapter

from contracts.enums import IssueCategory, IssueStatus
from services.intake.entrypoints.schemas import IssueOut
from services.kernel.lean import json_response


def fastapi_bytes(model: type[BaseModel], content: Any) -> bytes:
    """What FastAPI sends for `response_model=model`: validated, then serialised by alias in JSON mode."""
    adapter = TypeAdapter(model)
    return adapter.dump_json(adapter.validate_python(content), by_alias=True)


def stored_issue(**changes: Any) -> dict[str, Any]:
    """A view of an issue as intake builds it from the row its insert returns (asyncpg's types)."""
    at = datetime(2026, 12, 7, 9, 30, 12, 345678, tzinfo=UTC)
    view: dict[str, Any] = {
        "id": AsyncpgUUID(str(uuid.uuid4())),
        "community": "meihu",
        "category": "repairs",
        "category_label": IssueCategory.REPAIRS.labels(),
        "title": "3栋2单元楼道灯不亮 / corridor light out",
        "description": "晚上楼道很黑，老人上下楼不安全。",
        "building": "3栋",
        "unit": "2单元",
        "location_text": "三楼楼梯口",
        "lat": 31.8206,
        "long": 117.2272,
        "location": {"building": "3栋", "unit": "2单元", "text": "三楼楼梯口", "lat": 31.8206, "long": 117.2272},
        "building_group": 3,
        "photos": ["https://example.org/a.jpg"],
        "uploaded_photos": [],
        "channel": "app",
        "anonymous": False,
        "reporter_id": "sun-hao",
        "reporter_name": "孙浩",
        "contact": {"phone": "138****8000"},
        "is_mine": True,
        "priority": "normal",
        "attributes": {"floor": ["3"], "nested": {"a": [1, 2.5, None]}},
        "status": "submitted",
        "status_label": IssueStatus.SUBMITTED.labels(),
        "status_note": None,
        "held_for_review": False,
        "duplicate_of": None,
        "decision_id": None,
        "decision_note": None,
        "resolution_summary": None,
        "contributors": [],
        "resolved_at": None,
        "satisfaction": None,
        "followers": None,
        "created_at": at,
        "updated_at": at,
        "search": "'楼' '道'",  # a column the model does not have: left out by both
        "open311_token": None,
    }
    return {**view, **changes}


ISSUES = {
    "as raised": stored_issue(),
    "anonymous, seen by another resident": stored_issue(
        anonymous=True, reporter_id=None, reporter_name=None, contact=None, is_mine=False
    ),
    "resolved, with photos and a whole second": stored_issue(
        status=IssueStatus.RESOLVED,
        status_label=IssueStatus.RESOLVED.labels(),
        resolved_at=datetime(2026, 12, 8, 10, 0, 0, tzinfo=UTC),
        uploaded_photos=[
            {
                "id": uuid.uuid4(),
                "url": "/issues/x/photos/y",
                "content_type": "image/jpeg",
                "size": 52_311,
                "created_at": datetime(2026, 12, 8, 9, 0, tzinfo=timezone(timedelta(hours=8))),
            }
        ],
        contributors=["zhou-min", "wang-fang"],
        satisfaction=5,
        followers=["zhou-min"],
        duplicate_of=uuid.uuid4(),
    ),
    "with its possible duplicates": stored_issue(
        possible_duplicates=[
            {
                "id": uuid.uuid4(),
                "title": "灯坏了",
                "status": "accepted",
                "created_at": datetime(2026, 1, 1, tzinfo=UTC),
            }
        ],
        lat=None,
        long=None,
        location={"building": None, "unit": None, "text": None, "lat": None, "long": None},
    ),
}


@pytest.mark.parametrize("view", ISSUES.values(), ids=ISSUES.keys())
def test_an_issue_is_answered_byte_for_byte_as_fastapi_answers_it(view: dict[str, Any]) -> None:
    assert json_response(IssueOut, view, status_code=201).body == fastapi_bytes(IssueOut, view)


class Part(BaseModel):
    name: str
    share: Decimal


class Answer(BaseModel):
    id: uuid.UUID
    parts: list[Part] = Field(default_factory=list)
    lead: Part | None = None
    total: int = Field(serialization_alias="totalCount")
    when: datetime


def test_defaults_aliases_nested_models_and_decimals_are_written_as_pydantic_writes_them() -> None:
    content = {
        "id": uuid.uuid4(),
        "lead": {"name": "a", "share": Decimal("0.5"), "ignored": 1},
        "total": 2,
        "when": datetime(2026, 12, 7, tzinfo=UTC),
    }

    assert json_response(Answer, content).body == fastapi_bytes(Answer, content)


def test_a_missing_required_field_is_an_error_not_a_silent_gap() -> None:
    with pytest.raises(KeyError, match="total"):
        json_response(Answer, {"id": uuid.uuid4(), "when": datetime.now(UTC)})
