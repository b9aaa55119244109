"""The required-photo checklist per case and per party."""

from __future__ import annotations

from settlement.domain.evidence import PhotoSlot as S
from settlement.domain.evidence import required_photo_checklist


def test_complete_two_party_case() -> None:
    checklist = required_photo_checklist(
        {
            "A": [S.SIDE_FRONT, S.SIDE_REAR, S.COLLISION_POINT, S.OWN_PLATE, S.OTHER_PLATE],
            "B": [S.OWN_PLATE, S.OTHER_PLATE, S.LICENCE, S.REGISTRATION],
        },
        parties=("A", "B"),
    )
    assert checklist.missing_for_case == frozenset()
    assert checklist.missing_by_party == {"A": frozenset(), "B": frozenset()}
    # Plates and documents are not scene views: the required set fits the 3–6 limit.
    assert checklist.scene_photo_count == 3
    assert not checklist.too_many
    assert checklist.complete


def test_more_than_six_scene_views_are_too_many() -> None:
    views = [S.SIDE_FRONT, S.SIDE_REAR, S.COLLISION_POINT, S.SCENE_OVERVIEW, S.OTHER]
    checklist = required_photo_checklist(
        {"A": [*views, S.OWN_PLATE, S.OTHER_PLATE], "B": [S.OTHER, S.OTHER, S.OWN_PLATE]},
        parties=("A", "B"),
    )
    assert checklist.scene_photo_count == 7
    assert checklist.too_many
    assert not checklist.complete


def test_scene_views_may_come_from_either_party() -> None:
    checklist = required_photo_checklist(
        {
            "A": [S.SIDE_FRONT, S.OWN_PLATE, S.OTHER_PLATE],
            "B": [S.SIDE_REAR, S.COLLISION_POINT, S.LICENCE],
        },
        parties=("A", "B"),
    )
    assert checklist.missing_for_case == frozenset()
    assert checklist.missing_by_party["B"] == {S.OWN_PLATE, S.OTHER_PLATE}
    assert checklist.scene_photo_count == 3  # plates and the licence are not scene views


def test_party_without_uploads_is_listed() -> None:
    checklist = required_photo_checklist({}, parties=("A", "B"))
    assert checklist.missing_for_case == {S.SIDE_FRONT, S.SIDE_REAR, S.COLLISION_POINT}
    assert checklist.missing_by_party == {
        "A": {S.OWN_PLATE, S.OTHER_PLATE},
        "B": {S.OWN_PLATE, S.OTHER_PLATE},
    }
    assert checklist.too_few
    assert not checklist.complete


def test_exactly_the_minimum_set_for_one_reporting_party_completes() -> None:
    checklist = required_photo_checklist(
        {"A": [S.SIDE_FRONT, S.SIDE_REAR, S.COLLISION_POINT, S.OWN_PLATE, S.OTHER_PLATE]}
    )
    assert checklist.complete
    assert checklist.scene_photo_count == 3
