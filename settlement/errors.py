"""The one error vocabulary of the service.

Every failure the core can report is a :class:`SettlementError` subclass. Each class
carries a stable, machine-readable ``code`` (what clients branch on) and a canonical
``status`` named after ``google.rpc.Code``. The HTTP adapter and the gRPC adapter each
own exactly one table from ``status`` to their wire status; nothing else translates.
"""

from __future__ import annotations

from typing import ClassVar, Literal

CanonicalStatus = Literal[
    "INVALID_ARGUMENT",
    "FAILED_PRECONDITION",
    "OUT_OF_RANGE",
    "UNAUTHENTICATED",
    "PERMISSION_DENIED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "ABORTED",
    "RESOURCE_EXHAUSTED",
    "UNAVAILABLE",
    "DEADLINE_EXCEEDED",
    "UNIMPLEMENTED",
    "INTERNAL",
]


class SettlementError(Exception):
    """Base of every error the service reports on purpose.

    Args:
        message: a sentence a person can act on (it reaches the client as is).
        **details: structured context for clients (never secrets or personal data).
    """

    code: ClassVar[str] = "INTERNAL"
    status: ClassVar[CanonicalStatus] = "INTERNAL"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, object] = details


# --- bad input ------------------------------------------------------------------------


class InvalidInput(SettlementError):
    """A request or document does not have the expected shape or values."""

    code = "INVALID_INPUT"
    status = "INVALID_ARGUMENT"


class MalformedBody(InvalidInput):
    code = "MALFORMED_BODY"


class UnsupportedMediaType(InvalidInput):
    code = "UNSUPPORTED_MEDIA_TYPE"


class PayloadTooLarge(SettlementError):
    code = "PAYLOAD_TOO_LARGE"
    status = "OUT_OF_RANGE"


class IdempotencyKeyReused(InvalidInput):
    """The same Idempotency-Key came back with a different request body."""

    code = "IDEMPOTENCY_KEY_REUSED"


# --- identity and access --------------------------------------------------------------


class NotAuthenticated(SettlementError):
    code = "NOT_AUTHENTICATED"
    status = "UNAUTHENTICATED"


class TokenExpired(NotAuthenticated):
    code = "TOKEN_EXPIRED"


class InvalidLoginCode(NotAuthenticated):
    code = "INVALID_LOGIN_CODE"


class NotPermitted(SettlementError):
    code = "NOT_PERMITTED"
    status = "PERMISSION_DENIED"


class AccountLocked(NotPermitted):
    code = "ACCOUNT_LOCKED"


# --- existence and state --------------------------------------------------------------


class NotFound(SettlementError):
    code = "NOT_FOUND"
    status = "NOT_FOUND"


class CaseNotFound(NotFound):
    """Also raised for cases that exist but belong to someone else (no existence oracle)."""

    code = "CASE_NOT_FOUND"


class ClaimNotFound(NotFound):
    """No such claim, or not the caller's (one answer, so claim ids cannot be probed)."""

    code = "CLAIM_NOT_FOUND"


class PhotoNotFound(NotFound):
    code = "PHOTO_NOT_FOUND"


class JoinCodeInvalid(SettlementError):
    """Unknown, expired or already used join code: one answer so codes cannot be probed."""

    code = "JOIN_CODE_INVALID"
    status = "FAILED_PRECONDITION"


class AlreadyExists(SettlementError):
    code = "ALREADY_EXISTS"
    status = "ALREADY_EXISTS"


class IllegalTransition(SettlementError):
    """The case is not in a state that allows this action."""

    code = "ILLEGAL_TRANSITION"
    status = "FAILED_PRECONDITION"


class PreconditionFailed(SettlementError):
    code = "PRECONDITION_FAILED"
    status = "FAILED_PRECONDITION"


class ConcurrentUpdate(SettlementError):
    """Someone else changed the record first; re-read and try again."""

    code = "CONCURRENT_UPDATE"
    status = "ABORTED"


class RequestInProgress(SettlementError):
    """A request with the same Idempotency-Key is still being processed."""

    code = "REQUEST_IN_PROGRESS"
    status = "ABORTED"


class RateLimited(SettlementError):
    """Too many attempts in a window; ``details.retry_after_s`` says when to try again."""

    code = "RATE_LIMITED"
    status = "RESOURCE_EXHAUSTED"


class DatabaseUnavailable(SettlementError):
    """The database cannot take the request now (an election, a lost primary); retry."""

    code = "DATABASE_UNAVAILABLE"
    status = "UNAVAILABLE"


# --- partners ------------------------------------------------------------------------


class UpstreamUnavailable(SettlementError):
    code = "UPSTREAM_UNAVAILABLE"
    status = "UNAVAILABLE"


class UpstreamTimeout(SettlementError):
    code = "UPSTREAM_TIMEOUT"
    status = "DEADLINE_EXCEEDED"


class UpstreamRejected(SettlementError):
    """A partner refused the request for good; retrying will not help."""

    code = "UPSTREAM_REJECTED"
    status = "FAILED_PRECONDITION"


class ConfigurationError(Exception):
    """Start-up configuration is invalid. Not a request error: the process stops."""


# --- photo evidence -------------------------------------------------------------------


class PhotoRejected(InvalidInput):
    """The photo was read but fails the evidence rules (reasons are in ``details``)."""

    code = "PHOTO_REJECTED"


class CorruptImage(InvalidInput):
    """The bytes claim to be an image but cannot be decoded (truncated or damaged)."""

    code = "CORRUPT_IMAGE"


class MalformedExif(CorruptImage):
    """The EXIF block has a structure no camera writes (IFD loops, absurd counts)."""

    code = "MALFORMED_EXIF"


class ImageTooLarge(InvalidInput):
    """The image header declares more pixels than the service will decode."""

    code = "IMAGE_TOO_LARGE"


class EmptyUpload(InvalidInput):
    code = "EMPTY_UPLOAD"


# --- partner exchange -----------------------------------------------------------------


class UpstreamThrottled(SettlementError):
    """A partner asked us to slow down (quota or rate limit); retry later."""

    code = "UPSTREAM_THROTTLED"
    status = "RESOURCE_EXHAUSTED"


class UpstreamNotFound(NotFound):
    """A partner does not know the record we asked about (lost, deleted, never filed)."""

    code = "UPSTREAM_NOT_FOUND"


class UpstreamAuthFailed(UpstreamRejected):
    """A partner refused our credentials; fix the configuration, retrying will not help."""

    code = "UPSTREAM_AUTH_FAILED"


class RecipientRefused(UpstreamRejected):
    """The recipient does not accept the message (WeChat 43101: no subscription quota left)."""

    code = "RECIPIENT_REFUSED"


class OutboxMessageNotFound(NotFound):
    code = "OUTBOX_MESSAGE_NOT_FOUND"
