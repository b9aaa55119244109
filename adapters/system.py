"""System clock and random identifiers."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

# Crockford's base32 without I, L, O, U: ids read aloud over the phone stay unambiguous.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class RandomIds:
    def case_id(self) -> str:
        stamp = datetime.now(UTC).strftime("%y%m%d")
        # Ten base-32 digits from one 50-bit draw (one system call, not one per digit).
        bits = secrets.randbits(50)
        tail = "".join(_ALPHABET[(bits >> shift) & 31] for shift in range(45, -1, -5))
        return f"C{stamp}{tail}"

    def token(self) -> str:
        return secrets.token_urlsafe(32)

    def join_code(self) -> str:
        return f"{secrets.randbelow(10**8):08d}"

    def nonce(self) -> str:
        return secrets.token_hex(8)
