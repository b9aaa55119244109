"""Channel credentials for the partners we call, from the partner registry in the settings:
mutual TLS (the CA we trust for the partner, our client certificate and key) and the bearer
token we present. Plaintext only for a partner the settings explicitly allow it for."""

from __future__ import annotations

from pathlib import Path

import grpc

from adapters.grpc.insurer_client import PartnerEndpoint
from settlement.config import PartnerSettings
from settlement.errors import ConfigurationError


def _read(path: Path | None, what: str, code: str) -> bytes:
    assert path is not None  # noqa: S101 - tls partners have all three
    try:
        return path.read_bytes()
    except OSError as exc:
        message = f"partner {code}: cannot read {what} {path}: {exc.strerror}"
        raise ConfigurationError(message) from None


def partner_endpoint(partner: PartnerSettings) -> PartnerEndpoint:
    """The endpoint to call ``partner`` at, with its credentials (read once, at start-up).

    Raises:
        ConfigurationError: a certificate, key or CA file cannot be read.
    """
    token = partner.token or None
    if not partner.tls:
        return PartnerEndpoint(partner.target, None, token)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=_read(partner.ca, "CA", partner.code),
        private_key=_read(partner.key, "key", partner.code),
        certificate_chain=_read(partner.cert, "certificate", partner.code),
    )
    return PartnerEndpoint(partner.target, credentials, token)
