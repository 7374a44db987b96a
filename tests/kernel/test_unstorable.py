"""Text no service can keep is recognised exactly: escapes that are escapes, pairs that are pairs."""

from __future__ import annotations

import pytest

from services.kernel.unstorable import in_form, in_json, in_url


@pytest.mark.parametrize(
    "body",
    [
        b'{"t": "\\u0000"}',
        b'{"t": "\\ud800"}',
        b'{"t": "\\udc00"}',
        b'{"t": "\\ud800\\\\udc00"}',
        b'{"t": "\xff"}',
        b'{"t": "\xed\xa0\x80"}',
        b'{"t": "\\\\\\u0000"}',
    ],
)
def test_nul_unpaired_surrogates_and_bad_utf8_in_json_are_refused(body: bytes) -> None:
    assert in_json(body) is not None


@pytest.mark.parametrize(
    "body",
    [
        b'{"t": "plain"}',
        b'{"t": "\\ud83d\\ude00"}',
        b'{"t": "\\\\u0000"}',
        b'{"t": "\\\\ud800"}',
        '{"t": "美湖"}'.encode(),
    ],
)
def test_paired_surrogates_and_escaped_backslashes_are_kept(body: bytes) -> None:
    assert in_json(body) is None


def test_a_nul_in_a_form_path_or_query_is_refused() -> None:
    assert in_form(b"description=a%00b") is not None
    assert in_form(b"description=a%2500b") is None
    assert in_url("/issues/\x00", b"") == ("path", "The path contains a NUL character (%00).")
    assert in_url("/issues", b"q=%00")[0] == "query"  # type: ignore[index]
    assert in_url("/issues", b"q=ok") is None
