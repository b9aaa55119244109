"""AES-256-GCM sealing of small secrets kept at rest (drivers' openids and phone numbers)."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
KEY_ID = b"k1"
"""Written in front of every sealed value so a key rotation can tell old from new."""


class AesGcmSealer:
    """Seals with a random 96-bit nonce; ``context`` (e.g. the user id) is bound as
    associated data, so a sealed value copied onto another record does not open.

    Args:
        key: 32 bytes.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the sealing key must be 32 bytes")
        self._aead = AESGCM(key)

    def seal(self, plaintext: str, context: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return KEY_ID + nonce + self._aead.encrypt(nonce, plaintext.encode(), context.encode())

    def open(self, sealed: bytes, context: str) -> str | None:
        """The plaintext, or None when the value is not ours or was altered."""
        if not sealed.startswith(KEY_ID) or len(sealed) < len(KEY_ID) + NONCE_BYTES + 16:
            return None
        nonce = sealed[len(KEY_ID) : len(KEY_ID) + NONCE_BYTES]
        try:
            plain = self._aead.decrypt(nonce, sealed[len(KEY_ID) + NONCE_BYTES :], context.encode())
        except InvalidTag:
            return None
        return plain.decode()
