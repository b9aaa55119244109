"""Client addresses behind proxies, and the rate-limit settings."""

from __future__ import annotations

import pytest

from adapters.http.client_ip import client_address, from_trusted_proxy
from settlement.config import Settings, parse_rate
from settlement.errors import ConfigurationError


@pytest.mark.parametrize(
    ("peer", "header", "trusted", "expected"),
    [
        ("203.0.113.5", "198.51.100.7", "", "203.0.113.5"),  # no proxy trusted: the socket
        ("203.0.113.5", "198.51.100.7", "10.0.0.0/8", "203.0.113.5"),  # not from a proxy
        ("10.1.2.3", "198.51.100.7", "10.0.0.0/8", "198.51.100.7"),
        # The client wrote its own header first; the proxy appended what it saw.
        ("10.1.2.3", "1.1.1.1, 198.51.100.7", "10.0.0.0/8", "198.51.100.7"),
        ("10.1.2.3", "198.51.100.7, 10.9.9.9", "10.0.0.0/8", "198.51.100.7"),  # two proxies
        ("10.1.2.3", "not-an-ip", "10.0.0.0/8", "10.1.2.3"),
        ("10.1.2.3", None, "10.0.0.0/8", "10.1.2.3"),
        ("::1", "2001:db8::7", "::1", "2001:db8::7"),
    ],
)
def test_forwarded_for_is_believed_only_from_trusted_proxies(
    peer: str, header: str | None, trusted: str, expected: str
) -> None:
    assert client_address(peer, header, trusted) == expected


def test_only_a_trusted_proxy_may_name_the_scheme() -> None:
    assert from_trusted_proxy("10.1.2.3", "10.0.0.0/8")
    assert not from_trusted_proxy("203.0.113.5", "10.0.0.0/8")
    assert not from_trusted_proxy("10.1.2.3", "")


def test_rate_settings_are_checked_at_start_up() -> None:
    assert parse_rate("30/60") == (30, 60)
    assert parse_rate("off") is None
    settings = Settings.from_env({"SETTLEMENT_LIMIT_JOIN_PER_USER": "5/300",
                                  "SETTLEMENT_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1"})
    assert settings.limit_join_per_user == "5/300"
    for name, value in (("LIMIT_JOIN_PER_USER", "five"), ("LIMIT_VERIFY_PER_IP", "0/60"),
                        ("TRUSTED_PROXIES", "10.0.0.0/33")):
        with pytest.raises(ConfigurationError, match=name):
            Settings.from_env({f"SETTLEMENT_{name}": value})
