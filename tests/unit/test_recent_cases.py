"""The case views micro-cache: bounded age, and changes made here seen at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from settlement.domain.case import AccidentScene, Case, open_case
from settlement.domain.geo import GeoPoint
from settlement.services.recent_cases import RecentCases

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
SCENE = AccidentScene(
    occurred_at=NOW - timedelta(minutes=20), address="深圳市南山区科技园",
    location=GeoPoint(22.54, 113.93), weather="clear", road_type="urban_road",
    description="rear-end",
)  # fmt: skip


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def case(case_id: str = "C1") -> Case:
    return open_case(case_id=case_id, opener_id="alice", scene=SCENE, capture_nonce="n", now=NOW)


def test_a_read_answers_until_it_is_ttl_old() -> None:
    clock = Clock()
    recent = RecentCases(1.0, now=clock)
    started = recent.clock()
    clock.t += 0.2  # the read took 200 ms: its age counts from when it started
    recent.put(case(), started)
    assert recent.get("C1") is not None
    clock.t = started + 0.99
    assert recent.get("C1") is not None
    clock.t = started + 1.0
    assert recent.get("C1") is None


def test_forget_evicts_and_vetoes_reads_that_began_before_it() -> None:
    clock = Clock()
    recent = RecentCases(1.0, now=clock)
    recent.put(case(), recent.clock())
    clock.t += 0.1
    before_change = recent.clock()
    clock.t += 0.1
    recent.forget("C1")  # a change commits while a read that began earlier is under way
    assert recent.get("C1") is None
    clock.t += 0.1
    recent.put(case(), before_change)  # that read may have seen the old state
    assert recent.get("C1") is None
    recent.put(case(), recent.clock())  # a read that began after the change may answer
    assert recent.get("C1") is not None


def test_zero_ttl_caches_nothing_and_size_is_bounded() -> None:
    clock = Clock()
    off = RecentCases(0, now=clock)
    off.put(case(), off.clock())
    assert off.get("C1") is None
    small = RecentCases(10.0, size=3, now=clock)
    for n in range(5):
        small.put(case(f"C{n}"), small.clock())
    assert [small.get(f"C{n}") is not None for n in range(5)] == [False, False, True, True, True]
