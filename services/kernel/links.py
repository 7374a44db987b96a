"""OpenAPI links: which operations take what an answer gives (the id a create answers, mostly).

A service declares them once, next to its routes, as `Links` (`ServiceDefinition.links`), and
`document_links` writes them into its OpenAPI document, on the source operation's success
response, where they tell a front-end or a subscriber how the API hangs together ("POST /issues
answers the `id` that GET /issues/{issue_id} and its review, comments... take") and let a
stateful fuzzer (schemathesis, tests/fuzz/test_stateful_links.py) reach objects that exist.

Operations are named by method and path, as they read in the document, not by FastAPI's generated
operationIds; the written link names its target by operationId, as OpenAPI wants. A link to an
operation, a status or a parameter that does not exist is refused when the document is made.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

METHODS = ("get", "put", "post", "delete", "patch")
_UNSAFE = re.compile(r"[^A-Za-z0-9.\-_]+")


class InvalidLink(ValueError):
    """A declared link names an operation, a status or a parameter the document does not have."""


@dataclass(frozen=True)
class Links:
    """The answer of `source` gives `parameters` (and `body` fields) to each of `targets`.

    `source` and `targets` read `"POST /issues"`, `"GET /issues/{issue_id}"`. `parameters` maps a
    target's parameter (path or query) to a runtime expression on the answer, e.g.
    `{"issue_id": "$response.body#/id"}`; `body` maps request body fields to expressions the same way.
    `status` is the source's answer that carries them: every success status unless given."""

    source: str
    targets: Sequence[str]
    parameters: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, str] | None = None
    status: str | None = None
    description: str | None = None


def from_answer(
    source: str, parameters: Mapping[str, str], *targets: str, body: Mapping[str, str] | None = None
) -> Links:
    """Shorthand: `from_answer("POST /issues", {"issue_id": ID}, "GET /issues/{issue_id}", ...)`."""
    return Links(source=source, targets=targets, parameters=parameters, body=body)


ID = "$response.body#/id"
"""The expression most links use: the `id` of the answered object."""
FIRST = "$response.body#/0/id"
"""The `id` of the first object a list answers (objects that exist already, made by others or earlier)."""
FIRST_ITEM = "$response.body#/items/0/id"
"""The `id` of the first object of a page (services/kernel/pagination.py)."""


def document_links(spec: dict[str, Any], links: Iterable[Links]) -> dict[str, Any]:
    """`spec` with every declared link written on its source's answer; `InvalidLink` when one does not fit."""
    spec = copy.deepcopy(spec)
    for declared in links:
        source = _operation(spec, declared.source)
        responses: dict[str, Any] = source.setdefault("responses", {})
        statuses = [declared.status] if declared.status else [s for s in responses if s.startswith("2")]
        if not statuses or any(status not in responses for status in statuses):
            raise InvalidLink(f"{declared.source} declares no {declared.status or 'success'} answer")
        written = {status: responses[status].setdefault("links", {}) for status in statuses}
        for target_name in declared.targets:
            link = _link(spec, declared, target_name)
            for status in statuses:
                written[status][_name(target_name, written[status])] = link
    return spec


def _link(spec: dict[str, Any], declared: Links, target_name: str) -> dict[str, Any]:
    target = _operation(spec, target_name)
    operation_id = target.get("operationId")
    if not operation_id:
        raise InvalidLink(f"{target_name} has no operationId")
    names = {p["name"] for p in target.get("parameters", ()) if p.get("in") in {"path", "query"}}
    unknown = sorted(set(declared.parameters) - names)
    if unknown:
        raise InvalidLink(f"{target_name} takes no parameter {', '.join(unknown)}")
    if declared.body is not None and "requestBody" not in target:
        raise InvalidLink(f"{target_name} takes no request body")
    link: dict[str, Any] = {"operationId": operation_id}
    if declared.parameters:
        link["parameters"] = dict(declared.parameters)
    if declared.body is not None:
        link["requestBody"] = dict(declared.body)
    link["description"] = declared.description or target.get("summary") or target_name
    return link


def _operation(spec: dict[str, Any], name: str) -> dict[str, Any]:
    method, _, path = name.partition(" ")
    operation = spec.get("paths", {}).get(path, {}).get(method.lower())
    if method.lower() not in METHODS or operation is None:
        raise InvalidLink(f"the document has no operation {name}")
    found: dict[str, Any] = operation
    return found


def _name(target: str, taken: Mapping[str, Any]) -> str:
    """A link's name from its target, `GET /issues/{issue_id}/comments` -> `get-issues-issue_id-comments`."""
    method, _, path = target.partition(" ")
    base = "-".join([method.lower(), *(_UNSAFE.sub("", part) for part in path.split("/") if part)])
    name, suffix = base, 2
    while name in taken:
        name, suffix = f"{base}-{suffix}", suffix + 1
    return name
