"""What the JSON log formatter never writes: credentials, and the chatter of loggers that would carry them."""

from __future__ import annotations

import logging
import sys

import pytest
from pydantic import BaseModel, ValidationError

from services.kernel.consumer import _without_values
from services.kernel.logs import JsonFormatter, configure_logging, redact


def test_the_formatter_blanks_bearer_tokens_signing_secrets_and_credential_parameters() -> None:
    text = (
        "GET /inbox/stream?access_token=eyJhbGciOi.eyJzdWIi.c2ln&x=1; Authorization: Bearer eyJhbGciOi.eyJ.sig; "
        "secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw; https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6"
        " /open311/v2/requests.json?api_key=k3y_Value"
    )

    cleaned = redact(text)

    for secret in ("eyJhbGciOi", "whsec_MfKQ", "693a91f6", "k3y_Value"):
        assert secret not in cleaned
    assert "access_token=[redacted]&x=1" in cleaned
    assert "Bearer [redacted]" in cleaned


def test_a_logged_message_and_its_traceback_are_redacted() -> None:
    try:
        raise ValueError("could not call https://robot.example/send?key=robot-key-123")
    except ValueError:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "token=%s", ("tok-456",), sys.exc_info())

    line = JsonFormatter("probe").format(record)

    assert "tok-456" not in line
    assert "robot-key-123" not in line


def test_loggers_that_would_write_urls_or_streamed_items_stay_at_warning_even_at_debug() -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging("probe", "DEBUG")

        for name in ("uvicorn.access", "httpx", "httpcore", "sse_starlette"):
            assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING, name
    finally:
        root.handlers[:], root.level = handlers, level


class _Reserved(BaseModel):
    pickup_code: int


def test_a_refused_events_reason_names_its_fields_never_their_values() -> None:
    with pytest.raises(ValidationError) as refused:
        _Reserved.model_validate({"pickup_code": "not-a-number-424242"})

    reason = _without_values(refused.value)

    assert "pickup_code" in reason
    assert "424242" not in reason
