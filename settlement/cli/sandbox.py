"""``settlement sandbox``: every user's side of the service on one machine, in one command.

It starts, on loopback, the WeChat simulator, an insurer simulator for each demo insurer,
the court-mediation simulator and the service itself on the embedded database, wires them
together (the insurer API over mutual TLS with certificates from a throwaway CA), fills the
demo cases and console accounts, and prints what to open. Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from settlement.config import COURT, Settings
from settlement.errors import ConfigurationError

if TYPE_CHECKING:
    from adapters.simulators._faults import PartnerTls

DEMO_INSURERS = ("PICC", "CPIC", "PING_AN")
DEMO_DRIVERS = ("张伟", "李娜", "王强", "赵敏")


@dataclass(frozen=True)
class SandboxPki:
    """What the sandbox's CA issued, as files: one server certificate for every loopback
    server (ours and the simulators'), our client certificate for calling the partners, and
    each insurer's client certificate for calling us."""

    server_cert: Path
    server_key: Path
    ca: Path
    our_client: tuple[Path, Path]
    insurer_certs: dict[str, tuple[Path, Path]]

    def simulator_tls(self, token: str) -> PartnerTls:
        """A simulator's side: our server certificate, and only our CA's clients accepted."""
        from adapters.simulators._faults import PartnerTls

        return PartnerTls(
            cert=self.server_cert.read_bytes(), key=self.server_key.read_bytes(),
            client_ca=self.ca.read_bytes(), token=token,
        )  # fmt: skip


def write_pki(directory: Path, insurers: Sequence[str]) -> SandboxPki:
    from adapters.simulators.pki import Authority

    directory.mkdir(parents=True, exist_ok=True)
    ca = Authority("settlement sandbox CA")
    server = ca.issue("localhost", dns=("localhost",), ips=("127.0.0.1",), server=True)
    (directory / "ca.pem").write_bytes(ca.pem)
    (directory / "server.pem").write_bytes(server.cert)
    (directory / "server.key").write_bytes(server.key)
    (directory / "server.key").chmod(0o600)

    def client(name: str) -> tuple[Path, Path]:
        pem = ca.issue(name)
        cert, key = directory / f"{name}.pem", directory / f"{name}.key"
        cert.write_bytes(pem.cert)
        key.write_bytes(pem.key)
        key.chmod(0o600)
        return cert, key

    return SandboxPki(
        directory / "server.pem", directory / "server.key", directory / "ca.pem",
        client("settlement"), {code: client(code) for code in insurers},
    )  # fmt: skip


async def run_sandbox(base: Settings, workdir: Path, out: TextIO) -> None:
    """Start the simulators and the service; fill the demo; serve until SIGINT/SIGTERM."""
    from adapters.http.front.sandbox import sandbox_openid, sandbox_routes
    from adapters.simulators.insurer import InsurerSimulator
    from adapters.simulators.mediation import MediationSimulator
    from adapters.simulators.wechat import WeChatSimulator
    from settlement import bootstrap
    from settlement.cli.demo import DEMO_PASSWORD, DEMO_STAFF, fill_services

    wechat = WeChatSimulator(app_id="wx-sandbox", app_secret=secrets.token_hex(16))
    wechat.start()
    pki = write_pki(workdir / "pki", DEMO_INSURERS)
    # Insurers' tokens for calling us, and ours for calling each partner (court included).
    tokens = {code: secrets.token_urlsafe(18) for code in DEMO_INSURERS}
    outbound = {code: secrets.token_urlsafe(18) for code in (*DEMO_INSURERS, COURT)}
    insurers = {code: InsurerSimulator(code, auto_progress=True) for code in DEMO_INSURERS}
    court = MediationSimulator(auto_progress=True)
    for code, simulator in insurers.items():
        simulator.tls = pki.simulator_tls(outbound[code])
        await simulator.start()
    court.tls = pki.simulator_tls(outbound[COURT])
    await court.start()
    settings = replace(
        base,
        data_dir=workdir / "data",
        uploads_dir=workdir / "uploads",
        wechat_app_id=wechat.state.app_id,
        wechat_app_secret=wechat.state.app_secret,
        wechat_api_base=wechat.base_url,
        insurer_endpoints=",".join(f"{c}={s.target}" for c, s in insurers.items()),
        insurer_tokens=",".join(f"{c}={t}" for c, t in tokens.items()),
        mediation_endpoint=court.target,
        partner_ca=f"*={pki.ca}",
        partner_cert=f"*={pki.our_client[0]}",
        partner_key=f"*={pki.our_client[1]}",
        partner_tokens=",".join(f"{code}={token}" for code, token in outbound.items()),
        grpc_tls_cert=pki.server_cert,
        grpc_tls_key=pki.server_key,
        grpc_client_ca=pki.ca,
        console_secure_cookies=False,  # plain http on loopback
        cookie_secret=secrets.token_urlsafe(32),
    )

    async def started(runtime: Any, servers: Any) -> None:
        auth = runtime.services.auth
        cases = await fill_services(
            runtime.services, lambda name: auth.user_id_for(sandbox_openid(name))
        )
        http = f"http://{settings.bind_address}:{servers.http_port}"
        lines = [
            "",
            "== settlement sandbox is ready ==",
            f"  front door        {http}/",
            f"  sign in as driver {http}/sandbox/   (demo drivers: {', '.join(DEMO_DRIVERS)})",
            f"  police console    {http}/console/login",
            *(f"      {role:<10} {user:<14} password {DEMO_PASSWORD}"
              for user, role, _, _ in DEMO_STAFF),
            f"  API documentation {http}/api/docs",
            f"  metrics           http://{settings.metrics_bind_address}:{servers.metrics_port}/metrics",
            f"  insurer gRPC API  {settings.bind_address}:{servers.grpc_port} (mTLS; CA "
            f"{pki.ca}, client certificates {pki.ca.parent}/<CODE>.pem/.key, token per insurer "
            f"in {workdir / 'pki' / 'tokens.txt'})",
            f"  insurer simulators {', '.join(f'{c} {s.target}' for c, s in insurers.items())}"
            " (mTLS: they accept only our client certificate, and our token)",
            f"  court simulator   {court.target} (mTLS)",
            f"  WeChat simulator  {wechat.base_url}",
            f"  mini-program      open miniprogram/ in WeChat DevTools, set its service address "
            f"to {http} (tick 不校验合法域名) and sign in through {http}/sandbox/",
            f"  {len(cases)} demo cases; data in {workdir}",
            "Ctrl-C stops everything.",
        ]  # fmt: skip
        (workdir / "pki" / "tokens.txt").write_text(
            "".join(f"{code}={token}\n" for code, token in tokens.items())
        )
        print("\n".join(lines), file=out, flush=True)

    try:
        await bootstrap.serve(
            settings,
            extra_routes=sandbox_routes(wechat.login, DEMO_DRIVERS),
            front_links=[("/sandbox/", "沙盒登录 Sandbox sign-in",
                          "become a named test driver and get a bearer token")],
            on_started=started,
        )  # fmt: skip
    finally:
        for simulator in insurers.values():
            await simulator.stop(0.5)
        await court.stop(0.5)
        wechat.stop()


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run the service with WeChat, insurer and court simulators and demo data",
        description="Start everything on loopback for a trial: the service on the embedded "
        "database, the WeChat, insurer and court simulators, demo cases and accounts.",
    )
    parser.add_argument(
        "--dir", type=Path, default=None,
        help="keep the sandbox's data here (default: a fresh temporary directory)",
    )  # fmt: skip
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, stdout: TextIO | None = None) -> int:
    from adapters.observability import configure_logging

    out = stdout or sys.stdout
    try:
        base = Settings.from_env()
    except ConfigurationError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    if base.mongo_uri is not None:
        print("sandbox: runs on its own embedded database; unset SETTLEMENT_MONGO_URI",
              file=sys.stderr)  # fmt: skip
        return 2
    configure_logging(base.log_level)
    with tempfile.TemporaryDirectory(prefix="settlement-sandbox-") as tmp:
        workdir = args.dir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            asyncio.run(run_sandbox(base, workdir.resolve(), out))
        except ConfigurationError as exc:
            print(f"sandbox: {exc}", file=sys.stderr)
            return 2
    return 0
