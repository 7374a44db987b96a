"""GeoReport v2 wire formats: the same documents as JSON or XML (root element and the element
names of list items as the spec's examples show), and the spec's error format."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import Response

FORMATS = ("json", "xml")
XML_MEDIA = "text/xml; charset=utf-8"
JSON_MEDIA = "application/json; charset=utf-8"

# The element name of one item in each list the spec defines.
_ITEM_TAG = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
    "services": "service",
    "service_requests": "request",
    "errors": "error",
}


class Open311Error(Exception):
    """An error answered in the spec's format: a list of {code, description}."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


class Open311ErrorItem(BaseModel):
    """One error of the spec's error document (a list of them; `errors/error` elements in XML)."""

    code: int
    description: str


_XML: dict[str, Any] = {"text/xml": {"schema": {"type": "string", "description": "The same document as XML"}}}
DOCUMENT: dict[str, Any] = {
    "description": "The document, as JSON or XML by the extension",
    "content": {"application/json": {}, **_XML},
}
"""A GeoReport route's answer."""
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": list[Open311ErrorItem], "description": description, "content": _XML}
    for status, description in (
        (400, "A field is missing or malformed"),
        (403, "No api_key, or one this server does not know"),
        (404, "An unknown format, jurisdiction, service or request"),
        (429, "Too many requests for this caller"),
    )
}
"""What every GeoReport route may refuse with, in the spec's formats, besides the kernel's problems."""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        tag = _ITEM_TAG.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, tag), child)
    else:
        element.text = _text(value)


def to_xml(root: str, document: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, document)
    body: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def respond(fmt: str, root: str, document: Any, status: int = 200) -> Response:
    """`root` names the XML root element; the JSON form is the document itself."""
    if fmt == "xml":
        return Response(to_xml(root, document), status_code=status, media_type=XML_MEDIA)
    return Response(orjson.dumps(document), status_code=status, media_type=JSON_MEDIA)


def error_response(fmt: str, error: Open311Error) -> Response:
    return respond(
        fmt if fmt in FORMATS else "json",
        "errors",
        [{"code": error.status, "description": error.description}],
        error.status,
    )
