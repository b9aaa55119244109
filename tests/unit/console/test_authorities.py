"""The issuing unit printed on a 事故认定书: configured per district, else the built-in one."""

from __future__ import annotations

import pytest

from settlement.config import Settings, parse_authorities
from settlement.domain.jurisdiction import issuing_authority
from settlement.errors import ConfigurationError


def test_configured_units_override_the_built_in_table() -> None:
    configured = parse_authorities("440305=深圳市公安局交通警察支队南山大队（试点）， 440304=福田")
    assert issuing_authority("440305", configured) == "深圳市公安局交通警察支队南山大队（试点）"
    assert issuing_authority("440304", configured) == "福田"
    assert issuing_authority("440303") == "深圳市公安局交通警察支队罗湖大队"
    assert issuing_authority("999999") == "999999公安机关交通管理部门"


@pytest.mark.parametrize("raw", ["440305", "4403=南山", "440305=", "abc=南山"])
def test_a_malformed_table_stops_start_up(raw: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_env({"SETTLEMENT_AUTHORITIES": raw})
    assert "SETTLEMENT_AUTHORITIES" in str(caught.value)


def test_the_public_url_defaults_to_where_the_service_listens() -> None:
    assert Settings.from_env({}).public_url == "http://127.0.0.1:8000"
    assert Settings.from_env({"SETTLEMENT_PUBLIC_BASE_URL": "https://kc.example.cn/"}
                             ).public_url == "https://kc.example.cn"  # fmt: skip
