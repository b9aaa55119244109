"""A simulated court mediation platform: MediationGatewayService on a real grpc.aio server.

Records disputes (idempotent on ``request_id``), and reports mediation and
judicial-confirmation results, either as scripted by :meth:`conclude_mediation` /
:meth:`decide_confirmation` or, with ``auto_progress``, one stage per status query:
received → mediating → awaiting confirmation (agreed) → confirmed.

Run one for a demo: ``python -m adapters.simulators.mediation --port 50071``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeAlias

import grpc
from google.protobuf import timestamp_pb2

from adapters.grpc.pb.accident.mediation.v1 import mediation_gateway_pb2 as pb
from adapters.grpc.pb.accident.mediation.v1 import mediation_gateway_pb2_grpc as pb_grpc
from adapters.simulators._faults import Faults, PartnerTls, check_token

log = logging.getLogger(__name__)

Context: TypeAlias = "grpc.aio.ServicerContext[Any, Any]"
_Servicer: Any = pb_grpc.MediationGatewayServiceServicer
_add_servicer: Any = pb_grpc.add_MediationGatewayServiceServicer_to_server


def _now() -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(datetime.now(UTC))
    return stamp


@dataclass
class SimulatedDispute:
    dispute_id: str
    request: Any  # the SubmitDisputeRequest as received
    stage: Any = pb.DISPUTE_STAGE_RECEIVED
    mediation: Any | None = None
    confirmation: Any | None = None
    updated: timestamp_pb2.Timestamp = field(default_factory=_now)

    @property
    def case_id(self) -> str:
        return str(self.request.case_file.case_id)


class MediationSimulator(_Servicer):  # type: ignore[misc]
    def __init__(self, *, court_name: str = "模拟人民法院", auto_progress: bool = False) -> None:
        self.court_name = court_name
        self.auto_progress = auto_progress
        self.faults = Faults()
        self._numbers = itertools.count(1)
        self.calls: Counter[str] = Counter()
        self.disputes: dict[str, SimulatedDispute] = {}
        self._by_case: dict[str, str] = {}
        self._answers: dict[str, Any] = {}
        self._server: grpc.aio.Server | None = None
        self.port = 0
        self.tls: PartnerTls | None = None
        """Set before :meth:`start` to serve mutual TLS and require a token."""

    @property
    def submit_attempts(self) -> int:
        return self.calls["SubmitDispute"]

    def dispute_for_case(self, case_id: str) -> SimulatedDispute | None:
        dispute_id = self._by_case.get(case_id)
        return self.disputes.get(dispute_id) if dispute_id else None

    # --- scripting outcomes -------------------------------------------------------------

    def conclude_mediation(
        self, dispute_id: str, *, agreed: bool, amount: Decimal | None = None
    ) -> None:
        dispute = self.disputes[dispute_id]
        dispute.mediation = pb.MediationOutcome(
            result=pb.MEDIATION_RESULT_AGREED if agreed else pb.MEDIATION_RESULT_FAILED,
            agreed_amount=pb.Money(currency_code="CNY", amount=str(amount)) if amount else None,
            agreement_number=f"TJ-{dispute_id}" if agreed else "",
            mediator="模拟调解员",
            conclude_time=_now(),
        )
        dispute.stage = (
            pb.DISPUTE_STAGE_AWAITING_CONFIRMATION if agreed else pb.DISPUTE_STAGE_MEDIATION_FAILED
        )
        dispute.updated = _now()

    def decide_confirmation(self, dispute_id: str, *, confirmed: bool) -> None:
        dispute = self.disputes[dispute_id]
        dispute.confirmation = pb.JudicialConfirmation(
            result=(
                pb.CONFIRMATION_RESULT_CONFIRMED if confirmed else pb.CONFIRMATION_RESULT_REJECTED
            ),
            ruling_number=f"SQ-{dispute_id}",
            court_name=self.court_name,
            decide_time=_now(),
        )
        dispute.stage = (
            pb.DISPUTE_STAGE_CONFIRMED if confirmed else pb.DISPUTE_STAGE_CONFIRMATION_REJECTED
        )
        dispute.updated = _now()

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        server = grpc.aio.server()
        _add_servicer(self, server)
        address = f"{host}:{port}"
        self.port = (
            server.add_secure_port(address, self.tls.credentials())
            if self.tls is not None
            else server.add_insecure_port(address)
        )
        await server.start()
        self._server = server
        return self.port

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def stop(self, grace: float | None = None) -> None:
        if self._server is not None:
            await self._server.stop(grace)
            self._server = None

    # --- the service --------------------------------------------------------------------

    async def SubmitDispute(self, request: Any, context: Context) -> Any:
        self.calls["SubmitDispute"] += 1
        await check_token(context, self.tls.token if self.tls else "")
        await self.faults.apply(context)
        if not request.request_id:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "request_id is required")
        earlier = self._answers.get(request.request_id)
        if earlier is not None:
            return earlier
        case_file = request.case_file
        if not case_file.case_id or not case_file.parties:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "case file is incomplete")
        dispute_id = f"MD-{next(self._numbers):06d}"
        dispute = SimulatedDispute(dispute_id=dispute_id, request=request)
        self.disputes[dispute_id] = dispute
        self._by_case[case_file.case_id] = dispute_id
        response = pb.SubmitDisputeResponse(
            dispute_id=dispute_id, stage=dispute.stage, receive_time=dispute.updated
        )
        self._answers[request.request_id] = response
        return response

    async def GetDisputeStatus(self, request: Any, context: Context) -> Any:
        self.calls["GetDisputeStatus"] += 1
        await check_token(context, self.tls.token if self.tls else "")
        await self.faults.apply(context)
        if request.WhichOneof("dispute_ref") == "dispute_id":
            dispute = self.disputes.get(request.dispute_id)
        else:
            dispute = self.dispute_for_case(request.case_id)
        if dispute is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, "no such dispute")
        assert dispute is not None  # noqa: S101 - abort() raised otherwise
        if self.auto_progress:
            self._advance(dispute)
        response = pb.GetDisputeStatusResponse(
            dispute_id=dispute.dispute_id,
            case_id=dispute.case_id,
            stage=dispute.stage,
            update_time=dispute.updated,
        )
        if dispute.mediation is not None:
            response.mediation.CopyFrom(dispute.mediation)
        if dispute.confirmation is not None:
            response.judicial_confirmation.CopyFrom(dispute.confirmation)
        return response

    def _advance(self, dispute: SimulatedDispute) -> None:
        if dispute.stage == pb.DISPUTE_STAGE_RECEIVED:
            dispute.stage, dispute.updated = pb.DISPUTE_STAGE_MEDIATING, _now()
        elif dispute.stage == pb.DISPUTE_STAGE_MEDIATING:
            total = dispute.request.case_file.loss.total.amount or "0"
            self.conclude_mediation(dispute.dispute_id, agreed=True, amount=Decimal(total))
        elif dispute.stage == pb.DISPUTE_STAGE_AWAITING_CONFIRMATION:
            self.decide_confirmation(dispute.dispute_id, confirmed=True)


async def _serve(port: int) -> None:
    simulator = MediationSimulator(auto_progress=True)
    bound = await simulator.start("127.0.0.1", port)
    log.info("mediation simulator on 127.0.0.1:%d", bound)
    try:
        await asyncio.Event().wait()
    finally:
        await simulator.stop(1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run a simulated court mediation platform.")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    asyncio.run(_serve(args.port))


if __name__ == "__main__":
    main()
