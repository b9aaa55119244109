"""Releasing and reassigning a case under police review keeps its place and its history."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from settlement.domain.case import Case, CaseStatus
from settlement.errors import IllegalTransition, PreconditionFailed
from tests.unit.test_case_lifecycle import NOW, SCENE, open_case

QUEUED = NOW - timedelta(minutes=50)


def waiting() -> Case:
    case = open_case(case_id="C1", opener_id="alice", scene=SCENE, capture_nonce="n", now=NOW)
    return replace(case, status=CaseStatus.POLICE_REVIEW, review={"queued_at": QUEUED})


def test_release_takes_the_case_back_without_restarting_its_clock() -> None:
    held = waiting().claim_review("li", NOW)
    released = held.release_review("chen", "账号锁定", NOW + timedelta(minutes=5))
    assert released.claimed_by is None
    assert released.queued_at == QUEUED
    entry = released.review["assignments"][-1]  # type: ignore[index]
    assert (entry["action"], entry["from"], entry["to"], entry["by"]) == (
        "release", "li", None, "chen")
    with pytest.raises(PreconditionFailed):
        released.release_review("chen", "再次释放", NOW)


def test_reassign_hands_the_case_to_another_reviewer_who_may_then_decide() -> None:
    moved = waiting().claim_review("li", NOW).reassign_review("chen", "wang", "改派", NOW)
    assert moved.claimed_by == "wang"
    assert moved.queued_at == QUEUED
    moved.require_reviewer("wang")
    with pytest.raises(PreconditionFailed):
        moved.require_reviewer("li")
    with pytest.raises(PreconditionFailed):
        moved.reassign_review("chen", "wang", "again", NOW)
    decided = replace(moved, status=CaseStatus.DETERMINED)
    with pytest.raises(IllegalTransition):
        decided.release_review("chen", "too late", NOW)
