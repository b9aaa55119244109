"""Where a partner call came from, for its audit entries (who/what/when/where).

The peer's address comes from the connection; the request id from the caller's
``x-request-id`` metadata when it is a plain token, else a new one, so every entry a
call causes carries the same id, as an HTTP request's do.
"""

from __future__ import annotations

import random
from typing import Any

from settlement.services.audit import RequestOrigin

_REQUEST_IDS = random.Random()  # seeded from the OS once; ids label entries, guard nothing
MAX_REQUEST_ID = 64


def call_origin(context: Any) -> RequestOrigin:
    """The origin of the call behind ``context`` (a grpc.aio servicer context)."""
    return RequestOrigin(peer_address(context.peer() or ""), _request_id(context))


def peer_address(peer: str) -> str:
    """``ipv4:10.0.0.7:51234`` -> ``10.0.0.7``; ``ipv6:[::1]:5123`` -> ``::1``."""
    scheme, _, rest = peer.partition(":")
    if scheme == "ipv6" and rest.startswith("["):
        return rest[1:].partition("]")[0]
    if scheme == "ipv4":
        return rest.rpartition(":")[0]
    return peer  # unix sockets and the like: as given


def _request_id(context: Any) -> str:
    for key, value in context.invocation_metadata() or ():
        if key == "x-request-id" and isinstance(value, str) and _safe(value):
            return value
    return f"{_REQUEST_IDS.getrandbits(64):016x}"


def _safe(value: str) -> bool:
    return 0 < len(value) <= MAX_REQUEST_ID and all(
        c.isascii() and (c.isalnum() or c in "-_.") for c in value
    )
