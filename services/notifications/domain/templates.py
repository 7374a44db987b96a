"""Message templates: str.format-style placeholders filled from the event, checked when saved.

Only plain names are allowed ({title}, {points}); attribute and index access ({x.__class__},
{x[0]}) are refused, so an admin's template can never reach into Python objects. Every
value handed to a template is a string already rendered for the reader's language.
"""

from __future__ import annotations

import string
import types
import typing
from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from contracts.catalogue import BY_NAME
from contracts.enums import LabelledEnum
from contracts.envelope import EventData
from services.kernel.errors import InvalidInput

REMINDER_FIELDS = frozenset({"title", "starts_at", "location", "hours_before"})
_FORMATTER = string.Formatter()


class InvalidTemplate(InvalidInput):
    """A template that would not render safely; answered 422 with the placeholders its key offers."""

    def __init__(self, detail: str, allowed: Iterable[str] = ()) -> None:
        super().__init__(detail, allowed_placeholders=sorted(allowed))


# The group robot's forms of templates, and the event each is filled from.
_GROUP_FORMS = {
    "honour.announced": "honour.granted",
    "announcement.group": "announcement.published",
    "initiative.group": "initiative.launched",
}


def model_for(key: str) -> type[EventData] | None:
    if key in _GROUP_FORMS:
        return BY_NAME[_GROUP_FORMS[key]]
    return BY_NAME.get(key)


def _is_labelled(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, LabelledEnum):
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_is_labelled(a) for a in typing.get_args(annotation))
    return False


def allowed_fields(key: str) -> frozenset[str]:
    """The placeholders a template of `key` may use; empty for an unknown key."""
    if key.startswith("reminder."):
        return REMINDER_FIELDS
    model = model_for(key)
    if model is None:
        return frozenset()
    names = set(model.model_fields)
    names |= {f"{n}_label" for n, f in model.model_fields.items() if _is_labelled(f.annotation)}
    if key == "honour.announced":
        names.add("person_name")
    return frozenset(names)


def placeholders(text: str) -> list[str]:
    try:
        return [name for _, name, _, _ in _FORMATTER.parse(text) if name is not None]
    except ValueError as exc:
        raise InvalidTemplate(f"unbalanced braces: {exc}") from exc


def validate(key: str, subject: str, body: str) -> None:
    """Raise InvalidTemplate unless both texts render with the placeholders `key` offers."""
    allowed = allowed_fields(key)
    if not allowed:
        raise InvalidTemplate(f"unknown template key {key!r}")
    for text in (subject, body):
        try:
            names = placeholders(text)
        except InvalidTemplate as exc:
            raise InvalidTemplate(exc.detail, allowed) from exc
        for name in names:
            if not name.isidentifier():
                raise InvalidTemplate(f"{{{name}}}: only plain names are allowed, e.g. {{title}}", allowed)
            if name not in allowed:
                raise InvalidTemplate(
                    f"{{{name}}} is not offered by {key}; allowed: {', '.join(sorted(allowed))}", allowed
                )
        try:
            text.format_map(dict.fromkeys(allowed, "x"))
        except (ValueError, KeyError, IndexError) as exc:
            raise InvalidTemplate(f"{text[:60]!r} does not render: {exc}", allowed) from exc


def render(text: str, context: dict[str, str]) -> str:
    """Fill a template; one that cannot render (it was checked on save) is sent as written, not lost."""
    try:
        return text.format_map(_Missing(context))
    except (ValueError, KeyError, IndexError, AttributeError, TypeError):
        return text


class _Missing(dict[str, str]):
    """A placeholder the event does not carry renders empty instead of failing delivery."""

    def __missing__(self, key: str) -> str:
        return ""


def _text(value: Any, language: str, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, LabelledEnum):
        return value.value
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        chosen = value.get(language) or value.get("zh-CN") or value.get("en") or next(iter(value.values()), "")
        return str(chosen)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def event_context(data: EventData, language: str, zone: ZoneInfo) -> dict[str, str]:
    """Every field of the event as reader-ready text (times on `zone`'s clock); enums also as `<field>_label`."""
    context: dict[str, str] = {}
    for name in type(data).model_fields:
        value = getattr(data, name)
        context[name] = _text(value, language, zone)
        if isinstance(value, LabelledEnum):
            context[f"{name}_label"] = value.label("en" if language == "en" else "zh-CN")
    return context


def reminder_context(data: dict[str, Any], offset: str, language: str, zone: ZoneInfo) -> dict[str, str]:
    starts = datetime.fromisoformat(data["starts_at"]).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return {
        "title": str(data.get("title", "")),
        "starts_at": starts,
        "location": str(data.get("location") or ""),
        "hours_before": offset.removesuffix("h"),
    }
