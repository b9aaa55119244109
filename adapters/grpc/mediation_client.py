"""GrpcMediationGateway: the MediationGateway port over the court platform's gRPC service.

One channel, opened lazily inside the running loop; a deadline on every call; the
caller's ``request_id`` passed through; failures translated at the boundary.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import grpc

from adapters.grpc.insurer_client import (
    CURRENCY,
    PartnerEndpoint,
    call_metadata,
    channel_ready,
    open_channel,
    reconnect_options,
    time_from_proto,
    time_to_proto,
    transport_retry_options,
)
from adapters.grpc.pb.accident.mediation.v1 import mediation_gateway_pb2 as pb
from adapters.grpc.pb.accident.mediation.v1 import mediation_gateway_pb2_grpc as pb_grpc
from adapters.grpc.status import translate_rpc_error
from settlement.domain.exchange import (
    DisputeFiling,
    DisputeReceipt,
    DisputeReport,
    DisputeStage,
    JudicialConfirmation,
    MediationOutcome,
    MediationResult,
    PartyRole,
)

UPSTREAM = "mediation"

# The generated *_pb2_grpc modules carry no annotations.
_MediationStub: Any = pb_grpc.MediationGatewayServiceStub


class GrpcMediationGateway:
    """MediationGateway over gRPC.

    Args:
        endpoint: the platform (a bare ``host:port`` string means plaintext).
        deadline_s: deadline of every call. Case files are larger than claims, so the
            default is longer than the insurers'.
    """

    def __init__(
        self,
        endpoint: PartnerEndpoint | str,
        *,
        deadline_s: float = 10.0,
        transport_attempts: int = 2,
        reconnect_max_s: float = 1.0,
    ) -> None:
        self._endpoint = (
            endpoint if isinstance(endpoint, PartnerEndpoint) else PartnerEndpoint(endpoint)
        )
        self._deadline_s = deadline_s
        self._options = [*transport_retry_options(transport_attempts),
                         *reconnect_options(reconnect_max_s)]  # fmt: skip
        self._channel: grpc.aio.Channel | None = None
        self._stub_: Any = None

    def _stub(self) -> Any:
        if self._stub_ is None:
            self._channel = open_channel(self._endpoint, self._options)
            self._stub_ = _MediationStub(self._channel)
        return self._stub_

    def ready(self) -> bool:
        """Whether the platform's channel is connected (for retrying its backlog at once)."""
        self._stub()
        assert self._channel is not None  # noqa: S101 - _stub() opened it
        return channel_ready(self._channel)

    async def close(self) -> None:
        channel, self._channel, self._stub_ = self._channel, None, None
        if channel is not None:
            await channel.close()

    async def submit_dispute(self, filing: DisputeFiling) -> DisputeReceipt:
        try:
            reply = await self._stub().SubmitDispute(
                dispute_to_proto(filing),
                timeout=self._deadline_s,
                metadata=call_metadata(self._endpoint, filing.request_id),
            )
        except grpc.RpcError as exc:
            raise translate_rpc_error(exc, upstream=UPSTREAM, method="SubmitDispute") from exc
        return DisputeReceipt(
            case_id=filing.case_id,
            dispute_id=reply.dispute_id,
            stage=stage_from_proto(reply.stage),
            received_at=time_from_proto(reply, "receive_time"),
        )

    async def dispute_status(self, *, dispute_id: str = "", case_id: str = "") -> DisputeReport:
        request = (
            pb.GetDisputeStatusRequest(dispute_id=dispute_id)
            if dispute_id
            else pb.GetDisputeStatusRequest(case_id=case_id)
        )
        try:
            reply = await self._stub().GetDisputeStatus(
                request, timeout=self._deadline_s, metadata=call_metadata(self._endpoint)
            )
        except grpc.RpcError as exc:
            raise translate_rpc_error(exc, upstream=UPSTREAM, method="GetDisputeStatus") from exc
        return report_from_proto(reply)


# --- proto <-> core ---------------------------------------------------------------------

_ROLE_TO_PROTO: Mapping[PartyRole, Any] = {
    PartyRole.DRIVER: pb.PARTY_ROLE_DRIVER,
    PartyRole.VEHICLE_OWNER: pb.PARTY_ROLE_VEHICLE_OWNER,
    PartyRole.INSURER: pb.PARTY_ROLE_INSURER,
}
_STAGE_FROM_PROTO: Mapping[int, DisputeStage] = {
    pb.DISPUTE_STAGE_RECEIVED: DisputeStage.RECEIVED,
    pb.DISPUTE_STAGE_MEDIATING: DisputeStage.MEDIATING,
    pb.DISPUTE_STAGE_MEDIATION_FAILED: DisputeStage.MEDIATION_FAILED,
    pb.DISPUTE_STAGE_AWAITING_CONFIRMATION: DisputeStage.AWAITING_CONFIRMATION,
    pb.DISPUTE_STAGE_CONFIRMED: DisputeStage.CONFIRMED,
    pb.DISPUTE_STAGE_CONFIRMATION_REJECTED: DisputeStage.CONFIRMATION_REJECTED,
    pb.DISPUTE_STAGE_WITHDRAWN: DisputeStage.WITHDRAWN,
}
_RESULT_FROM_PROTO: Mapping[int, MediationResult] = {
    pb.MEDIATION_RESULT_AGREED: MediationResult.AGREED,
    pb.MEDIATION_RESULT_FAILED: MediationResult.FAILED,
    pb.MEDIATION_RESULT_WITHDRAWN: MediationResult.WITHDRAWN,
}


def stage_from_proto(value: int) -> DisputeStage:
    return _STAGE_FROM_PROTO.get(value, DisputeStage.RECEIVED)


def _money(amount: object) -> Any:
    return pb.Money(currency_code=CURRENCY, amount=str(amount))


def dispute_to_proto(filing: DisputeFiling) -> Any:
    d = filing.determination
    return pb.SubmitDisputeRequest(
        request_id=filing.request_id,
        applicant_party_id=filing.applicant_party_id,
        court_region_code=filing.court_region_code,
        dispute_reason=filing.reason,
        case_file=pb.CaseFile(
            case_id=filing.case_id,
            parties=[
                pb.Party(
                    party_id=p.party_id,
                    role=_ROLE_TO_PROTO[p.role],
                    name=p.name,
                    id_number_masked=p.id_number_masked,
                    phone=p.phone,
                    plate_number=p.plate_number,
                    insurer_code=p.insurer_code,
                    policy_number=p.policy_number,
                )
                for p in filing.parties
            ],
            facts=pb.AccidentFacts(
                occurred_time=time_to_proto(filing.occurred_at),
                location=filing.location,
                description=filing.facts,
            ),
            determination=pb.LiabilityDetermination(
                document_number=d.document_number,
                issuer=d.issuer,
                issue_time=time_to_proto(d.issued_at),
                shares=[
                    pb.LiabilityShare(party_id=party, share=str(share))
                    for party, share in d.shares.items()
                ],
                rule=d.rule,
            ),
            loss=pb.LossStatement(
                items=[
                    pb.LossItem(description=i.description, amount=_money(i.amount))
                    for i in filing.loss_items
                ],
                total=_money(filing.loss_total),
            ),
            evidence=[
                pb.EvidenceItem(
                    evidence_id=e.evidence_id,
                    media_type=e.media_type,
                    size_bytes=e.size_bytes,
                    sha256=e.sha256,
                    capture_time=time_to_proto(e.captured_at) if e.captured_at else None,
                )
                for e in filing.evidence
            ],
        ),
    )


def report_from_proto(reply: Any) -> DisputeReport:
    mediation = None
    if reply.HasField("mediation"):
        m = reply.mediation
        mediation = MediationOutcome(
            result=_RESULT_FROM_PROTO.get(m.result, MediationResult.FAILED),
            agreed_amount=Decimal(m.agreed_amount.amount) if m.agreed_amount.amount else None,
            agreement_number=m.agreement_number,
            mediator=m.mediator,
            concluded_at=time_from_proto(m, "conclude_time"),
        )
    confirmation = None
    if reply.HasField("judicial_confirmation"):
        j = reply.judicial_confirmation
        confirmation = JudicialConfirmation(
            confirmed=j.result == pb.CONFIRMATION_RESULT_CONFIRMED,
            ruling_number=j.ruling_number,
            court_name=j.court_name,
            decided_at=time_from_proto(j, "decide_time"),
        )
    return DisputeReport(
        dispute_id=reply.dispute_id,
        case_id=reply.case_id,
        stage=stage_from_proto(reply.stage),
        mediation=mediation,
        judicial_confirmation=confirmation,
        updated_at=time_from_proto(reply, "update_time"),
    )
