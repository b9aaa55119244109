"""The settlement loop end to end over real sockets: a settled case's claims reach the insurer
simulators with the right share and loss for every party, insurers assess and pay over the
mTLS insurer API, the drivers see it all in their API, and a dispute goes to the court
simulator and its outcome comes back to both drivers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import grpc
import pytest

from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2 as pb
from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2_grpc as pb_grpc
from adapters.mongo.cases import MongoCaseRepository
from adapters.mongo.claims import MongoClaimRepository
from adapters.simulators._faults import PartnerTls
from adapters.simulators.insurer import InsurerSimulator
from adapters.simulators.mediation import MediationSimulator
from adapters.simulators.wechat import WeChatSimulator
from settlement.bootstrap import open_runtime, run_exchange, start_servers
from settlement.domain.case import CaseStatus
from tests.builders import new_case, party_details
from tests.claim_builders import settled_case
from tests.e2e.conftest import Api, body, make_settings
from tests.e2e.console.conftest import PASSWORD, decide_in_console
from tests.e2e.test_liability_flow import _case_with_statements, _rear_end, _sign
from tests.integration.grpc.claims_harness import TOKENS
from tests.integration.grpc.pki import TestPki, make_pki

pytestmark = pytest.mark.e2e
_stub_class: Any = pb_grpc.SettlementServiceStub
INSURERS = ("PICC", "CPIC")


@dataclass
class Loop:
    api: Api
    sims: dict[str, InsurerSimulator]
    court: MediationSimulator
    pki: TestPki
    grpc_port: int

    async def insurer(self, code: str, method: str, request: Any) -> Any:
        client = self.pki.clients[code]
        credentials = grpc.ssl_channel_credentials(
            self.pki.ca.pem, private_key=client.key, certificate_chain=client.cert
        )
        async with grpc.aio.secure_channel(f"127.0.0.1:{self.grpc_port}", credentials) as ch:
            rpc = getattr(_stub_class(ch), method)
            return await rpc(request, metadata=(("authorization", f"Bearer {TOKENS[code]}"),),
                             timeout=10)  # fmt: skip

    async def filed(self, case_id: str, count: int) -> dict[str, Any]:
        """Wait until ``count`` claims of the case are numbered by their insurers."""
        claims = MongoClaimRepository(self.api.runtime.db)
        async with asyncio.timeout(20):
            while True:
                found = await claims.for_case(case_id)
                if len(found) == count and all(c.claim_number for c in found):
                    return {f"{c.party}.{c.cover.value}": c for c in found}
                await asyncio.sleep(0.05)


@pytest.fixture
async def loop(mongo_uri: str, wechat: WeChatSimulator, tmp_path: Path) -> AsyncIterator[Loop]:
    pki = make_pki()
    cert, key, ca = pki.write(tmp_path / "tls")
    # Both ways mutual TLS with tokens: the simulators accept only our client certificate
    # and the token each gave us.
    ours = pki.ca.issue("settlement-platform")
    (tmp_path / "tls" / "ours.pem").write_bytes(ours.cert)
    (tmp_path / "tls" / "ours.key").write_bytes(ours.key)
    outbound = {"PICC": "to-picc-1", "CPIC": "to-cpic-2", "COURT": "to-court-3"}
    sims = {code: InsurerSimulator(code) for code in INSURERS}
    court = MediationSimulator()
    for code, sim in [*sims.items(), ("COURT", court)]:
        sim.tls = PartnerTls(pki.server.cert, pki.server.key, pki.ca.pem, outbound[code])
        await sim.start()
    settings = replace(
        make_settings(mongo_uri, wechat, tmp_path),
        insurer_endpoints=",".join(f"{c}=localhost:{s.port}" for c, s in sims.items()),
        insurer_tokens=",".join(f"{c}={t}" for c, t in TOKENS.items()),
        mediation_endpoint=f"localhost:{court.port}",
        partner_ca=f"*={ca}",
        partner_cert=f"*={tmp_path / 'tls' / 'ours.pem'}",
        partner_key=f"*={tmp_path / 'tls' / 'ours.key'}",
        partner_tokens=",".join(f"{c}={t}" for c, t in outbound.items()),
        grpc_tls_cert=cert,
        grpc_tls_key=key,
        grpc_client_ca=ca,
        console_secure_cookies=False,
    )
    stop = asyncio.Event()
    async with open_runtime(settings) as runtime:
        assert runtime.services.staff_auth is not None
        await runtime.services.staff_auth.create_account("reviewer.ns", "reviewer", "440305",
                                                         PASSWORD)  # fmt: skip
        servers = await start_servers(runtime)
        exchange = asyncio.create_task(run_exchange(runtime.services, stop, poll_s=0.2))
        try:
            api = Api(f"http://127.0.0.1:{servers.http_port}", runtime, servers, wechat)
            yield Loop(api, sims, court, pki, servers.grpc_port)
        finally:
            stop.set()
            await asyncio.wait_for(exchange, 10)
            await servers.stop(0.5)
            await runtime.mongo_client.drop_database(settings.mongo_db)
            for sim in sims.values():
                await sim.stop(None)
            await court.stop(None)


def _money(amount: str) -> Any:
    return pb.Money(currency_code="CNY", amount=amount)


async def test_agreement_claims_are_assessed_paid_and_seen_by_the_drivers(loop: Loop) -> None:
    api = loop.api
    case_id, alice, bob = await _case_with_statements(api, *_rear_end())  # A 1,200; B 3,500
    proposed = await api.call("POST", f"/api/v1/cases/{case_id}/proposal", token=alice)
    assert proposed.code == 200, proposed.body
    for token in (alice, bob):
        assert (await api.call("POST", f"/api/v1/cases/{case_id}/accept", token=token)).code == 200
    await _sign(api, case_id, alice)
    assert (await _sign(api, case_id, bob))["status"] == "agreed"

    claims = await loop.filed(case_id, 3)
    picc, cpic = loop.sims["PICC"], loop.sims["CPIC"]
    # What each insurer received: the share and both losses of the signed agreement, and
    # what its cover owes (§3.5: A 全 / B 无, 1,200 / 3,500).
    a_jqx = picc.claim_by_id(claims["A.compulsory"].id).request
    assert (a_jqx.liability_share, a_jqx.liability_level) == ("1", "全部责任")
    assert (a_jqx.estimated_loss.amount, a_jqx.third_party_loss.amount) == ("1200.00", "3500.00")
    assert a_jqx.amount_due.amount == "2100.00"
    a_sz = picc.claim_by_id(claims["A.commercial_third_party"].id).request
    assert a_sz.amount_due.amount == "1500.00"
    b_jqx = cpic.claim_by_id(claims["B.compulsory"].id).request
    assert (b_jqx.liability_share, b_jqx.estimated_loss.amount) == ("0", "3500.00")
    assert b_jqx.amount_due.amount == "0.00"

    # PICC assesses, approves and pays its commercial claim over the insurer API.
    cid = claims["A.commercial_third_party"].id
    got = await loop.insurer("PICC", "GetClaim", pb.GetClaimRequest(claim_id=cid))
    assert got.claim.claim_number.startswith("PICC-")
    assessed = await loop.insurer("PICC", "SubmitAssessment", pb.SubmitAssessmentRequest(
        request_id=str(uuid.uuid4()), claim_id=cid, assessed_amount=_money("1480.00"),
        assessor="定损员", etag=got.claim.etag))  # fmt: skip
    approved = await loop.insurer("PICC", "UpdateClaimStatus", pb.UpdateClaimStatusRequest(
        request_id=str(uuid.uuid4()), claim_id=cid, status=pb.CLAIM_STATUS_APPROVED,
        etag=assessed.claim.etag))  # fmt: skip
    await loop.insurer("PICC", "UpdateClaimStatus", pb.UpdateClaimStatusRequest(
        request_id=str(uuid.uuid4()), claim_id=cid, status=pb.CLAIM_STATUS_PAID,
        payout=pb.Payout(amount=_money("1480.00"), transaction_reference="TX-77"),
        etag=approved.claim.etag))  # fmt: skip

    # Both drivers see every claim of their case with its money and history.
    for token, party in ((alice, "A"), (bob, "B")):
        view = body(await api.call("GET", f"/api/v1/cases/{case_id}/claims", token=token))
        assert view["your_party"] == party
        shown = {f"{c['party']}.{c['cover']}": c for c in view["claims"]}
        assert set(shown) == {"A.compulsory", "A.commercial_third_party", "B.compulsory"}
        paid = shown["A.commercial_third_party"]
        assert paid["insurer_code"] == "PICC"
        assert paid["claim_number"] == got.claim.claim_number
        assert paid["status"] == "paid"
        assert paid["assessment"]["amount"] == "1480.00"
        assert paid["payout"] == {**paid["payout"], "amount": "1480.00",
                                  "transaction_reference": "TX-77"}  # fmt: skip
        assert [h["status"] for h in paid["history"]] == [
            "filed", "acknowledged", "assessed", "approved", "paid"]
        assert shown["B.compulsory"]["liability_share"] == "0"
        assert "policy_number" not in paid  # not the other driver's business
    # A stranger sees nothing.
    stranger = await api.sign_in()
    assert (await api.call("GET", f"/api/v1/cases/{case_id}/claims", token=stranger)).code == 404


async def test_police_major_minor_same_insurer_no_commercial_cover(loop: Loop) -> None:
    """A 主要 / B 次要 by the police (the engine had proposed 全/无), both insured by PICC,
    B without 商三: four losses' worth of claims, each separately filed and visible."""
    target = settled_case(CaseStatus.DETERMINED, insurers=("PICC", "PICC"),
                          losses=("4000", "6000"), commercial=(True, False))  # fmt: skip
    await MongoCaseRepository(loop.api.runtime.db).add(
        replace(target, status=CaseStatus.POLICE_REVIEW, determination=None)
    )
    # The reviewer decides 主要/次要 in the console, over HTTP.
    await decide_in_console(loop.api.base_url, target.id, {
        "level_A": "主要责任", "level_B": "次要责任", "rule": "other",
        "basis_statute": "道交法", "basis_article": "第43条",
        "note": "乙车临时停车未开危险报警闪光灯", "reason": "双方均有过错，甲车为主"})  # fmt: skip

    claims = await loop.filed(target.id, 3)
    assert set(claims) == {"A.compulsory", "A.commercial_third_party", "B.compulsory"}
    picc = loop.sims["PICC"]
    sent = {key: picc.claim_by_id(c.id).request for key, c in claims.items()}
    assert {k: r.liability_share for k, r in sent.items()} == {
        "A.compulsory": "0.7", "A.commercial_third_party": "0.7", "B.compulsory": "0.3"}
    assert {k: r.amount_due.amount for k, r in sent.items()} == {
        "A.compulsory": "2000.00", "A.commercial_third_party": "2800.00",
        "B.compulsory": "2000.00"}
    assert sent["B.compulsory"].estimated_loss.amount == "6000.00"
    number = {r.document_number for r in sent.values()}
    assert len(number) == 1
    assert target.id in number.pop()  # the 认定书's number
    # B's share of A's car beyond 交强险 has no 商三 to pay it: B pays it personally.
    lines = [(ln.kind, ln.payee_party, ln.amount.amount)
             for ln in sent["B.compulsory"].payout_lines]  # fmt: skip
    assert lines == [("jqx_at_fault", "A", "2000.00")]

    listed = await loop.insurer("PICC", "ListClaims", pb.ListClaimsRequest())
    mine = [c for c in listed.claims if c.case_id == target.id]
    assert sorted((c.party, c.cover) for c in mine) == [
        ("A", pb.COVER_COMPULSORY), ("A", pb.COVER_COMMERCIAL_THIRD_PARTY),
        ("B", pb.COVER_COMPULSORY)]
    assert len({c.claim_number for c in mine}) == 3


async def test_a_dispute_reaches_the_court_and_its_outcome_comes_back(loop: Loop) -> None:
    api = loop.api
    case_id, alice, bob = await _case_with_statements(api, *_rear_end())
    await api.call("POST", f"/api/v1/cases/{case_id}/proposal", token=alice)
    for token in (alice, bob):
        await api.call("POST", f"/api/v1/cases/{case_id}/accept", token=token)
    await _sign(api, case_id, alice)
    await _sign(api, case_id, bob)
    await loop.filed(case_id, 3)

    asked = await api.call("POST", f"/api/v1/cases/{case_id}/mediation",
                           {"reason": "对车损金额有异议"}, token=bob)  # fmt: skip
    assert asked.code == 201, asked.body
    assert body(asked)["mediation"]["requested_by"] == "B"
    async with asyncio.timeout(20):
        while loop.court.dispute_for_case(case_id) is None:
            await asyncio.sleep(0.05)
    dispute = loop.court.dispute_for_case(case_id)
    assert dispute is not None
    case_file = dispute.request.case_file
    shares = {s.party_id: Decimal(s.share) for s in case_file.determination.shares}
    assert shares == {"A": Decimal(1), "B": Decimal(0)}
    assert case_file.determination.document_number.startswith("XY-")
    assert case_file.loss.total.amount == "4700.00"
    assert all("*" in p.id_number_masked for p in case_file.parties)

    loop.court.conclude_mediation(dispute.dispute_id, agreed=True, amount=Decimal("3300"))
    loop.court.decide_confirmation(dispute.dispute_id, confirmed=True)
    async with asyncio.timeout(20):
        while True:
            view = body(await api.call("GET", f"/api/v1/cases/{case_id}/claims", token=alice))
            if view["mediation"]["state"] == "confirmed":
                break
            await asyncio.sleep(0.1)
    assert view["mediation"]["outcome"]["agreed_amount"] == "3300"
    assert view["mediation"]["confirmation"]["confirmed"] is True
    assert view["status"] == "closed"
    seen_by_bob = body(await api.call("GET", f"/api/v1/cases/{case_id}/claims", token=bob))
    assert seen_by_bob["mediation"] == view["mediation"]


async def test_unknown_insurer_is_refused_at_intake_naming_the_field(loop: Loop) -> None:
    api = loop.api
    alice = await api.sign_in()
    case_id = body(await api.call("POST", "/api/v1/cases", new_case(), token=alice))["id"]
    for code in ("NOSUCH", "TAIPING"):  # unknown; known but not connected here
        answer = await api.call("POST", f"/api/v1/cases/{case_id}/details",
                                party_details(insurer_code=code), token=alice)  # fmt: skip
        assert answer.code == 422, answer.body
        problem = body(answer)
        assert "insurer_code" in str(problem)
    ok = await api.call("POST", f"/api/v1/cases/{case_id}/details",
                        party_details(insurer_code="picc"), token=alice)  # fmt: skip
    assert ok.code == 200, ok.body
