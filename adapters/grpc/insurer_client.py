"""GrpcInsurerGateway: the InsurerGateway port over each insurer's gRPC service.

One channel per insurer, opened lazily inside the running event loop (grpc.aio objects
are bound to the loop that created them) and reused for every call. Every call has a
deadline; mutating calls carry the caller's ``request_id``; failures are translated by
:func:`adapters.grpc.status.translate_rpc_error`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import grpc
from google.protobuf import timestamp_pb2

from adapters.grpc.pb.accident.insurer.v1 import insurer_gateway_pb2 as pb
from adapters.grpc.pb.accident.insurer.v1 import insurer_gateway_pb2_grpc as pb_grpc
from adapters.grpc.status import translate_rpc_error
from settlement.domain.exchange import (
    ClaimCancellation,
    ClaimFiling,
    FiledClaim,
    InsurerClaimReport,
    InsurerClaimStatus,
    Payout,
)
from settlement.errors import NotFound

log = logging.getLogger(__name__)

# The generated *_pb2_grpc modules carry no annotations.
_InsurerStub: Any = pb_grpc.InsurerGatewayServiceStub

CURRENCY = "CNY"


@dataclass(frozen=True, slots=True)
class PartnerEndpoint:
    """Where and how to reach one partner.

    Args:
        target: ``host:port``.
        credentials: channel credentials (mTLS in production); None means plaintext,
            for local simulators only.
        token: bearer token sent as ``authorization`` metadata, if the partner wants one.
    """

    target: str
    credentials: grpc.ChannelCredentials | None = None
    token: str | None = None


def transport_retry_options(max_attempts: int) -> list[tuple[str, Any]]:
    """Channel options for gRPC's own retries: UNAVAILABLE only (AIP-194), few attempts.

    These cover blips within one delivery; the outbox covers longer outages.
    """
    if max_attempts <= 1:
        return [("grpc.enable_retries", 0)]
    config = {
        "methodConfig": [
            {
                "name": [{}],
                "retryPolicy": {
                    "maxAttempts": max_attempts,
                    "initialBackoff": "0.1s",
                    "maxBackoff": "1s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        ]
    }
    return [("grpc.enable_retries", 1), ("grpc.service_config", json.dumps(config))]


def reconnect_options(max_backoff_s: float) -> list[tuple[str, Any]]:
    """Reconnect quickly once a partner is back: gRPC's default backoff grows to 120 s."""
    ceiling = max(int(max_backoff_s * 1000), 100)
    return [
        ("grpc.initial_reconnect_backoff_ms", min(200, ceiling)),
        ("grpc.min_reconnect_backoff_ms", min(200, ceiling)),
        ("grpc.max_reconnect_backoff_ms", ceiling),
    ]


def channel_ready(channel: grpc.aio.Channel) -> bool:
    """Whether the channel is connected now; asks it to connect when it is idle."""
    return channel.get_state(try_to_connect=True) is grpc.ChannelConnectivity.READY


def open_channel(endpoint: PartnerEndpoint, options: Sequence[tuple[str, Any]]) -> grpc.aio.Channel:
    if endpoint.credentials is None:
        return grpc.aio.insecure_channel(endpoint.target, options=options)
    return grpc.aio.secure_channel(endpoint.target, endpoint.credentials, options=options)


def call_metadata(endpoint: PartnerEndpoint, request_id: str = "") -> tuple[tuple[str, str], ...]:
    metadata: list[tuple[str, str]] = []
    if endpoint.token:
        metadata.append(("authorization", f"Bearer {endpoint.token}"))
    if request_id:
        # Also in the message body (AIP-155); the header is for partner-side logs.
        metadata.append(("x-request-id", request_id))
    return tuple(metadata)


class GrpcInsurerGateway:
    """InsurerGateway over gRPC.

    Args:
        endpoints: insurer code -> endpoint (a bare ``host:port`` string means plaintext).
        deadline_s: deadline of every call.
        transport_attempts: attempts gRPC itself makes on UNAVAILABLE within one call.
    """

    def __init__(
        self,
        endpoints: Mapping[str, PartnerEndpoint | str],
        *,
        deadline_s: float = 5.0,
        transport_attempts: int = 2,
        reconnect_max_s: float = 1.0,
    ) -> None:
        self._endpoints = {
            code: e if isinstance(e, PartnerEndpoint) else PartnerEndpoint(e)
            for code, e in endpoints.items()
        }
        self._deadline_s = deadline_s
        self._options = [*transport_retry_options(transport_attempts),
                         *reconnect_options(reconnect_max_s)]  # fmt: skip
        self._channels: dict[str, grpc.aio.Channel] = {}
        self._stubs: dict[str, Any] = {}

    def _stub(self, insurer_code: str) -> tuple[Any, PartnerEndpoint]:
        endpoint = self._endpoints.get(insurer_code)
        if endpoint is None:
            raise NotFound(f"no insurer configured under {insurer_code!r}", insurer=insurer_code)
        stub = self._stubs.get(insurer_code)
        if stub is None:
            channel = open_channel(endpoint, self._options)
            self._channels[insurer_code] = channel
            stub = self._stubs[insurer_code] = _InsurerStub(channel)
        return stub, endpoint

    @property
    def codes(self) -> list[str]:
        return list(self._endpoints)

    def ready(self, insurer_code: str) -> bool:
        """Whether the insurer's channel is connected (for retrying its backlog at once)."""
        self._stub(insurer_code)
        return channel_ready(self._channels[insurer_code])

    async def close(self) -> None:
        channels, self._channels, self._stubs = self._channels, {}, {}
        for channel in channels.values():
            await channel.close()

    async def file_claim(self, filing: ClaimFiling) -> FiledClaim:
        stub, endpoint = self._stub(filing.insurer_code)
        request = filing_to_proto(filing)
        try:
            reply = await stub.FileClaim(
                request,
                timeout=self._deadline_s,
                metadata=call_metadata(endpoint, filing.request_id),
            )
        except grpc.RpcError as exc:
            raise translate_rpc_error(
                exc, upstream=filing.insurer_code, method="FileClaim"
            ) from exc
        return FiledClaim(
            insurer_code=filing.insurer_code,
            case_id=filing.case_id,
            claim_number=reply.claim_number,
            status=status_from_proto(reply.status),
            received_at=time_from_proto(reply, "receive_time"),
            claim_id=filing.claim_id,
        )

    async def cancel_claim(self, cancellation: ClaimCancellation) -> InsurerClaimReport:
        stub, endpoint = self._stub(cancellation.insurer_code)
        request = pb.CancelClaimRequest(
            request_id=cancellation.request_id,
            claim_number=cancellation.claim_number,
            case_id=cancellation.case_id,
            reason=cancellation.reason,
            claim_id=cancellation.claim_id,
        )
        try:
            reply = await stub.CancelClaim(
                request,
                timeout=self._deadline_s,
                metadata=call_metadata(endpoint, cancellation.request_id),
            )
        except grpc.RpcError as exc:
            raise translate_rpc_error(
                exc, upstream=cancellation.insurer_code, method="CancelClaim"
            ) from exc
        return InsurerClaimReport(
            insurer_code=cancellation.insurer_code,
            case_id=cancellation.case_id,
            claim_number=reply.claim_number,
            status=status_from_proto(reply.status),
            claim_id=cancellation.claim_id,
        )

    async def claim_status(
        self, insurer_code: str, *, claim_id: str = "", claim_number: str = ""
    ) -> InsurerClaimReport:
        stub, endpoint = self._stub(insurer_code)
        request = (
            pb.GetClaimStatusRequest(claim_number=claim_number)
            if claim_number
            else pb.GetClaimStatusRequest(claim_id=claim_id)
        )
        try:
            reply = await stub.GetClaimStatus(
                request, timeout=self._deadline_s, metadata=call_metadata(endpoint)
            )
        except grpc.RpcError as exc:
            raise translate_rpc_error(exc, upstream=insurer_code, method="GetClaimStatus") from exc
        payout = None
        if reply.HasField("payout"):
            payout = Payout(
                amount=money_from_proto(reply.payout.amount) or Decimal("0"),
                paid_at=time_from_proto(reply.payout, "paid_time"),
                transaction_reference=reply.payout.transaction_reference,
            )
        return InsurerClaimReport(
            insurer_code=insurer_code,
            claim_id=reply.claim_id or claim_id,
            case_id=reply.case_id,
            claim_number=reply.claim_number,
            status=status_from_proto(reply.status),
            assessed_amount=(
                money_from_proto(reply.assessed_amount)
                if reply.HasField("assessed_amount")
                else None
            ),
            payout=payout,
            status_reason=reply.status_reason,
            updated_at=time_from_proto(reply, "update_time"),
        )


# --- proto <-> core ---------------------------------------------------------------------

_STATUS_FROM_PROTO: Mapping[int, InsurerClaimStatus] = {
    pb.CLAIM_STATUS_RECEIVED: InsurerClaimStatus.RECEIVED,
    pb.CLAIM_STATUS_UNDER_ASSESSMENT: InsurerClaimStatus.UNDER_ASSESSMENT,
    pb.CLAIM_STATUS_ASSESSED: InsurerClaimStatus.ASSESSED,
    pb.CLAIM_STATUS_APPROVED: InsurerClaimStatus.APPROVED,
    pb.CLAIM_STATUS_REJECTED: InsurerClaimStatus.REJECTED,
    pb.CLAIM_STATUS_PAID: InsurerClaimStatus.PAID,
    pb.CLAIM_STATUS_CANCELLED: InsurerClaimStatus.CANCELLED,
}


def status_from_proto(value: int) -> InsurerClaimStatus:
    # An insurer that does not say counts as "received": the claim exists.
    return _STATUS_FROM_PROTO.get(value, InsurerClaimStatus.RECEIVED)


def money_to_proto(amount: Decimal) -> Any:
    return pb.Money(currency_code=CURRENCY, amount=str(amount))


def money_from_proto(money: Any) -> Decimal | None:
    return Decimal(money.amount) if money.amount else None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def time_to_proto(value: datetime) -> timestamp_pb2.Timestamp:
    # Integer arithmetic on the aware value: exact, and a fifth of FromDatetime's cost
    # (a claim carries about eight timestamps).
    if value.tzinfo is None:
        value = value.astimezone(UTC)
    seconds, micros = divmod((value - _EPOCH) // _MICROSECOND, 1_000_000)
    return timestamp_pb2.Timestamp(seconds=seconds, nanos=micros * 1000)


def time_from_proto(message: Any, field: str) -> datetime | None:
    if not message.HasField(field):
        return None
    stamp: timestamp_pb2.Timestamp = getattr(message, field)
    value: datetime = stamp.ToDatetime(tzinfo=UTC)
    return value


COVER_TO_PROTO: Mapping[str, Any] = {
    "compulsory": pb.COVER_COMPULSORY,
    "commercial_third_party": pb.COVER_COMMERCIAL_THIRD_PARTY,
    "own_damage": pb.COVER_OWN_DAMAGE,
}


def filing_to_proto(filing: ClaimFiling) -> Any:
    request = _filing_message(filing)
    if filing.third_party_loss is not None:
        request.third_party_loss.CopyFrom(money_to_proto(filing.third_party_loss))
    if filing.amount_due is not None:
        request.amount_due.CopyFrom(money_to_proto(filing.amount_due))
    return request


def _filing_message(filing: ClaimFiling) -> Any:
    return pb.FileClaimRequest(
        request_id=filing.request_id,
        case_id=filing.case_id,
        policy_number=filing.policy_number,
        policyholder=pb.Policyholder(
            name=filing.policyholder_name,
            phone_masked=filing.phone_masked,
            plate_number=filing.plate_number,
        ),
        accident=pb.AccidentSummary(
            occurred_time=time_to_proto(filing.occurred_at),
            location=filing.location,
            latitude=filing.latitude,
            longitude=filing.longitude,
            description=filing.description,
        ),
        liability_share=str(filing.liability_share),
        estimated_loss=money_to_proto(filing.estimated_loss),
        claim_id=filing.claim_id,
        party=filing.party,
        cover=COVER_TO_PROTO.get(filing.cover, pb.COVER_UNSPECIFIED),
        liability_level=filing.liability_level,
        document_number=filing.document_number,
        payout_lines=[
            pb.PayoutLine(
                kind=line.get("kind", ""),
                payee_party=line.get("payee", ""),
                amount=money_to_proto(Decimal(line.get("amount", "0"))),
            )
            for line in filing.lines
        ],
        evidence=[
            pb.EvidenceRef(
                evidence_id=e.evidence_id,
                media_type=e.media_type,
                size_bytes=e.size_bytes,
                sha256=e.sha256,
            )
            for e in filing.evidence
        ],
    )
