"""The published contract artefacts match the models, and schemas only change compatibly."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
import yaml

from contracts.catalogue import ALL_EVENTS, BY_TYPE, model_for_type
from contracts.compat import breaking_changes
from contracts.enums import LABELLED_ENUMS
from contracts.envelope import CloudEvent, EventData, parse_type
from contracts.events.issue import IssueResolved
from contracts.generate import ASYNCAPI_FILE, SCHEMAS_DIR, event_schema, rendered


def test_committed_artefacts_equal_what_the_models_generate() -> None:
    stale = [str(path) for path, text in rendered().items() if not path.exists() or path.read_text() != text]
    assert stale == [], "run `make contracts` and commit the result"


@pytest.mark.parametrize("model", ALL_EVENTS, ids=lambda m: m.event_type())
def test_a_committed_schema_changes_only_compatibly_within_its_major_version(model: type[EventData]) -> None:
    committed_path = SCHEMAS_DIR / f"{model.event_type()}.json"
    committed = json.loads(committed_path.read_text())
    problems = breaking_changes(committed, event_schema(model))
    assert problems == [], f"incompatible change needs a new major version: {problems}"


def test_removing_retyping_or_requiring_a_field_is_breaking() -> None:
    old = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}, "c": {"type": "string"}},
        "required": ["a"],
    }
    new = {
        "type": "object",
        "properties": {"b": {"type": "string"}, "c": {"type": "string"}, "d": {"type": "string"}},
        "required": ["c"],
    }
    assert breaking_changes(old, new) == ["a: removed", "b: type ['integer'] became ['string']", "c: became required"]


def test_a_new_optional_field_is_compatible() -> None:
    old = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    new = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "required": ["a"]}
    assert breaking_changes(old, new) == []


def test_the_asyncapi_document_has_a_channel_for_every_event() -> None:
    document = yaml.safe_load(ASYNCAPI_FILE.read_text())
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert document["asyncapi"] == "3.0.0"
    assert addresses == {f"linli.{{community}}.{m.event_name()}" for m in ALL_EVENTS}


def test_an_event_round_trips_through_its_envelope() -> None:
    data = IssueResolved(
        issue_id=uuid.uuid4(),
        category="micro_wish",
        title="为独居老人修理门锁",
        status="resolved",
        resolution_summary="修好了",
        contributors=["wang-fang"],
        resolved_at=datetime.now(UTC),
    )
    event = CloudEvent.wrap(data, community="meihu", service="intake", subject=str(data.issue_id))
    again = CloudEvent[IssueResolved].model_validate_json(event.model_dump_json())
    assert again == event
    assert event.nats_subject == "linli.meihu.issue.resolved"
    assert event.type == "linli.issue.resolved.v1"
    assert parse_type(event.type) == ("issue.resolved", 1)
    assert model_for_type(event.type) is IssueResolved


def test_event_types_are_unique_and_named_by_convention() -> None:
    assert len(BY_TYPE) == len(ALL_EVENTS)
    for model in ALL_EVENTS:
        assert model.event_type().startswith("linli.")
        assert model.summary, f"{model.__name__} documents itself"


@pytest.mark.parametrize("enum", LABELLED_ENUMS, ids=lambda e: e.__name__)
def test_every_enumeration_value_has_a_chinese_and_an_english_label(enum: type) -> None:
    for member in enum:  # type: ignore[attr-defined]
        labels = member.labels()
        assert labels["zh-CN"]
        assert labels["en"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in labels["zh-CN"]), f"{member} zh-CN label is Chinese"
