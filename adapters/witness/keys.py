"""The Ed25519 key that signs audit checkpoints, read from a PEM file.

For the embedded default a key is generated into the data directory on first start
(mode 0600). In production point ``SETTLEMENT_AUDIT_SIGNING_KEY`` at a key kept apart
from the database; publish its public half (``settlement audit key``) to whoever checks.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from settlement.errors import ConfigurationError


class Ed25519Signer:
    """:class:`~settlement.ports.audit.CheckpointSigner` with a private key in memory."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self._public = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def public_key(self) -> bytes:
        return self._public

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)


def load_signer(path: Path, *, create: bool) -> Ed25519Signer:
    """The signer from the PEM (PKCS#8) private key at ``path``.

    Args:
        create: generate and store a new key when the file does not exist.

    Raises:
        ConfigurationError: the file is missing (and ``create`` is false) or not an
            Ed25519 private key.
    """
    if not path.exists():
        if not create:
            raise ConfigurationError(f"the audit signing key {path} does not exist")
        key = Ed25519PrivateKey.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        return Ed25519Signer(key)
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigurationError(f"the audit signing key {path} cannot be read: {exc}") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ConfigurationError(f"the audit signing key {path} is not an Ed25519 key")
    return Ed25519Signer(loaded)
