"""JSON log lines carrying the trace id, one object per line, for any log shipper.

No line carries a secret. Nothing logs requests (uvicorn's access log is off, services/kernel/app.py
`serve`), bodies or event payloads, and errors name routes by their template; as a last guard,
the formatter blanks what still looks like a credential in a message or a traceback: a bearer
token, a `whsec_` signing secret, and the value of an access_token, api_key, key, token or
secret parameter in a URL (tests/flows/test_secret_free_logs.py greps a whole stack's logs).
"""

from __future__ import annotations

import logging
import re
import sys
from datetime import UTC, datetime

import orjson

from services.kernel.tracing import current_ids

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
_CREDENTIALS = re.compile(
    r"(?P<bearer>\bBearer\s+)[A-Za-z0-9._~+/=-]+"
    r"|(?P<whsec>\bwhsec_)[A-Za-z0-9+/=]+"
    r"|(?P<param>\b(?:access_token|api_key|key|token|secret)=)[^&\s\"'<>]+",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """`text` with anything that looks like a credential replaced by [redacted]."""
    return _CREDENTIALS.sub(lambda m: (m["bearer"] or m["whsec"] or m["param"]) + "[redacted]", text)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        trace_id, span_id = current_ids()
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if trace_id:
            line["trace_id"], line["span_id"] = trace_id, span_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        return orjson.dumps(line, default=str).decode()


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Never below WARNING, whatever the level: uvicorn's access log would write URLs (an SSE stream's
    # ?access_token=, a feed's token), httpx the URLs it calls (a WeCom robot's key), and sse_starlette
    # logs every chunk it streams at DEBUG (an inbox item: a pickup code, a person's message).
    for noisy in ("uvicorn.access", "httpx", "httpcore", "sse_starlette"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "faststream"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
