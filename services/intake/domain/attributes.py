"""A category's own questions (attributes, as Open311 service definitions describe them), and the
check that a submission answers them as the category defines: the same rule for the app and Open311."""

from __future__ import annotations

from typing import Any

from services.intake.domain.lifecycle import InvalidAttributes


def check_attributes(category: dict[str, Any], given: dict[str, list[str]]) -> dict[str, Any]:
    """Validate attribute[code] values against the service definition; returns what to store.

    Raises InvalidAttributes with a description the client can read."""
    known = {a["code"]: a for a in category["attributes"]}
    stored: dict[str, Any] = {}
    for code, values in given.items():
        attr = known.get(code)
        if attr is None:
            raise InvalidAttributes(f"attribute[{code}] is not defined for service {category['code']}")
        if attr["datatype"] in ("singlevaluelist", "multivaluelist"):
            keys = {v["key"] for v in attr.get("values", [])}
            bad = [v for v in values if v not in keys]
            if bad:
                raise InvalidAttributes(f"attribute[{code}] has no value {bad[0]!r}")
        if attr["datatype"] == "multivaluelist":
            stored[code] = values
        else:
            if len(values) != 1:
                raise InvalidAttributes(f"attribute[{code}] takes one value")
            stored[code] = values[0]
    for code, attr in known.items():
        if attr.get("required") and attr.get("variable", True) and code not in stored:
            raise InvalidAttributes(f"attribute[{code}] is required")
    return stored
