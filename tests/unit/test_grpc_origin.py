"""The origin recorded for a partner call: the peer's address and a request id."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.grpc.origin import call_origin, peer_address


@pytest.mark.parametrize(("peer", "address"), [
    ("ipv4:10.0.0.7:51234", "10.0.0.7"),
    ("ipv6:[::1]:5123", "::1"),
    ("ipv6:[2001:db8::2]:443", "2001:db8::2"),
    ("unix:/run/settlement.sock", "unix:/run/settlement.sock"),
    ("", ""),
])  # fmt: skip
def test_the_peer_address_leaves_out_the_port(peer: str, address: str) -> None:
    assert peer_address(peer) == address


class _Context:
    def __init__(self, metadata: tuple[tuple[str, Any], ...]) -> None:
        self._metadata = metadata

    def peer(self) -> str:
        return "ipv4:127.0.0.1:40000"

    def invocation_metadata(self) -> tuple[tuple[str, Any], ...]:
        return self._metadata


def test_a_plain_caller_request_id_is_kept() -> None:
    origin = call_origin(_Context((("x-request-id", "abc-123.x_y"),)))
    assert (origin.address, origin.request_id) == ("127.0.0.1", "abc-123.x_y")


@pytest.mark.parametrize("sent", ["", "a b", "x" * 65, "id\nforged: entry", "ünï"])
def test_an_unusable_request_id_is_replaced_by_a_new_one(sent: str) -> None:
    first = call_origin(_Context((("x-request-id", sent),))).request_id
    second = call_origin(_Context(())).request_id
    assert first != sent
    assert first != second
    assert len(first) == 16
    int(first, 16)
