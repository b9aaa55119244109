"""Pure evidence rules: table-driven, no I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from settlement.domain.evidence import (
    CaptureContext,
    DuplicateMatch,
    EvidenceLimits,
    GeoPoint,
    Outcome,
    PhotoFacts,
    declared_type_matches,
    hamming,
    haversine_m,
    judge_photo,
)

ACCIDENT_AT = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
SCENE = GeoPoint(latitude=31.2304, longitude=121.4737)  # People's Square, Shanghai


def make_facts(**overrides: object) -> PhotoFacts:
    base = PhotoFacts(
        format="JPEG",
        width=4000,
        height=3000,
        byte_size=3_000_000,
        sha256="ab" * 32,
        phash=0x0123456789ABCDEF,
        exif_present=True,
        exif_captured_at=ACCIDENT_AT + timedelta(minutes=5),
        exif_gps=GeoPoint(latitude=31.2306, longitude=121.4740),
        software="HUAWEI P60 1.0.0",
        make="HUAWEI",
        model="P60",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def make_context(**overrides: object) -> CaptureContext:
    base = CaptureContext(
        reported_at=ACCIDENT_AT,
        received_at=ACCIDENT_AT + timedelta(minutes=12),
        reported_place=SCENE,
        expected_nonce="n-123",
        presented_nonce="n-123",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def test_photo_taken_at_the_scene_just_after_the_accident_passes() -> None:
    verdict = judge_photo(make_facts(), make_context())
    assert verdict.outcome is Outcome.PASS
    assert verdict.reasons == ()


@pytest.mark.parametrize(
    ("facts_overrides", "context_overrides", "outcome", "code"),
    [
        (
            {"exif_present": False, "exif_captured_at": None, "exif_gps": None},
            {},
            Outcome.FLAG,
            "NO_EXIF",
        ),
        (
            {"exif_captured_at": ACCIDENT_AT - timedelta(days=3)},
            {},
            Outcome.REJECT,
            "TAKEN_BEFORE_ACCIDENT",
        ),
        (
            {"exif_captured_at": ACCIDENT_AT - timedelta(hours=2)},
            {},
            Outcome.FLAG,
            "TIME_BEFORE_WINDOW",
        ),
        (
            {"exif_captured_at": ACCIDENT_AT + timedelta(hours=8)},
            {"received_at": ACCIDENT_AT + timedelta(hours=9)},
            Outcome.FLAG,
            "TIME_AFTER_WINDOW",
        ),
        (
            {"exif_captured_at": ACCIDENT_AT + timedelta(hours=1)},
            {},
            Outcome.FLAG,
            "TIME_IN_FUTURE",
        ),
        (
            {"exif_gps": GeoPoint(latitude=31.2400, longitude=121.4737)},
            {},
            Outcome.FLAG,
            "EXIF_LOCATION_DISTANT",
        ),
        (
            {"exif_gps": GeoPoint(latitude=39.9042, longitude=116.4074)},
            {},
            Outcome.REJECT,
            "FAR_FROM_SCENE",
        ),
        (
            {},
            {"client_location": GeoPoint(latitude=31.2400, longitude=121.4737)},
            Outcome.FLAG,
            "CLIENT_LOCATION_DISTANT",
        ),
        ({"software": "Adobe Photoshop 25.1 (Macintosh)"}, {}, Outcome.FLAG, "EDITING_SOFTWARE"),
        ({"software": "美图秀秀"}, {}, Outcome.FLAG, "EDITING_SOFTWARE"),
        ({}, {"presented_nonce": "stale"}, Outcome.FLAG, "NONCE_MISMATCH"),
        ({}, {"presented_nonce": None}, Outcome.FLAG, "NONCE_MISMATCH"),
        ({"trailing_bytes": 120, "trailing_kind": "html"}, {}, Outcome.REJECT, "EMBEDDED_PAYLOAD"),
        ({"trailing_bytes": 4000, "trailing_kind": "zip"}, {}, Outcome.REJECT, "EMBEDDED_PAYLOAD"),
        ({"trailing_bytes": 900, "trailing_kind": None}, {}, Outcome.FLAG, "TRAILING_DATA"),
        ({"width": 320, "height": 240}, {}, Outcome.FLAG, "LOW_RESOLUTION"),
        (
            {"exif_error": "parse budget exceeded (too many reads)"},
            {},
            Outcome.FLAG,
            "EXIF_UNREADABLE",
        ),
        (
            {},
            {"client_captured_at": ACCIDENT_AT + timedelta(hours=2)},
            Outcome.FLAG,
            "TIME_MISMATCH_CLIENT",
        ),
    ],
)
def test_rule_table(
    facts_overrides: dict[str, object],
    context_overrides: dict[str, object],
    outcome: Outcome,
    code: str,
) -> None:
    verdict = judge_photo(make_facts(**facts_overrides), make_context(**context_overrides))
    assert verdict.outcome is outcome
    assert code in verdict.codes
    reason = next(r for r in verdict.reasons if r.code == code)
    assert reason.zh
    assert reason.en


def test_missing_exif_is_a_flag_never_a_rejection() -> None:
    facts = make_facts(exif_present=False, exif_captured_at=None, exif_gps=None, software=None)
    assert judge_photo(facts, make_context()).outcome is Outcome.FLAG


def test_portrait_photo_is_not_low_resolution() -> None:
    verdict = judge_photo(make_facts(width=1080, height=1920), make_context())
    assert "LOW_RESOLUTION" not in verdict.codes


def test_no_nonce_issued_means_no_nonce_check() -> None:
    context = make_context(expected_nonce=None, presented_nonce=None)
    assert "NONCE_MISMATCH" not in judge_photo(make_facts(), context).codes


def test_reject_wins_over_flags() -> None:
    facts = make_facts(exif_captured_at=ACCIDENT_AT - timedelta(days=30), software="Snapseed 2.0")
    verdict = judge_photo(facts, make_context(presented_nonce="x"))
    assert verdict.outcome is Outcome.REJECT
    assert {"TAKEN_BEFORE_ACCIDENT", "EDITING_SOFTWARE", "NONCE_MISMATCH"} <= set(verdict.codes)


def test_duplicates_from_other_cases_are_flagged_naming_the_case() -> None:
    duplicates = [
        DuplicateMatch("p1", "case-1", "A", "ab" * 32, 0, exact=True),
        DuplicateMatch("p2", "case-7", "B", "cd" * 32, 3, exact=False),
    ]
    verdict = judge_photo(make_facts(), make_context(), duplicates=duplicates)
    assert verdict.outcome is Outcome.FLAG
    exact = next(r for r in verdict.reasons if r.code == "DUPLICATE_OF_OTHER_CASE")
    near = next(r for r in verdict.reasons if r.code == "NEAR_DUPLICATE_OF_OTHER_CASE")
    assert "case-1" in exact.en
    assert "case-7" in near.en
    assert "case-1" not in near.en


def test_limits_are_configurable() -> None:
    strict = EvidenceLimits(flag_distance_m=10)
    verdict = judge_photo(make_facts(), make_context(), strict)
    assert "EXIF_LOCATION_DISTANT" in verdict.codes


def test_naive_exif_time_is_read_as_china_time() -> None:
    # 10:05 on the camera clock in Shanghai is 02:05 UTC: five minutes after the accident.
    facts = make_facts(exif_captured_at=datetime(2026, 3, 1, 10, 5))
    assert judge_photo(facts, make_context()).outcome is Outcome.PASS


def test_haversine_known_distance() -> None:
    beijing = GeoPoint(latitude=39.9042, longitude=116.4074)
    assert haversine_m(SCENE, beijing) == pytest.approx(1_067_000, rel=0.01)
    assert haversine_m(SCENE, SCENE) == 0


@given(st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1))
def test_hamming_is_a_metric(a: int, b: int, c: int) -> None:
    assert hamming(a, a) == 0
    assert hamming(a, b) == hamming(b, a)
    assert 0 <= hamming(a, b) <= 64
    assert hamming(a, c) <= hamming(a, b) + hamming(b, c)


@pytest.mark.parametrize(
    ("declared", "actual", "ok"),
    [
        (None, "JPEG", True),
        ("application/octet-stream", "PNG", True),
        ("image/jpeg", "JPEG", True),
        ("image/jpeg; charset=binary", "JPEG", True),
        ("image/png", "JPEG", False),
        ("text/html", "JPEG", False),
        ("image/svg+xml", "PNG", False),
    ],
)
def test_declared_type(declared: str | None, actual: str, ok: bool) -> None:
    assert declared_type_matches(declared, actual) is ok
