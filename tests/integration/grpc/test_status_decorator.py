"""``grpc_errors`` on a real server: mapped codes, generic INTERNAL, streams too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from pymongo.errors import AutoReconnect

from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2 as pb
from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2_grpc as pb_grpc
from adapters.grpc.status import ERROR_CODE_KEY, INTERNAL_MESSAGE, grpc_errors
from adapters.mongo.errors import database_error
from settlement.errors import CaseNotFound, IllegalTransition


class Servicer(pb_grpc.SettlementServiceServicer):
    translate_error = staticmethod(database_error)  # as bootstrap wires the real servicer

    @grpc_errors
    async def GetClaim(self, request: Any, context: Any) -> Any:
        if request.claim_id == "missing":
            raise CaseNotFound("no such claim")
        if request.claim_id == "bug":
            raise RuntimeError("secret internals")
        if request.claim_id == "election":
            raise AutoReconnect("no primary")  # what the driver raises during a failover
        return pb.GetClaimResponse(claim=pb.Claim(claim_id=request.claim_id))

    @grpc_errors
    async def UpdateClaimStatus(self, request: Any, context: Any) -> Any:
        raise IllegalTransition("claim already paid")

    @grpc_errors
    async def StreamEvidence(self, request: Any, context: Any) -> AsyncIterator[Any]:
        yield pb.StreamEvidenceResponse(header=pb.EvidenceHeader(evidence_id="e1"))
        raise CaseNotFound("evidence vanished")


_add_servicer: Any = pb_grpc.add_SettlementServiceServicer_to_server
_Stub: Any = pb_grpc.SettlementServiceStub


@pytest.fixture
async def stub() -> AsyncIterator[Any]:
    server = grpc.aio.server()
    _add_servicer(Servicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    yield _Stub(channel)
    await channel.close()
    await server.stop(None)


async def test_success_passes_through(stub: Any) -> None:
    reply = await stub.GetClaim(pb.GetClaimRequest(claim_id="c1"), timeout=2)
    assert reply.claim.claim_id == "c1"


@pytest.mark.parametrize(
    ("call", "code", "error_code"),
    [
        ("missing", grpc.StatusCode.NOT_FOUND, "CASE_NOT_FOUND"),
        ("update", grpc.StatusCode.FAILED_PRECONDITION, "ILLEGAL_TRANSITION"),
        # A database failover is an outage to retry, not an INTERNAL bug.
        ("election", grpc.StatusCode.UNAVAILABLE, "DATABASE_UNAVAILABLE"),
    ],
)
async def test_settlement_errors_map_to_their_code(
    stub: Any, call: str, code: grpc.StatusCode, error_code: str
) -> None:
    if call == "update":
        pending = stub.UpdateClaimStatus(pb.UpdateClaimStatusRequest(claim_id="c"), timeout=2)
    else:
        pending = stub.GetClaim(pb.GetClaimRequest(claim_id=call), timeout=2)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await pending
    assert info.value.code() == code
    assert (ERROR_CODE_KEY, error_code) in tuple(info.value.trailing_metadata() or ())


async def test_unexpected_errors_are_internal_and_say_nothing(stub: Any, caplog: Any) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.GetClaim(pb.GetClaimRequest(claim_id="bug"), timeout=2)
    assert info.value.code() == grpc.StatusCode.INTERNAL
    assert info.value.details() == INTERNAL_MESSAGE
    assert "secret internals" in caplog.text  # logged with its trace, not sent


async def test_streams_are_covered(stub: Any) -> None:
    call = stub.StreamEvidence(pb.StreamEvidenceRequest(claim_id="c"), timeout=2)
    received = []

    async def read_all() -> None:
        async for item in call:
            received.append(item)

    with pytest.raises(grpc.aio.AioRpcError) as info:
        await read_all()
    assert len(received) == 1
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
