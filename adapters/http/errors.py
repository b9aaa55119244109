"""The one table from the error vocabulary to HTTP, and the problem+json body."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from settlement.errors import SettlementError

STATUS_FOR_CANONICAL: dict[str, int] = {
    "INVALID_ARGUMENT": 422,
    "FAILED_PRECONDITION": 409,
    "OUT_OF_RANGE": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "ABORTED": 409,
    "RESOURCE_EXHAUSTED": 429,
    "UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
    "UNIMPLEMENTED": 501,
    "INTERNAL": 500,
}

STATUS_FOR_CODE: dict[str, int] = {
    # Codes whose HTTP meaning is more precise than their canonical status.
    "MALFORMED_BODY": 400,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "PAYLOAD_TOO_LARGE": 413,
}

CODE_FOR_HTTP_STATUS: dict[int, str] = {
    400: "BAD_REQUEST",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    500: "INTERNAL",
}

PROBLEM_CONTENT_TYPE = "application/problem+json"


def http_status(error: SettlementError) -> int:
    return STATUS_FOR_CODE.get(error.code, STATUS_FOR_CANONICAL[error.status])


def problem(
    status: int, code: str, message: str, details: dict[str, Any] | None, request_id: str
) -> bytes:
    """An RFC 9457 problem document with the service's stable ``code``."""
    body = {
        "type": f"urn:settlement:error:{code.lower()}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "code": code,
        "message": message,
        "details": details or {},
        "request_id": request_id,
    }
    return json.dumps(body, ensure_ascii=False, default=str).encode()
