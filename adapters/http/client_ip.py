"""The client's real address: ``X-Forwarded-For`` is evidence only when a known proxy sent it.

Anyone can write an ``X-Forwarded-For`` header. Rate limits, audit origins and access logs
key on the address, so the header is read only when the connection itself comes from a
configured proxy (``SETTLEMENT_TRUSTED_PROXIES``), and then from the right: the last
address not belonging to a trusted proxy is the one that connected to the proxies.
"""

from __future__ import annotations

import functools
import ipaddress

from settlement.config import parse_networks

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def trusted_networks(raw: str) -> tuple[Network, ...]:
    return parse_networks(raw)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def from_trusted_proxy(peer: str, trusted_proxies: str) -> bool:
    """Whether the connection itself comes from a configured proxy."""
    return _trusted(peer, trusted_networks(trusted_proxies))


def client_address(peer: str, forwarded_for: str | None, trusted_proxies: str) -> str:
    """The address to attribute a request to.

    Args:
        peer: the address of the TCP connection.
        forwarded_for: the ``X-Forwarded-For`` header, if any.
        trusted_proxies: the setting (IPs or CIDRs, comma-separated).
    """
    networks = trusted_networks(trusted_proxies)
    if not forwarded_for or not networks or not _trusted(peer, networks):
        return peer
    for candidate in reversed([part.strip() for part in forwarded_for.split(",")]):
        try:
            ipaddress.ip_address(candidate)
        except ValueError:
            return peer  # a malformed chain is not evidence of anything
        if not _trusted(candidate, networks):
            return candidate
    return peer
