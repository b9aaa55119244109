"""The gRPC gateways against the simulators: translation, deadlines, idempotency."""

from __future__ import annotations

from decimal import Decimal

import grpc
import pytest

from adapters.grpc.insurer_client import GrpcInsurerGateway
from adapters.grpc.partners import partner_endpoint
from adapters.simulators._faults import PartnerTls
from adapters.simulators.insurer import InsurerSimulator
from settlement.config import PartnerSettings
from settlement.domain.exchange import (
    ClaimCancellation,
    DisputeStage,
    InsurerClaimStatus,
    MediationResult,
)
from settlement.errors import (
    NotFound,
    SettlementError,
    UpstreamAuthFailed,
    UpstreamNotFound,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)

from .conftest import INSURER, make_dispute, make_filing
from .pki import make_pki


async def test_file_claim_is_idempotent_on_request_id(insurer, insurers):
    filing = make_filing()
    first = await insurers.file_claim(filing)
    again = await insurers.file_claim(filing)
    assert first.claim_number == again.claim_number
    assert first.status is InsurerClaimStatus.RECEIVED
    assert insurer.distinct_claims == 1
    assert insurer.file_claim_attempts == 2
    received = insurer.claim_for_case(filing.case_id).request
    assert received.request_id == filing.request_id
    assert received.estimated_loss.amount == "2300.50"
    assert received.accident.occurred_time.seconds > 0


async def test_claim_status_reports_assessment_and_payout(insurer, insurers):
    filing = make_filing()
    filed = await insurers.file_claim(filing)
    insurer.assess(filed.claim_number, Decimal("2100.00"))
    insurer.pay(filed.claim_number, reference="TX-1")
    report = await insurers.claim_status(INSURER, claim_id=filing.claim_id)
    assert report.status is InsurerClaimStatus.PAID
    assert report.assessed_amount == Decimal("2100.00")
    assert report.payout is not None
    assert report.payout.amount == Decimal("2100.00")
    assert report.payout.transaction_reference == "TX-1"
    by_number = await insurers.claim_status(INSURER, claim_number=filed.claim_number)
    assert (by_number.case_id, by_number.claim_id) == (filing.case_id, filing.claim_id)


async def test_cancel_claim(insurers):
    filing = make_filing()
    filed = await insurers.file_claim(filing)
    report = await insurers.cancel_claim(
        ClaimCancellation("r-cancel", INSURER, filing.case_id, filed.claim_number, "私了")
    )
    assert report.status is InsurerClaimStatus.CANCELLED


async def test_errors_are_translated(insurer, insurers):
    insurer.faults.fail_next(1)
    with pytest.raises(UpstreamUnavailable):
        await insurers.file_claim(make_filing())
    insurer.faults.reject_next(1, grpc.StatusCode.INVALID_ARGUMENT, "unknown policy")
    with pytest.raises(UpstreamRejected, match="unknown policy"):
        await insurers.file_claim(make_filing())
    with pytest.raises(UpstreamNotFound):
        await insurers.claim_status(INSURER, claim_id="nope")
    with pytest.raises(NotFound):
        await insurers.file_claim(make_filing(insurer_code="NOBODY"))


async def test_slow_insurer_hits_the_deadline(insurer):
    gateway = GrpcInsurerGateway({INSURER: insurer.target}, deadline_s=0.2, transport_attempts=1)
    insurer.faults.delay_s = 0.6
    try:
        with pytest.raises(UpstreamTimeout):
            await gateway.file_claim(make_filing())
    finally:
        await gateway.close()


async def test_transport_retries_ride_out_a_blip(insurer):
    gateway = GrpcInsurerGateway({INSURER: insurer.target}, deadline_s=2.0, transport_attempts=3)
    insurer.faults.fail_next(2)
    try:
        filed = await gateway.file_claim(make_filing())
    finally:
        await gateway.close()
    assert filed.claim_number
    assert insurer.file_claim_attempts == 3


async def test_unreachable_insurer_is_unavailable():
    gateway = GrpcInsurerGateway({INSURER: "127.0.0.1:9"}, deadline_s=0.5, transport_attempts=1)
    try:
        with pytest.raises((UpstreamUnavailable, UpstreamTimeout)):
            await gateway.file_claim(make_filing())
    finally:
        await gateway.close()


async def test_mediation_round_trip(mediation_platform, mediation):
    filing = make_dispute()
    receipt = await mediation.submit_dispute(filing)
    assert receipt.dispute_id
    assert (await mediation.submit_dispute(filing)).dispute_id == receipt.dispute_id
    stored = mediation_platform.dispute_for_case(filing.case_id).request.case_file
    assert stored.loss.total.amount == "2300.50"
    assert [s.share for s in stored.determination.shares] == ["0", "1"]

    mediation_platform.conclude_mediation(receipt.dispute_id, agreed=True, amount=Decimal("2000"))
    mediation_platform.decide_confirmation(receipt.dispute_id, confirmed=True)
    report = await mediation.dispute_status(case_id=filing.case_id)
    assert report.stage is DisputeStage.CONFIRMED
    assert report.mediation is not None
    assert report.mediation.result is MediationResult.AGREED
    assert report.mediation.agreed_amount == Decimal("2000")
    assert report.judicial_confirmation is not None
    assert report.judicial_confirmation.confirmed
    with pytest.raises(UpstreamNotFound):
        await mediation.dispute_status(dispute_id="MD-999999")


async def test_partners_are_called_over_mutual_tls_with_their_token(tmp_path):
    pki = make_pki()
    ours = pki.ca.issue("settlement-platform")
    files = {"ca.pem": pki.ca.pem, "ours.pem": ours.cert, "ours.key": ours.key}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    sim = InsurerSimulator(INSURER)
    sim.tls = PartnerTls(pki.server.cert, pki.server.key, pki.ca.pem, token="tok-to-picc")
    await sim.start()

    def gateway(token: str, *, cert: bool = True) -> GrpcInsurerGateway:
        partner = PartnerSettings(
            INSURER, f"localhost:{sim.port}", tmp_path / "ca.pem",
            tmp_path / ("ours.pem" if cert else "ca.pem"), tmp_path / "ours.key", token,
        )  # fmt: skip
        return GrpcInsurerGateway({INSURER: partner_endpoint(partner)}, deadline_s=2.0,
                                  transport_attempts=1)  # fmt: skip

    good = gateway("tok-to-picc")
    assert (await good.file_claim(make_filing())).claim_number.startswith(f"{INSURER}-")
    wrong_token = gateway("tok-forged")
    with pytest.raises(UpstreamAuthFailed):
        await wrong_token.file_claim(make_filing())
    no_client_cert = gateway("tok-to-picc", cert=False)  # a CA is no client certificate
    with pytest.raises(SettlementError):
        await no_client_cert.file_claim(make_filing())
    assert sim.distinct_claims == 1
    for g in (good, wrong_token, no_client_cert):
        await g.close()
    await sim.stop(None)
