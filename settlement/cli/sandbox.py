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
from typing import Any, TextIO

from settlement.config import Settings
from settlement.errors import ConfigurationError

DEMO_INSURERS = ("PICC", "CPIC", "PING_AN")
DEMO_DRIVERS = ("张伟", "李娜", "王强", "赵敏")


@dataclass(frozen=True)
class SandboxPki:
    """Files the sandbox writes: our gRPC server's certificate and each insurer's client one."""

    server_cert: Path
    server_key: Path
    ca: Path
    insurer_certs: dict[str, tuple[Path, Path]]


def write_pki(directory: Path, insurers: Sequence[str]) -> SandboxPki:
    from adapters.simulators.pki import Authority

    directory.mkdir(parents=True, exist_ok=True)
    ca = Authority("settlement sandbox CA")
    server = ca.issue("localhost", dns=("localhost",), ips=("127.0.0.1",), server=True)
    (directory / "ca.pem").write_bytes(ca.pem)
    (directory / "server.pem").write_bytes(server.cert)
    (directory / "server.key").write_bytes(server.key)
    clients = {}
    for code in insurers:
        pem = ca.issue(code)
        cert, key = directory / f"{code}.pem", directory / f"{code}.key"
        cert.write_bytes(pem.cert)
        key.write_bytes(pem.key)
        key.chmod(0o600)
        clients[code] = (cert, key)
    (directory / "server.key").chmod(0o600)
    return SandboxPki(
        directory / "server.pem", directory / "server.key", directory / "ca.pem", clients
    )


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
    insurers = {code: InsurerSimulator(code, auto_progress=True) for code in DEMO_INSURERS}
    court = MediationSimulator(auto_progress=True)
    for simulator in insurers.values():
        await simulator.start()
    await court.start()
    pki = write_pki(workdir / "pki", DEMO_INSURERS)
    tokens = {code: secrets.token_urlsafe(18) for code in DEMO_INSURERS}
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
        partner_insecure=True,  # the simulators speak plaintext on loopback
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
            f"  insurer simulators {', '.join(f'{c} {s.target}' for c, s in insurers.items())}",
            f"  court simulator   {court.target}",
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
