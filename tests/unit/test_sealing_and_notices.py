"""Sealed openids open only with their key and their user; milestone notices are stable."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from adapters.sealing import AesGcmSealer
from settlement.config import ConfigurationError, Settings, parse_key
from settlement.domain.case import AccidentScene, CaseStatus, Invitation, open_case
from settlement.domain.geo import GeoPoint
from settlement.domain.notices import Milestone, due_notices

KEY = bytes(range(32))


def test_a_sealed_value_opens_only_for_its_context_and_key() -> None:
    sealer = AesGcmSealer(KEY)
    sealed = sealer.seal("o_openid_1", "openid:u_1")
    assert b"o_openid_1" not in sealed
    assert sealer.open(sealed, "openid:u_1") == "o_openid_1"
    assert sealer.open(sealed, "openid:u_2") is None  # copied onto another user
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    assert sealer.open(tampered, "openid:u_1") is None
    assert AesGcmSealer(bytes(32)).open(sealed, "openid:u_1") is None
    assert sealer.seal("x", "c") != sealer.seal("x", "c")  # fresh nonce each time


def test_the_key_setting_is_checked_without_echoing_it() -> None:
    assert parse_key(KEY.hex()) == KEY
    with pytest.raises(ConfigurationError) as refused:
        Settings.from_env({"SETTLEMENT_OPENID_KEY": "not-a-key-secretvalue"})
    assert "secretvalue" not in str(refused.value)
    with pytest.raises(ConfigurationError):
        Settings.from_env({"SETTLEMENT_WECHAT_TEMPLATES": "nonsense=T1"})


def test_each_milestone_is_owed_once_with_a_stable_key() -> None:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    scene = AccidentScene(now, "深圳", GeoPoint(22.54, 113.93), "clear", "urban_road", "追尾")
    case = open_case(case_id="C1", opener_id="u_a", scene=scene, capture_nonce="n", now=now)
    assert due_notices(case) == []
    joined = replace(case, invitation=Invitation("d", now)).join("u_b", now)
    first = due_notices(joined)
    assert [(n.milestone, n.party) for n in first] == [(Milestone.JOINED, "A")]
    decided = replace(joined, status=CaseStatus.DETERMINED, determination={"levels": {}},
                      review={"requests": [{"reason": "补拍"}]})  # fmt: skip
    keys = [n.key for n in due_notices(decided)]
    assert keys == [n.key for n in due_notices(decided)]  # the same case owes the same keys
    assert len(keys) == len(set(keys)) == 5
    assert first[0].key in keys
