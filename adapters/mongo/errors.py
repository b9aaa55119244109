"""The database's availability errors, named once in the service's error vocabulary.

During an election (the primary killed or stepping down) operations fail with
``NotPrimaryError``, ``AutoReconnect``/``NetworkTimeout``, a server-selection timeout, or
an error labelled retryable or transient. The driver retries once by itself; what still
fails is an outage to wait out, not a bug: 503 with ``Retry-After``, never 500.
"""

from __future__ import annotations

from pymongo.errors import ConnectionFailure, OperationFailure, PyMongoError

from settlement.errors import DatabaseUnavailable, SettlementError

RETRY_AFTER_S = 5
"""An election settles in about 10–12 s after a crash and in under 1 s after a step-down."""

# Server error codes of the not-primary / shutting-down family (src/mongo/base/error_codes.yml).
_UNAVAILABLE_CODES = frozenset(
    {
        6,  # HostUnreachable
        7,  # HostNotFound
        89,  # NetworkTimeout
        91,  # ShutdownInProgress
        189,  # PrimarySteppedDown
        262,  # ExceededTimeLimit
        9001,  # SocketException
        10107,  # NotWritablePrimary
        11600,  # InterruptedAtShutdown
        11602,  # InterruptedDueToReplStateChange
        13435,  # NotPrimaryNoSecondaryOk
        13436,  # NotPrimaryOrSecondary
        64,  # WriteConcernFailed (majority not reached in time)
    }
)
_LABELS = ("RetryableWriteError", "TransientTransactionError", "UnknownTransactionCommitResult")


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` itself names an outage (no primary, network, shutdown), whatever
    its labels say: a write conflict is labelled transient too, but is no outage."""
    if isinstance(error, ConnectionFailure):  # AutoReconnect, NotPrimaryError, timeouts
        return True
    return isinstance(error, OperationFailure) and error.code in _UNAVAILABLE_CODES


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means "the database cannot serve this now; try again shortly"."""
    if is_outage(error):
        return True
    return isinstance(error, PyMongoError) and any(error.has_error_label(x) for x in _LABELS)


def database_error(error: BaseException) -> SettlementError | None:
    """``DatabaseUnavailable`` for an availability error, None for anything else."""
    if not is_unavailable(error):
        return None
    return DatabaseUnavailable(
        "The database is briefly unavailable (a failover is in progress); retry in a few "
        "seconds.",
        retry_after_s=RETRY_AFTER_S,
    )
