"""The gRPC status tables, in both directions."""

from __future__ import annotations

import inspect
import typing

import grpc
import pytest

import settlement.errors as errors_module
from adapters.grpc.status import GRPC_STATUS, is_retryable, translate_rpc_error
from settlement.errors import (
    CanonicalStatus,
    SettlementError,
    UpstreamAuthFailed,
    UpstreamNotFound,
    UpstreamRejected,
    UpstreamThrottled,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from settlement.services.dispatcher import is_retryable_error


class FakeRpcError(grpc.RpcError):  # type: ignore[misc]
    def __init__(self, code: grpc.StatusCode, details: str = "") -> None:
        self._code, self._details = code, details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


def test_every_canonical_status_has_a_grpc_code_of_the_same_name():
    statuses = typing.get_args(CanonicalStatus)
    assert set(GRPC_STATUS) == set(statuses)
    for status, code in GRPC_STATUS.items():
        assert code.name == status


def error_classes() -> list[type[SettlementError]]:
    return [
        cls
        for _, cls in inspect.getmembers(errors_module, inspect.isclass)
        if issubclass(cls, SettlementError)
    ]


@pytest.mark.parametrize("error_class", error_classes(), ids=lambda c: c.__name__)
def test_every_settlement_error_maps_to_a_grpc_code(error_class):
    assert error_class.status in GRPC_STATUS


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (grpc.StatusCode.UNAVAILABLE, UpstreamUnavailable),
        (grpc.StatusCode.DEADLINE_EXCEEDED, UpstreamTimeout),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, UpstreamThrottled),
        (grpc.StatusCode.INVALID_ARGUMENT, UpstreamRejected),
        (grpc.StatusCode.FAILED_PRECONDITION, UpstreamRejected),
        (grpc.StatusCode.ALREADY_EXISTS, UpstreamRejected),
        (grpc.StatusCode.NOT_FOUND, UpstreamNotFound),
        (grpc.StatusCode.PERMISSION_DENIED, UpstreamAuthFailed),
        (grpc.StatusCode.UNAUTHENTICATED, UpstreamAuthFailed),
        (grpc.StatusCode.INTERNAL, UpstreamUnavailable),
    ],
)
def test_outbound_translation(code, expected):
    error = translate_rpc_error(FakeRpcError(code, "why"), upstream="PICC", method="FileClaim")
    assert type(error) is expected
    assert error.details["grpc_code"] == code.name
    assert "PICC" in error.message
    assert "why" in error.message


@pytest.mark.parametrize("code", [c for c in grpc.StatusCode if c is not grpc.StatusCode.OK])
def test_is_retryable_agrees_with_the_dispatcher(code):
    """A partner code the transport would retry is one the outbox retries too."""
    error = translate_rpc_error(FakeRpcError(code), upstream="x")
    assert is_retryable(code) == is_retryable_error(error)


def test_only_transient_codes_are_retryable():
    assert is_retryable(grpc.StatusCode.UNAVAILABLE)
    assert is_retryable(grpc.StatusCode.DEADLINE_EXCEEDED)
    assert not is_retryable(grpc.StatusCode.INVALID_ARGUMENT)
    assert not is_retryable(grpc.StatusCode.FAILED_PRECONDITION)
    assert not is_retryable(grpc.StatusCode.PERMISSION_DENIED)
