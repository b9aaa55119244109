"""The fraud gate's reading of a case's photos: exact copies block, near copies flag."""

from __future__ import annotations

from dataclasses import replace

from settlement.domain.evidence import DuplicateMatch, PhotoRecord, photo_reuse
from tests.integration.photos.test_mongo_photos import make_record

EXACT = DuplicateMatch("p1", "C1", "A", "a" * 64, 0, True)
NEAR = DuplicateMatch("p2", "C2", "B", "b" * 64, 4, False)


def record(photo_id: str, *matches: DuplicateMatch) -> PhotoRecord:
    return replace(make_record(photo_id, case_id="C9"), duplicates=matches)


def test_an_exact_copy_from_another_case_blocks_self_negotiation() -> None:
    reuse = photo_reuse([record("x", EXACT, NEAR), record("y", NEAR)])
    assert reuse.exact_cases == ("C1",)
    assert reuse.near_cases == ("C2",)
    assert reuse.blocks_self_negotiation
    referral = reuse.referral()
    assert referral["code"] == "photo_reused"
    assert referral["cases"] == ["C1"]
    assert "C1" in str(referral["zh"])


def test_near_copies_and_matches_within_the_case_do_not_block() -> None:
    assert not photo_reuse([record("x", NEAR)]).blocks_self_negotiation
    assert photo_reuse([record("x", NEAR)]).near_cases == ("C2",)
    same_case = replace(EXACT, case_id="C9")
    assert not photo_reuse([record("x", same_case)]).blocks_self_negotiation
    assert not photo_reuse([]).blocks_self_negotiation
    # A case copied exactly from C1 and nearly from C1 too is listed once, as exact.
    both = photo_reuse([record("x", EXACT, replace(NEAR, case_id="C1"))])
    assert both.near_cases == ()
