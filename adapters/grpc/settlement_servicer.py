"""SettlementServiceServicer: the insurer-facing gRPC API, as thin translators.

Each method reads the authenticated insurer from :mod:`adapters.grpc.auth`, turns the
request into a call on :class:`settlement.services.insurer_claims.InsurerClaims`, and the
answer into
protobuf. Mutating calls are AIP-155 idempotent: the first answer to a ``request_id`` is
stored (per insurer) and a repeat gets it back without a second effect.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeAlias

import grpc

from adapters.grpc.auth import require_insurer
from adapters.grpc.insurer_client import time_from_proto, time_to_proto
from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2 as pb
from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2_grpc as pb_grpc
from adapters.grpc.server import ServiceRegistrar
from adapters.grpc.status import grpc_errors
from settlement.domain.claim import ClaimStatus, Cover
from settlement.domain.exchange import EvidenceRef, Payout
from settlement.errors import ConcurrentUpdate, InvalidInput, SettlementError
from settlement.ports.cases import StoredResponse
from settlement.ports.claims import ClaimCursor, RequestLog
from settlement.services.insurer_claims import (
    ClaimView,
    EvidenceChunk,
    EvidenceHeader,
    EvidencePart,
    InboundRequest,
    InsurerClaims,
)

Context: TypeAlias = "grpc.aio.ServicerContext[Any, Any]"
_Servicer: Any = pb_grpc.SettlementServiceServicer
_add_servicer: Any = pb_grpc.add_SettlementServiceServicer_to_server
SERVICE_NAME: str = pb.DESCRIPTOR.services_by_name["SettlementService"].full_name
CURRENCY = "CNY"
MAX_PAGE_TOKEN = 512

_STATUS_TO_PROTO: Mapping[ClaimStatus, Any] = {
    ClaimStatus.FILED: pb.CLAIM_STATUS_FILED,
    ClaimStatus.ACKNOWLEDGED: pb.CLAIM_STATUS_ACKNOWLEDGED,
    ClaimStatus.ASSESSED: pb.CLAIM_STATUS_ASSESSED,
    ClaimStatus.APPROVED: pb.CLAIM_STATUS_APPROVED,
    ClaimStatus.REJECTED: pb.CLAIM_STATUS_REJECTED,
    ClaimStatus.PAID: pb.CLAIM_STATUS_PAID,
    ClaimStatus.CANCELLED: pb.CLAIM_STATUS_CANCELLED,
}
_STATUS_FROM_PROTO = {
    **{v: k for k, v in _STATUS_TO_PROTO.items()},
    pb.CLAIM_STATUS_UNDER_ASSESSMENT: ClaimStatus.ACKNOWLEDGED,  # the deprecated alias
}
_EVENT_TO_PROTO: Mapping[str, Any] = {
    "filed": pb.CLAIM_EVENT_TYPE_FILED,
    "evidence_added": pb.CLAIM_EVENT_TYPE_EVIDENCE_ADDED,
    "assessed": pb.CLAIM_EVENT_TYPE_ASSESSED,
    "status_changed": pb.CLAIM_EVENT_TYPE_STATUS_CHANGED,
    "cancelled": pb.CLAIM_EVENT_TYPE_CANCELLED,
}
_COVER_TO_PROTO: Mapping[Cover, Any] = {
    Cover.COMPULSORY: pb.COVER_COMPULSORY,
    Cover.COMMERCIAL_THIRD_PARTY: pb.COVER_COMMERCIAL_THIRD_PARTY,
    Cover.OWN_DAMAGE: pb.COVER_OWN_DAMAGE,
}


class SettlementServiceServicer(_Servicer):  # type: ignore[misc]
    """The insurer API.

    Args:
        claims: the claims use cases.
        requests: where request ids and their first answers are kept.
    """

    def __init__(
        self,
        claims: InsurerClaims,
        requests: RequestLog,
        translate_error: Callable[[BaseException], SettlementError | None] | None = None,
    ) -> None:
        self._claims = claims
        self._requests = requests
        # Read by grpc_errors: infrastructure outages become UNAVAILABLE, not INTERNAL.
        self.translate_error = translate_error

    @grpc_errors
    async def ListClaims(self, request: Any, context: Context) -> Any:
        insurer = require_insurer().insurer_code
        status = None
        if request.status != pb.CLAIM_STATUS_UNSPECIFIED:
            status = _status_from_proto(request.status)
        views, following = await self._claims.list_claims(
            insurer,
            page_size=request.page_size,
            page=decode_page_token(request.page_token),
            status=status,
            updated_after=time_from_proto(request, "updated_after"),
        )
        return pb.ListClaimsResponse(
            claims=[claim_to_proto(v) for v in views],
            next_page_token=encode_page_token(following),
        )

    @grpc_errors
    async def GetClaim(self, request: Any, context: Context) -> Any:
        view = await self._claims.get_claim(require_insurer().insurer_code, request.claim_id)
        return pb.GetClaimResponse(claim=claim_to_proto(view))

    @grpc_errors
    async def StreamEvidence(self, request: Any, context: Context) -> AsyncIterator[Any]:
        parts = await self._claims.stream_evidence(
            require_insurer().insurer_code,
            request.claim_id,
            request.evidence_id,
            start_offset=request.start_offset,
        )
        async for part in parts:
            yield evidence_part_to_proto(part)

    @grpc_errors
    async def SubmitAssessment(self, request: Any, context: Context) -> Any:
        insurer = require_insurer().insurer_code

        async def run(inbound: InboundRequest) -> Any:
            view = await self._claims.submit_assessment(
                insurer,
                request.claim_id,
                amount=money_from_proto(request.assessed_amount, "assessed_amount"),
                assessor=request.assessor,
                notes=request.notes,
                assessed_at=time_from_proto(request, "assess_time"),
                etag=request.etag,
                request=inbound,
            )
            return pb.SubmitAssessmentResponse(claim=claim_to_proto(view))

        return await self._once(insurer, "SubmitAssessment", request, run,
                                pb.SubmitAssessmentResponse)  # fmt: skip

    @grpc_errors
    async def UpdateClaimStatus(self, request: Any, context: Context) -> Any:
        insurer = require_insurer().insurer_code

        async def run(inbound: InboundRequest) -> Any:
            payout = None
            if request.HasField("payout"):
                payout = Payout(
                    amount=money_from_proto(request.payout.amount, "payout.amount"),
                    paid_at=time_from_proto(request.payout, "paid_time"),
                    transaction_reference=request.payout.transaction_reference,
                )
            view = await self._claims.update_status(
                insurer,
                request.claim_id,
                status=_status_from_proto(request.status),
                reason=request.reason,
                payout=payout,
                etag=request.etag,
                request=inbound,
            )
            return pb.UpdateClaimStatusResponse(claim=claim_to_proto(view))

        return await self._once(insurer, "UpdateClaimStatus", request, run,
                                pb.UpdateClaimStatusResponse)  # fmt: skip

    @grpc_errors
    async def WatchClaimEvents(self, request: Any, context: Context) -> AsyncIterator[Any]:
        insurer = require_insurer().insurer_code
        async with self._claims.watch(
            insurer, cursor=request.cursor, claim_id=request.claim_id
        ) as events:
            # Headers go out once the feed is live: a client that waits for them knows
            # that nothing it does afterwards can be missed.
            await context.send_initial_metadata((("x-watch-state", "live"),))
            async for event in events:
                response = pb.WatchClaimEventsResponse(
                    cursor=event.cursor,
                    type=_EVENT_TO_PROTO.get(event.type, pb.CLAIM_EVENT_TYPE_STATUS_CHANGED),
                    claim=claim_to_proto(event.claim),
                )
                response.event_time.CopyFrom(time_to_proto(event.at))
                yield response

    async def _once(
        self,
        insurer: str,
        method: str,
        request: Any,
        run: Callable[[InboundRequest], Awaitable[Any]],
        response_type: Any,
    ) -> Any:
        """Run a mutating call once per (insurer, request_id); repeats get the first answer.

        The answer is recorded in the transaction of the call's effect, so after any crash
        a retry finds both or neither. Failed calls record nothing: a corrected or later
        retry with the same id runs.
        """
        request_id = request.request_id
        try:
            uuid.UUID(request_id)
        except ValueError:
            raise InvalidInput(
                "request_id must be a UUID (reuse it when retrying).", field="request_id"
            ) from None
        scope = f"grpc:{insurer}"
        fingerprint = hashlib.sha256(
            method.encode() + b"\0" + request.SerializeToString(deterministic=True)
        ).hexdigest()
        stored = await self._requests.find(scope, request_id, fingerprint)
        if stored is not None:
            return response_type.FromString(stored.body)

        def render(view: ClaimView) -> StoredResponse:
            body = response_type(claim=claim_to_proto(view)).SerializeToString()
            return StoredResponse(0, body, f"application/x-protobuf; messageType={method}Response")

        try:
            return await run(InboundRequest(scope, request_id, fingerprint, render))
        except ConcurrentUpdate:
            # The same request may have taken effect meanwhile (a concurrent repeat).
            stored = await self._requests.find(scope, request_id, fingerprint)
            if stored is not None:
                return response_type.FromString(stored.body)
            raise


def settlement_service_registrar(servicer: SettlementServiceServicer) -> ServiceRegistrar:
    """For :func:`adapters.grpc.server.start_grpc_server`'s ``registrars``."""

    def register(server: grpc.aio.Server) -> str:
        _add_servicer(servicer, server)
        return SERVICE_NAME

    return register


# --- proto <-> core ---------------------------------------------------------------------


def _status_from_proto(value: Any) -> ClaimStatus:
    status = _STATUS_FROM_PROTO.get(value)
    if status is None:
        raise InvalidInput("status is missing or unknown.", field="status")
    return status


def money_to_proto(amount: Decimal) -> Any:
    return pb.Money(currency_code=CURRENCY, amount=str(amount))


def money_from_proto(money: Any, name: str) -> Decimal:
    if money.currency_code not in ("", CURRENCY):
        raise InvalidInput(f"{name} must be in CNY.", field=name)
    if not money.amount or len(money.amount) > 32:
        raise InvalidInput(f"{name} is required as a decimal string.", field=name)
    try:
        return Decimal(money.amount)
    except InvalidOperation:
        raise InvalidInput(f"{name} is not a decimal number.", field=name) from None


def encode_page_token(page: ClaimCursor | None) -> str:
    if page is None:
        return ""
    raw = json.dumps({"f": page.filed_at.isoformat(), "i": page.claim_id})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_page_token(token: str) -> ClaimCursor | None:
    """Raises InvalidInput for a token we did not make (it only ever narrows the
    caller's own query, so a forged one leaks nothing)."""
    if not token:
        return None
    try:
        if len(token) > MAX_PAGE_TOKEN:
            raise ValueError("too long")
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        filed_at = datetime.fromisoformat(data["f"])
        if filed_at.tzinfo is None:
            filed_at = filed_at.replace(tzinfo=UTC)
        return ClaimCursor(filed_at=filed_at, claim_id=str(data["i"]))
    except (ValueError, KeyError, TypeError):
        raise InvalidInput("page_token is not valid.", field="page_token") from None


def _evidence_to_proto(ref: EvidenceRef) -> Any:
    message = pb.Evidence(
        evidence_id=ref.evidence_id,
        media_type=ref.media_type,
        size_bytes=ref.size_bytes,
        sha256=ref.sha256,
    )
    if ref.captured_at is not None:
        message.capture_time.CopyFrom(time_to_proto(ref.captured_at))
    return message


def claim_to_proto(view: ClaimView) -> Any:
    c = view.claim
    claim = pb.Claim(
        claim_id=c.id,
        claim_number=c.claim_number,
        policy_number=c.policy_number,
        policyholder_name=view.policyholder_name,
        plate_number=view.plate_number,
        status=_STATUS_TO_PROTO[c.status],
        location=view.location,
        description=view.description,
        liability_share=str(c.liability_share),
        estimated_loss=money_to_proto(c.own_loss if c.own_loss is not None else Decimal(0)),
        evidence=[_evidence_to_proto(e) for e in view.evidence],
        etag=view.etag,
        case_id=c.case_id,
        party=c.party,
        cover=_COVER_TO_PROTO[c.cover],
        liability_level=c.liability_level,
        payout_lines=[
            pb.PayoutLine(kind=ln.cover, payee_party=ln.payee, amount=money_to_proto(ln.amount))
            for ln in c.lines
        ],
        decided_by=c.decided_by,
        document_number=c.document_number,
        history=[
            pb.StatusChange(status=_STATUS_TO_PROTO[h.status], change_time=time_to_proto(h.at),
                            actor=h.by, reason=h.reason)
            for h in c.history
        ],
    )
    if c.amount_due is not None:
        claim.amount_due.CopyFrom(money_to_proto(c.amount_due))
    if c.third_party_loss is not None:
        claim.third_party_loss.CopyFrom(money_to_proto(c.third_party_loss))
    claim.occurred_time.CopyFrom(time_to_proto(view.occurred_at))
    claim.create_time.CopyFrom(time_to_proto(c.filed_at))
    claim.update_time.CopyFrom(time_to_proto(c.updated_at))
    if c.assessment is not None:
        a = c.assessment
        claim.assessment.CopyFrom(
            pb.Assessment(
                assessed_amount=money_to_proto(a.amount),
                assessor=a.assessor,
                notes=a.notes,
                assess_time=time_to_proto(a.assessed_at),
            )
        )
    if c.payout is not None:
        p = c.payout
        claim.payout.CopyFrom(
            pb.Payout(amount=money_to_proto(p.amount),
                      transaction_reference=p.transaction_reference)
        )  # fmt: skip
        if p.paid_at is not None:
            claim.payout.paid_time.CopyFrom(time_to_proto(p.paid_at))
    return claim


def evidence_part_to_proto(part: EvidencePart) -> Any:
    if isinstance(part, EvidenceHeader):
        return pb.StreamEvidenceResponse(
            header=pb.EvidenceHeader(
                evidence_id=part.evidence_id, media_type=part.media_type, size_bytes=part.size_bytes
            )
        )
    if isinstance(part, EvidenceChunk):
        return pb.StreamEvidenceResponse(chunk=pb.EvidenceChunk(offset=part.offset, data=part.data))
    return pb.StreamEvidenceResponse(
        trailer=pb.EvidenceTrailer(sha256=part.sha256, size_bytes=part.size_bytes)
    )
