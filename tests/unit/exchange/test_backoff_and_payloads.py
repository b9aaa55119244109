"""Backoff schedule and outbox payload codecs."""

from __future__ import annotations

import random

from settlement.domain.exchange import (
    ClaimCancellation,
    ClaimFiling,
    DisputeFiling,
    SubscriptionMessage,
)
from settlement.errors import RecipientRefused, UpstreamThrottled, UpstreamTimeout
from settlement.services.dispatcher import RetryPolicy, is_retryable_error
from tests.integration.grpc.conftest import make_dispute, make_filing


def test_full_jitter_stays_under_the_exponential_ceiling() -> None:
    policy = RetryPolicy(max_attempts=10, base_delay_s=1, max_delay_s=30)
    rng = random.Random(7)
    for attempt in range(1, 12):
        ceiling = min(30, 2 ** (attempt - 1))
        delays = [policy.delay_s(attempt, rng) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling / 2  # jitter spreads over the whole range


def test_retryable_errors() -> None:
    assert is_retryable_error(UpstreamTimeout("t"))
    assert is_retryable_error(UpstreamThrottled("slow down"))
    assert is_retryable_error(KeyError("bug"))
    assert not is_retryable_error(RecipientRefused("43101"))


def test_payloads_round_trip() -> None:
    filing = make_filing()
    assert ClaimFiling.from_payload(filing.to_payload()) == filing
    dispute = make_dispute()
    assert DisputeFiling.from_payload(dispute.to_payload()) == dispute
    cancel = ClaimCancellation("r", "PICC", "c", "n", "why")
    assert ClaimCancellation.from_payload(cancel.to_payload()) == cancel
    message = SubscriptionMessage("r", "o", "t", "p", {"k": "v"}, "trial")
    assert SubscriptionMessage.from_payload(message.to_payload()) == message
