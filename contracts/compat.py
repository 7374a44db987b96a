"""Schema compatibility: what may change in a published event schema within a major version.

Allowed: a new optional field, a looser constraint, a new enum value. Not allowed: a field
removed or retyped, a field that became required. Such a change needs `version = N+1`,
which gives the event a new type (`linli.issue.resolved.v2`) and a new schema file.
"""

from __future__ import annotations

from typing import Any


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _resolve(root["$defs"][ref.removeprefix("#/$defs/")], root)
    return schema


def _types(schema: dict[str, Any], root: dict[str, Any]) -> set[str]:
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        out: set[str] = set()
        for option in schema["anyOf"]:
            out |= _types(option, root)
        return out
    if "enum" in schema or "const" in schema:
        return {"enum"}
    kind = schema.get("type")
    if isinstance(kind, list):
        return set(kind)
    return {kind} if isinstance(kind, str) else {"object"}


def breaking_changes(
    old: dict[str, Any], new: dict[str, Any], path: str = "", old_root: Any = None, new_root: Any = None
) -> list[str]:
    """Every incompatible difference between two object schemas, as readable lines."""
    old_root = old_root or old
    new_root = new_root or new
    old = _resolve(old, old_root)
    new = _resolve(new, new_root)
    problems: list[str] = []
    old_props: dict[str, Any] = old.get("properties", {})
    new_props: dict[str, Any] = new.get("properties", {})
    old_required = set(old.get("required", []))
    new_required = set(new.get("required", []))
    for name, old_field in old_props.items():
        where = f"{path}{name}"
        if name not in new_props:
            problems.append(f"{where}: removed")
            continue
        old_types, new_types = _types(old_field, old_root), _types(new_props[name], new_root)
        if not old_types <= new_types and "enum" not in old_types:
            problems.append(f"{where}: type {sorted(old_types)} became {sorted(new_types)}")
        old_enum = set(_resolve(old_field, old_root).get("enum", []))
        new_enum = set(_resolve(new_props[name], new_root).get("enum", []))
        if old_enum - new_enum and new_enum:
            problems.append(f"{where}: enum values removed {sorted(old_enum - new_enum)}")
        if "object" in old_types and "properties" in _resolve(old_field, old_root):
            problems += breaking_changes(old_field, new_props[name], f"{where}.", old_root, new_root)
    for name in sorted(new_required - old_required):
        problems.append(f"{path}{name}: became required")
    return problems
