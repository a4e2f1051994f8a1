"""The injectable clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.core import clock as clock_module
from bot.core.clock import FakeClock, FunctionClock, ScaledClock, SystemClock

START = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def test_fake_clock_moves_only_forward() -> None:
    """A fake clock moves when told, never back."""
    fake = FakeClock(START)
    fake.advance(90)
    assert fake.now() == START + timedelta(seconds=90)
    with pytest.raises(ValueError):
        fake.advance(-1)
    with pytest.raises(ValueError):
        FakeClock(datetime(2026, 1, 1))


def test_scaled_clock_runs_faster_on_the_monotonic_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """At scale 60 a real second is a minute, measured monotonically."""
    ticks = iter([100.0, 101.5])
    monkeypatch.setattr(clock_module.time, "monotonic", lambda: next(ticks))
    scaled = ScaledClock(60, start=START)
    assert scaled.now() == START + timedelta(seconds=90)


def test_function_and_system_clocks_are_utc() -> None:
    """Whatever the source's zone, the clock answers in UTC."""
    plus_two = timezone(timedelta(hours=2))
    assert FunctionClock(lambda: START.astimezone(plus_two)).now().tzinfo is UTC
    assert SystemClock().now().tzinfo is UTC


def test_scaled_clocks_from_one_origin_agree_whenever_they_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes given the same origin tell the same sped-up time, so a restart keeps the time left."""
    walls = iter([START + timedelta(seconds=10), START + timedelta(seconds=25)])

    class Wall(datetime):
        @classmethod
        def now(cls, tz: object = None) -> datetime:  # type: ignore[override]
            return next(walls)

    monkeypatch.setattr(clock_module, "datetime", Wall)
    monkeypatch.setattr(clock_module.time, "monotonic", lambda: 50.0)
    first = ScaledClock(60, since=START)
    second = ScaledClock(60, since=START)
    assert first.now() == START + timedelta(minutes=10)
    assert second.now() == START + timedelta(minutes=25)
    with pytest.raises(ValueError):
        ScaledClock(60, start=START, since=START)
