"""Timestamps sent to partners: the fast conversion gives exactly what protobuf's own
``FromDatetime`` gives, before and after 1970, at any offset, to the microsecond."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from google.protobuf import timestamp_pb2

from adapters.grpc.insurer_client import time_from_proto, time_to_proto
from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2 as pb


@pytest.mark.parametrize(
    "value",
    [
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(1900, 3, 1, 12, 0, 0, 1, tzinfo=UTC),
        datetime(2026, 3, 1, 10, 5, 7, 123_456, tzinfo=timezone(timedelta(hours=8))),
        datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=-9, minutes=-30))),
        datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    ],
)
def test_time_to_proto_matches_protobuf(value: datetime) -> None:
    expected = timestamp_pb2.Timestamp()
    expected.FromDatetime(value.astimezone(UTC))
    stamp = time_to_proto(value)
    assert (stamp.seconds, stamp.nanos) == (expected.seconds, expected.nanos)
    carrier = timestamp_pb2.Timestamp()
    assert 0 <= stamp.nanos < 1_000_000_000
    carrier.CopyFrom(stamp)
    assert carrier.ToDatetime(tzinfo=UTC) == value


def test_round_trip_through_a_message() -> None:
    at = datetime(2026, 3, 1, 2, 0, 0, 500_000, tzinfo=UTC)
    message = pb.SubmitAssessmentRequest()
    message.assess_time.CopyFrom(time_to_proto(at))
    assert time_from_proto(message, "assess_time") == at
