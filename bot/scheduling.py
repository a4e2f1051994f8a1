"""The timer adapters: APScheduler in production, the event loop's timers in tests and the sandbox.

They implement `bot.core.timers.Timers`. Production uses APScheduler; tests and the sandbox
use the event loop's own timers, which SimCord's virtual clock moves. They live on the runtime
side, beside bot/app.py, so that bot/core/ imports neither asyncio machinery nor APScheduler.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.clock import Clock
from bot.core.timers import Job

log = logging.getLogger(__name__)

# How often every due row is looked at again, whatever the timers did: covers a timer
# that overslept (a suspended host, APScheduler issue #794) or was lost.
SWEEP_SECONDS = 60.0
# A wake-up found late by this much still runs: the job itself decides what is still owed.
MISFIRE_GRACE_SECONDS = 3600
# A job may schedule its own next wake-up (a session's timer does) at an instant already past
# when the bot is busy; APScheduler would skip that run while the first is still finishing
# ("maximum number of running instances reached"), leaving it to the sweep. The jobs take
# their own locks and re-read the database, so a second instance is harmless.
INSTANCES = 3


async def _run(key: str, job: Job) -> None:
    try:
        await job()
    except asyncio.CancelledError:
        # Only a shutdown cancels a job (APScheduler's, or the loop's end): what it had not done
        # is still owed in the database, and the next start does it. Not an error to report.
        log.debug("timer job %s stopped by the shutdown", key)
    except Exception:
        log.exception("timer job %s failed", key)


class LoopTimers:
    """Timers on the event loop (`call_later`), so that a simulated loop clock moves them."""

    def __init__(self, clock: Clock, sweep_seconds: float = SWEEP_SECONDS) -> None:
        self.clock = clock
        self.sweep_seconds = sweep_seconds
        self._handles: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._sweep: Job | None = None

    def _fire(self, key: str, job: Job) -> None:
        self._handles.pop(key, None)
        task = asyncio.get_running_loop().create_task(_run(key, job))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def start(self, sweep: Job) -> None:
        """Begin the periodic sweep."""
        self._sweep = sweep
        self._arm_sweep()

    def _arm_sweep(self) -> None:
        async def sweep_then_rearm() -> None:
            self._arm_sweep()
            assert self._sweep is not None
            await self._sweep()
        loop = asyncio.get_running_loop()
        self._handles["sweep"] = loop.call_later(self.sweep_seconds, self._fire, "sweep", sweep_then_rearm)

    def schedule(self, key: str, at: datetime, job: Job) -> None:
        """Run `job` when the bot's clock reaches `at`."""
        self.cancel(key)
        delay = max(0.0, (at - self.clock.now()).total_seconds())
        self._handles[key] = asyncio.get_running_loop().call_later(delay, self._fire, key, job)

    def cancel(self, key: str) -> None:
        """Drop a pending job."""
        handle = self._handles.pop(key, None)
        if handle is not None:
            handle.cancel()

    def shutdown(self) -> None:
        """Drop every pending job."""
        for handle in self._handles.values():
            handle.cancel()
        self._handles.clear()


class SchedulerTimers:
    """Timers on APScheduler 3's `AsyncIOScheduler`, an in-memory wake-up layer only.

    APScheduler reads the wall clock, while the bot's clock may run faster
    (BALINT_TIME_SCALE): instants are converted to wall time when a job is scheduled.
    """

    def __init__(self, clock: Clock, scale: float = 1.0, sweep_seconds: float = SWEEP_SECONDS) -> None:
        self.clock = clock
        self.scale = scale
        self.sweep_seconds = sweep_seconds
        self.scheduler = AsyncIOScheduler(timezone="UTC")

    def _wall(self, at: datetime) -> datetime:
        ahead = (at - self.clock.now()).total_seconds() / self.scale
        return datetime.now(UTC) + timedelta(seconds=max(0.0, ahead))

    def start(self, sweep: Job) -> None:
        """Start the scheduler inside the running loop, with the sweep."""
        self.scheduler.start()
        self.scheduler.add_job(
            _run, IntervalTrigger(seconds=self.sweep_seconds / self.scale), args=("sweep", sweep), id="sweep",
            replace_existing=True, coalesce=True, max_instances=1,
            misfire_grace_time=max(1, int(self.sweep_seconds)),
        )

    def schedule(self, key: str, at: datetime, job: Job) -> None:
        """Schedule a one-off wake-up."""
        self.scheduler.add_job(
            _run, DateTrigger(run_date=self._wall(at)), args=(key, job), id=key, replace_existing=True,
            misfire_grace_time=MISFIRE_GRACE_SECONDS, max_instances=INSTANCES,
        )

    def cancel(self, key: str) -> None:
        """Drop a job if it is still pending."""
        job: Any = self.scheduler.get_job(key)
        if job is not None:
            job.remove()

    def shutdown(self) -> None:
        """Stop the scheduler without waiting for running jobs (they re-read the database anyway)."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
