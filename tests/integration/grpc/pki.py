"""Test certificates: a partner CA, a server certificate for 127.0.0.1/localhost, and
client certificates naming insurers (plus one from a CA we do not trust)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from adapters.simulators.pki import Authority, Pem

__all__ = ["Authority", "Pem", "TestPki", "make_pki"]


@dataclass
class TestPki:
    ca: Authority
    server: Pem
    clients: dict[str, Pem]
    rogue_picc: Pem

    def write(self, directory: Path) -> tuple[Path, Path, Path]:
        """Server cert, key and client CA as files (what Settings points at)."""
        directory.mkdir(parents=True, exist_ok=True)
        cert, key, ca = directory / "server.pem", directory / "server.key", directory / "ca.pem"
        cert.write_bytes(self.server.cert)
        key.write_bytes(self.server.key)
        ca.write_bytes(self.ca.pem)
        return cert, key, ca


def make_pki() -> TestPki:
    ca = Authority("settlement partner test CA")
    server = ca.issue("localhost", dns=("localhost",), ips=("127.0.0.1",), server=True)
    clients = {
        "PICC": ca.issue("PICC"),
        # The identity in a subject alternative name, with an unrelated CN.
        "CPIC": ca.issue("claims-gateway.cpic.example", dns=("CPIC",)),
        "UNKNOWN": ca.issue("NOT-AN-INSURER"),
    }
    rogue = Authority("someone else's CA").issue("PICC")
    return TestPki(ca=ca, server=server, clients=clients, rogue_picc=rogue)
