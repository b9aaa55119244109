"""The whole service for the mini-program's Jest tests: ``python -m tests.miniprogram_stack``.

Starts the WeChat, insurer and court simulators and ``settlement serve`` (embedded MongoDB in a temporary
directory, every port chosen free on 127.0.0.1, notices configured), creates a reviewer
and a supervisor account, then prints one line ``STACK {json}`` with the addresses. It stops on SIGTERM or
SIGINT, and when its standard input closes, so a test runner that dies takes it along.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import secrets
import signal
import sys
import tempfile
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import grpc
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from adapters.simulators.insurer import InsurerSimulator
from adapters.simulators.mediation import MediationSimulator
from adapters.simulators.wechat import WeChatSimulator
from settlement import bootstrap
from settlement.cli.sandbox import write_pki
from settlement.config import Settings

REVIEWER = ("reviewer.mini", "reviewer", "440305")
SUPERVISOR = ("supervisor.mini", "supervisor", "440305")
"""Concludes 复核 requests (the authority above the reviewer); same password."""
SCENE = (22.5405, 113.9345)
"""Where the tests' accidents happen (深圳市南山区): phones stand here, photos are taken here."""
PHOTO_COUNT = 60
TEMPLATES = {
    "joined": "TMPL_JOINED",
    "proposal_ready": "TMPL_PROPOSAL",
    "police_decided": "TMPL_DECIDED",
    "retake_asked": "TMPL_RETAKE",
    "reconsidered": "TMPL_RECONSIDERED",
    "claim_assessed": "TMPL_ASSESSED",
    "claim_paid": "TMPL_PAID",
}


INSURERS = ("PICC", "CPIC", "PING_AN")
"""Insurer simulators claims are filed with (they give claim numbers)."""


async def run(workdir: Path) -> None:
    wechat = WeChatSimulator(app_id="wx-mini-test", app_secret=secrets.token_hex(12))
    wechat.start()
    insurers = {code: InsurerSimulator(code) for code in INSURERS}
    for insurer in insurers.values():
        await insurer.start()
    court = MediationSimulator(auto_progress=True)
    await court.start()
    pki = write_pki(workdir / "pki", INSURERS)
    tokens = {code: secrets.token_urlsafe(18) for code in INSURERS}
    password = secrets.token_urlsafe(12)
    settings = replace(
        Settings(),
        http_port=0,
        grpc_port=0,
        metrics_port=0,
        data_dir=workdir / "data",
        uploads_dir=workdir / "uploads",
        wechat_app_id=wechat.state.app_id,
        wechat_app_secret=wechat.state.app_secret,
        wechat_api_base=wechat.base_url,
        wechat_templates=",".join(f"{k}={v}" for k, v in TEMPLATES.items()),
        wechat_miniprogram_state="developer",
        console_secure_cookies=False,
        cookie_secret=secrets.token_urlsafe(24),
        openid_key=secrets.token_hex(32),
        insurer_endpoints=",".join(f"{c}={s.target}" for c, s in insurers.items()),
        mediation_endpoint=court.target,
        partner_insecure=True,  # the simulators on loopback speak plaintext
        grpc_tls_cert=pki.server_cert,
        grpc_tls_key=pki.server_key,
        grpc_client_ca=pki.ca,
        insurer_tokens=",".join(f"{c}={t}" for c, t in tokens.items()),
        log_level="WARNING",
    )

    photos = await asyncio.to_thread(write_photos, workdir / "camera")

    grpc_port = [0]  # known once the service listens
    control = HTTPServer(Application([(r"/insurer/pay", InsurerPays, {
        "grpc": lambda: f"127.0.0.1:{grpc_port[0]}", "pki": pki, "tokens": tokens})]))  # fmt: skip
    control_sockets = bind_sockets(0, "127.0.0.1")
    control.add_sockets(control_sockets)

    async def started(runtime: Any, servers: Any) -> None:
        grpc_port[0] = servers.grpc_port
        staff = runtime.services.staff_auth
        await staff.create_account(*REVIEWER, password)
        await staff.create_account(*SUPERVISOR, password)
        line = {
            "api": f"http://127.0.0.1:{servers.http_port}",
            "wechat": wechat.base_url,
            "reviewer": REVIEWER[0],
            "supervisor": SUPERVISOR[0],
            "password": password,
            "templates": TEMPLATES,
            "scene": {"latitude": SCENE[0], "longitude": SCENE[1]},
            "photos": photos,
            "control": f"http://127.0.0.1:{control_sockets[0].getsockname()[1]}",
        }
        print("STACK " + json.dumps(line), flush=True)
        asyncio.get_running_loop().add_reader(sys.stdin.fileno(), _stop_on_eof)

    try:
        await bootstrap.serve(settings, on_started=started)
    finally:
        control.stop()
        wechat.stop()
        for insurer in insurers.values():
            await insurer.stop(0.5)
        await court.stop(0.5)


class InsurerPays(RequestHandler):
    """``POST /insurer/pay {"insurer", "claim_id", "amount"}``: the insurer assesses,
    approves and pays one claim over the real insurer API (gRPC, mutual TLS, its token)."""

    def initialize(self, grpc: Any, pki: Any, tokens: dict[str, str]) -> None:
        self.target, self.pki, self.tokens = grpc, pki, tokens

    async def post(self) -> None:
        from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2 as pb
        from adapters.grpc.pb.accident.settlement.v1 import settlement_service_pb2_grpc as rpc

        body = json.loads(self.request.body)
        code, claim_id = str(body["insurer"]), str(body["claim_id"])
        amount = pb.Money(currency_code="CNY", amount=str(body["amount"]))
        cert, key = self.pki.insurer_certs[code]
        credentials = grpc.ssl_channel_credentials(
            self.pki.ca.read_bytes(), private_key=key.read_bytes(),
            certificate_chain=cert.read_bytes(),
        )  # fmt: skip
        metadata = (("authorization", f"Bearer {self.tokens[code]}"),)
        async with grpc.aio.secure_channel(self.target(), credentials) as channel:
            stub: Any = rpc.SettlementServiceStub(channel)  # type: ignore[no-untyped-call]
            got = await stub.GetClaim(pb.GetClaimRequest(claim_id=claim_id), metadata=metadata)
            assessed = await stub.SubmitAssessment(pb.SubmitAssessmentRequest(
                request_id=str(uuid.uuid4()), claim_id=claim_id, assessed_amount=amount,
                assessor="定损员", etag=got.claim.etag), metadata=metadata)  # fmt: skip
            approved = await stub.UpdateClaimStatus(pb.UpdateClaimStatusRequest(
                request_id=str(uuid.uuid4()), claim_id=claim_id,
                status=pb.CLAIM_STATUS_APPROVED, etag=assessed.claim.etag),
                metadata=metadata)  # fmt: skip
            await stub.UpdateClaimStatus(pb.UpdateClaimStatusRequest(
                request_id=str(uuid.uuid4()), claim_id=claim_id, status=pb.CLAIM_STATUS_PAID,
                payout=pb.Payout(amount=amount, transaction_reference="TX-MINI"),
                etag=approved.claim.etag), metadata=metadata)  # fmt: skip
        self.finish({"paid": True})


def write_photos(directory: Path) -> list[str]:
    """Camera JPEGs of distinct scenes with the EXIF a phone writes: maker, capture time
    (now, Beijing time with its offset) and GPS at the scene."""
    from PIL import Image

    from adapters.demo_scenes import scene_jpeg

    directory.mkdir(parents=True)
    taken = datetime.now(timezone(timedelta(hours=8)))
    paths = []
    for index in range(PHOTO_COUNT):
        image = Image.open(io.BytesIO(scene_jpeg(7000 + index)))
        exif = image.getexif()
        exif[0x010F], exif[0x0110] = "Apple", "iPhone 15"
        details = exif.get_ifd(0x8769)
        details[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
        details[0x9011] = "+08:00"
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = "N", _dms(SCENE[0])
        gps[3], gps[4] = "E", _dms(SCENE[1])
        path = directory / f"scene-{index}.jpg"
        image.save(path, "JPEG", quality=88, exif=exif)
        paths.append(str(path))
    return paths


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return (float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4))


def _stop_on_eof() -> None:
    if not os.read(sys.stdin.fileno(), 4096):
        os.kill(os.getpid(), signal.SIGTERM)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="mini-stack-") as workdir:
        asyncio.run(run(Path(workdir)))


if __name__ == "__main__":
    main()
