"""The presence rules: time in voice within a span, overlapping stays counted once, and the leaders' roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.core.presence import LeaderRole, Stay, leader_roles, present, time_in

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # a DST night in Europe: instants are UTC, nothing shifts


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_time_in_clips_to_the_span_and_counts_overlaps_once() -> None:
    stays = [Stay(1, at(-10), at(20)), Stay(1, at(15), at(30)), Stay(1, at(50), None), Stay(2, at(0), at(60))]
    assert time_in(stays, 1, at(0), at(60)) == timedelta(minutes=40)
    assert time_in(stays, 2, at(0), at(60)) == timedelta(minutes=60)
    assert time_in(stays, 3, at(0), at(60)) == timedelta()
    assert present(stays) == frozenset({1, 2})


def test_the_starter_leads_and_the_other_leaders_co_lead() -> None:
    assert leader_roles(7, (5, 7, 9)) == {5: LeaderRole.COLED, 7: LeaderRole.LED, 9: LeaderRole.COLED}
    assert leader_roles(7, ()) == {7: LeaderRole.LED}


spans = st.tuples(st.integers(-30, 120), st.integers(0, 90)).map(lambda p: Stay(1, at(p[0]), at(p[0] + p[1])))


@given(st.lists(spans, max_size=8))
def test_time_in_never_exceeds_the_span_nor_the_sum_of_stays(stays: list[Stay]) -> None:
    got = time_in(stays, 1, at(0), at(90))
    assert timedelta() <= got <= timedelta(minutes=90)
    assert got <= sum((s.left_at - s.joined_at for s in stays if s.left_at), timedelta())
    # covering minute by minute agrees with the interval arithmetic
    covered = sum(1 for m in range(90) if any(s.joined_at <= at(m) and s.left_at and at(m + 1) <= s.left_at
                                               for s in stays))
    assert got >= timedelta(minutes=covered)
