"""A small JSON Schema (2020-12 subset) validator for request bodies.

The same schema objects are published in the OpenAPI document, so what the API
describes and what it enforces cannot drift apart. Only the keywords used by this
service are supported; an unsupported keyword is a programming error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NoReturn

from settlement.domain.timeline import IMPLAUSIBLE_MESSAGE, plausible_instant
from settlement.errors import InvalidInput

Schema = Mapping[str, Any]

_SUPPORTED = frozenset(
    {
        "type", "properties", "required", "additionalProperties", "enum", "minLength",
        "maxLength", "pattern", "minimum", "maximum", "format", "items", "maxItems",
        "minItems", "description", "title", "examples", "default",
        "exclusiveMinimum",
    }
)  # fmt: skip

_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?"
    r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?"
)
"""RFC 3339 ``date-time`` (the offset is optional here so its absence gets its own message)."""

_TYPE_NAMES = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def validate(document: object, schema: Schema, path: str = "") -> None:
    """Check ``document`` against ``schema``.

    Raises:
        InvalidInput: with ``details.field`` naming the first offending field.
    """
    unknown = set(schema) - _SUPPORTED
    if unknown:
        raise AssertionError(f"unsupported schema keywords {sorted(unknown)}")
    expected = schema.get("type")
    if expected is not None:
        types = [expected] if isinstance(expected, str) else list(expected)
        if not any(_is_type(document, name) for name in types):
            _fail(path, "must be " + " or ".join(_TYPE_NAMES[name] for name in types))
    if "enum" in schema and document not in schema["enum"]:
        allowed = ", ".join(str(v) for v in schema["enum"])
        _fail(path, f"must be one of: {allowed}", allowed=list(schema["enum"]))
    if isinstance(document, str):
        _check_string(document, schema, path)
    elif isinstance(document, int | float) and not isinstance(document, bool):
        _check_number(document, schema, path)
    elif isinstance(document, list):
        _check_array(document, schema, path)
    elif isinstance(document, dict):
        _check_object(document, schema, path)


def _check_string(value: str, schema: Schema, path: str) -> None:
    if len(value) < schema.get("minLength", 0):
        _fail(path, "must not be empty" if schema["minLength"] == 1 else "is too short")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        _fail(path, f"must be at most {schema['maxLength']} characters")
    if schema.get("format") == "date-time":
        # Before the pattern, so a bad date gets a message about dates.
        try:
            if not _RFC3339.fullmatch(value):  # what "date-time" means; fromisoformat is laxer
                raise ValueError(value)
            parsed = parse_date_time(value)
        except ValueError:
            _fail(path, "must be an ISO 8601 date-time such as 2026-05-01T08:30:00+08:00")
        if parsed.tzinfo is None:
            _fail(path, "must include a time zone offset, such as +08:00")
        if not plausible_instant(parsed):
            _fail(path, IMPLAUSIBLE_MESSAGE)
    if "pattern" in schema and not pattern_matches(schema["pattern"], value):
        _fail(path, "has an invalid format")


def parse_date_time(value: str) -> datetime:
    """A date-time string the validator accepted, as an aware datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))


def pattern_matches(pattern: str, value: str) -> bool:
    """JSON Schema (ECMA-262) semantics: match anywhere; ``$`` is the very end of the text.

    Python's ``$`` also matches before a final newline, which would let ``"abc\\n"`` pass
    ``^abc$``; ``\\Z`` does not.
    """
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.search(pattern, value) is not None


def _check_number(value: float, schema: Schema, path: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        _fail(path, "must be a finite number")
    if "minimum" in schema and value < schema["minimum"]:
        _fail(path, f"must be at least {schema['minimum']}")
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        _fail(path, f"must be more than {schema['exclusiveMinimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        _fail(path, f"must be at most {schema['maximum']}")


def _check_array(value: list[object], schema: Schema, path: str) -> None:
    if len(value) < schema.get("minItems", 0):
        _fail(path, f"must have at least {schema['minItems']} items")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        _fail(path, f"must have at most {schema['maxItems']} items")
    if "items" in schema:
        for index, item in enumerate(value):
            validate(item, schema["items"], f"{path}[{index}]")


def _check_object(value: dict[str, object], schema: Schema, path: str) -> None:
    properties: Mapping[str, Schema] = schema.get("properties", {})
    for name in schema.get("required", ()):
        if name not in value or value[name] is None:
            _fail(_join(path, name), "is required")
    additional = schema.get("additionalProperties", True)
    for name, item in value.items():
        field_path = _join(path, name)
        if name in properties:
            # null only where the schema says so: what the OpenAPI document publishes.
            validate(item, properties[name], field_path)
        elif additional is False:
            _fail(field_path, "is not a known field")
        elif isinstance(additional, Mapping):
            validate(item, additional, field_path)


def _is_type(value: object, expected: str) -> bool:
    if expected == "object":
        return isinstance(value, dict)
    if expected == "array":
        return isinstance(value, list)
    if expected == "string":
        return isinstance(value, str)
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected == "null":
        return value is None
    raise AssertionError(f"unsupported type {expected}")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _fail(path: str, problem: str, **details: object) -> NoReturn:
    field = path or "body"
    raise InvalidInput(f"{field} {problem}.", field=field, **details)
