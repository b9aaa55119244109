"""Structured JSON logs with a request id, and a scrubber that keeps secrets and PII out."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

SENSITIVE_KEYS = frozenset(
    {
        "secret", "app_secret", "session_key", "access_token", "token", "authorization",
        "password", "id_number", "phone", "js_code", "code", "cookie",
    }
)  # fmt: skip
"""Keys whose values never reach a log line, whatever logs them."""

_SECRET_IN_TEXT = re.compile(
    r"(?i)(secret|session_key|access_token|js_code|token|password)=([^&\s\"']+)"
)
_ID_NUMBER = re.compile(r"\b\d{17}[\dXx]\b")
_MOBILE = re.compile(r"\b1[3-9]\d{9}\b")

_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


def scrub_text(text: str) -> str:
    text = _SECRET_IN_TEXT.sub(lambda m: f"{m.group(1)}=***", text)
    text = _ID_NUMBER.sub("***ID***", text)
    return _MOBILE.sub("***PHONE***", text)


def scrub(value: Any, key: str = "") -> Any:
    if key.lower() in SENSITIVE_KEYS:
        return "***"
    if isinstance(value, dict):
        return {k: scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    if isinstance(value, str):
        return scrub_text(value)
    return value


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub_text(record.getMessage()),
            "request_id": request_id_var.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = scrub(value, key)
        if record.exc_info:
            entry["exception"] = scrub_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


DRIVER_LOGGERS = ("pymongo",)
"""The database driver logs whole commands and replies (bearer-token digests, names,
plates, policy numbers) at DEBUG; no level the service runs at may show them."""


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    floor = max(logging.getLevelName(level), logging.INFO)
    for name in DRIVER_LOGGERS:
        logging.getLogger(name).setLevel(floor)
    # exifread warns once per damaged tag: a hostile upload would flood the log, and the
    # inspector reports what matters (flag or refusal) itself.
    logging.getLogger("exifread").setLevel(logging.ERROR)
