"""The timer adapters, with short real delays (the e2e tests run them on SimCord's clock)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.core.clock import ScaledClock, SystemClock
from bot.core.timers import Timers
from bot.scheduling import LoopTimers, SchedulerTimers


class Events(list[str]):
    """What the jobs did, with a way to wait until enough happened."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = asyncio.Event()

    def append(self, item: str) -> None:
        super().append(item)
        self.changed.set()


async def _wait_for(events: Events, count: int, seconds: float = 2.0) -> None:
    async with asyncio.timeout(seconds):
        while len(events) < count:
            events.changed.clear()
            await events.changed.wait()


def _adapters() -> list[Timers]:
    clock = SystemClock()
    return [LoopTimers(clock, sweep_seconds=0.05), SchedulerTimers(clock, sweep_seconds=0.05)]


@pytest.mark.parametrize("kind", ["loop", "apscheduler"])
async def test_schedule_replace_cancel_and_sweep(kind: str) -> None:
    """A job runs once at its time; a key replaces; cancel drops; the sweep repeats."""
    timers = _adapters()[0 if kind == "loop" else 1]
    events = Events()

    async def sweep() -> None:
        events.append("sweep")

    def job(name: str):
        async def run() -> None:
            events.append(name)
        return run

    timers.start(sweep)
    try:
        now = SystemClock().now()
        timers.schedule("a", now + timedelta(seconds=0.3), job("first"))
        timers.schedule("a", now + timedelta(seconds=0.05), job("replaced"))
        timers.schedule("b", now + timedelta(seconds=0.05), job("cancelled"))
        timers.cancel("b")
        timers.schedule("c", now - timedelta(seconds=5), job("past"))
        await _wait_for(events, 4)
        await asyncio.sleep(0.4)
        jobs = [e for e in events if e != "sweep"]
        assert sorted(jobs) == ["past", "replaced"]
        assert events.count("sweep") >= 2
    finally:
        timers.shutdown()


async def test_a_failing_job_is_logged_and_the_next_one_runs(caplog: pytest.LogCaptureFixture) -> None:
    """One broken job does not stop the timers."""
    timers = LoopTimers(SystemClock(), sweep_seconds=60)
    events = Events()

    async def broken() -> None:
        raise RuntimeError("boom")

    async def fine() -> None:
        events.append("ran")

    timers.start(fine)
    now = SystemClock().now()
    timers.schedule("x", now, broken)
    timers.schedule("y", now + timedelta(seconds=0.02), fine)
    await _wait_for(events, 1)
    timers.shutdown()
    assert events == ["ran"]
    assert "timer job x failed" in caplog.text


async def test_apscheduler_follows_a_scaled_clock() -> None:
    """At BALINT_TIME_SCALE=60 a job 6 bot-seconds ahead runs a tenth of a real second later."""
    clock = ScaledClock(60)
    timers = SchedulerTimers(clock, scale=60)
    events = Events()

    async def sweep() -> None:
        return None

    async def job() -> None:
        events.append("due")

    timers.start(sweep)
    try:
        loop = asyncio.get_running_loop()
        started = loop.time()
        timers.schedule("s", clock.now() + timedelta(seconds=6), job)
        await _wait_for(events, 1)
        elapsed = loop.time() - started
        assert events == ["due"]
        assert 0.05 <= elapsed < 1.5  # a tenth of a second, with room for a loaded machine
    finally:
        timers.shutdown()
