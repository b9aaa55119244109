"""The JSON guard's limits, exactly at their edges."""

from __future__ import annotations

import pytest

from adapters.http.json_guard import MAX_DEPTH, parse_json
from settlement.errors import MalformedBody


def test_depth_is_counted_exactly_and_strings_do_not_count() -> None:
    assert parse_json(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is not None
    with pytest.raises(MalformedBody):
        parse_json(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))
    # Brackets inside strings (escaped quotes too) are text, not nesting.
    text = b'"' + b'\\"[{' * 100 + b'"'
    assert parse_json(b'{"a": ' + text + b"}")["a"].startswith('"[{')
    # Many sibling arrays are wide, not deep.
    assert len(parse_json(b"[" + b",".join([b"[]"] * 500) + b"]")) == 500


def test_paired_surrogates_are_text_and_lone_ones_are_refused() -> None:
    assert parse_json(b'{"a": "\\ud83d\\ude97"}') == {"a": "🚗"}
    assert parse_json(b'{"a": "\\\\ud800"}') == {"a": "\\ud800"}  # an escaped backslash
    with pytest.raises(MalformedBody):
        parse_json(b'{"a": "\\ud800"}')
