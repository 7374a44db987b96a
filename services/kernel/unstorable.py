"""Text no service can keep, refused at the edge: NUL characters, unpaired surrogates, bytes that are not UTF-8.

PostgreSQL's `text` and `jsonb` cannot hold U+0000; UTF-8 cannot encode a lone surrogate, so
asyncpg (and orjson, answering) fail on one. Python's `json`, which FastAPI parses bodies with,
accepts both (`"\\u0000"`, `"\\ud800"`, and the UTF-8-shaped bytes of a surrogate), so such a value
would reach the database or the response and end as a 500. The kernel's HTTP middleware asks
these functions about the path, the query and JSON or form bodies of every request, and answers
a 422 problem before any route runs: nothing is read, written or published.
"""

from __future__ import annotations

import re

# A `\uXXXX` escape that is one: preceded by an even number of backslashes (`\\u0000` is a backslash and "u0000").
_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u([0-9a-fA-F]{4})")


def _surrogate(code: int) -> str | None:
    if 0xD800 <= code <= 0xDBFF:
        return "high"
    if 0xDC00 <= code <= 0xDFFF:
        return "low"
    return None


def in_json(body: bytes) -> str | None:
    """Why the text of a JSON body cannot be kept, or None when it can."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"The body is not valid UTF-8 (byte {exc.start})."
    if b"\\u" not in body:
        return None
    pending_high: re.Match[bytes] | None = None
    for escape in _ESCAPE.finditer(body):
        code = int(escape.group(1), 16)
        if code == 0:
            return "The body contains a NUL character (\\u0000), which no text field accepts."
        kind = _surrogate(code)
        if pending_high is not None:
            paired = kind == "low" and escape.start(1) - 2 == pending_high.end()
            pending_high = None
            if paired:
                continue
            return _LONE
        if kind == "high":
            pending_high = escape
        elif kind == "low":
            return _LONE
    return _LONE if pending_high is not None else None


_LONE = "The body contains an unpaired UTF-16 surrogate escape, which is not a character."


def in_form(body: bytes) -> str | None:
    """Why a form-encoded body cannot be kept (percent-decoding tolerates bad UTF-8; NUL it keeps)."""
    if b"%00" in body or b"\x00" in body:
        return "The form contains a NUL character (%00), which no field accepts."
    return None


def in_url(path: str, query: bytes) -> tuple[str, str] | None:
    """(`path` or `query`, why) when the request's URL carries a NUL character, else None."""
    if "\x00" in path:
        return "path", "The path contains a NUL character (%00)."
    if b"%00" in query or b"\x00" in query:
        return "query", "The query contains a NUL character (%00)."
    return None
