"""Parse request JSON only after refusing what would hurt the parser or the storage.

``json.loads`` recurses once per nesting level, so ~1000 levels in a 2 KB body reach
Python's recursion limit; and JSON may spell lone UTF-16 surrogates (``"\\ud800"``),
which Python accepts but cannot encode as UTF-8, so they would fail later, deep in a
database write or in the error document itself. Both are refused first, as 400.
"""

from __future__ import annotations

import json
import re
from typing import Any

from settlement.errors import MalformedBody

MAX_DEPTH = 32
"""Far deeper than any request schema of the service (the deepest is 4)."""

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def nesting_depth_exceeds(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects nest deeper than ``limit`` (strings are skipped)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # too few openings to nest that deep: no scan (the usual body)
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', body)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def has_lone_surrogate(value: Any) -> bool:
    """Whether any key or string in a parsed document is not valid Unicode text."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def parse_json(body: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """The body as JSON.

    Raises:
        MalformedBody: not JSON, nested deeper than ``max_depth``, or a lone surrogate.
    """
    if nesting_depth_exceeds(body, max_depth):
        raise MalformedBody(
            f"The JSON body nests arrays or objects more than {max_depth} levels deep.",
            max_depth=max_depth,
        )
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise MalformedBody("The request body is not valid JSON.") from None
    # Only bodies that spell a surrogate escape need the walk.
    if _SURROGATE_ESCAPE.search(body) and has_lone_surrogate(document):
        raise MalformedBody(
            "The JSON body contains an unpaired UTF-16 surrogate (\\ud800–\\udfff), which "
            "is not text; send valid Unicode."
        )
    return document
