"""Wake-ups at given instants of the bot's clock, behind one small interface.

The database is the truth; a timer only says "look again at session 12 now". Each job
re-reads what it needs when it fires, so a stale or duplicate wake-up is harmless.
The adapters (APScheduler in production, the event loop's timers in tests and the
sandbox) live in bot/scheduling.py, so that the core imports no asyncio machinery.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

Job = Callable[[], Awaitable[None]]


class Timers(Protocol):
    """Schedules jobs at instants of the bot's clock."""

    def start(self, sweep: Job) -> None:
        """Begin, with a job to run periodically (the adapter's sweep period, on the bot's clock)."""
        ...

    def schedule(self, key: str, at: datetime, job: Job) -> None:
        """Run `job` at `at` (or at once if past), replacing any job with the same key."""
        ...

    def cancel(self, key: str) -> None:
        """Drop the job with this key, if any."""
        ...

    def shutdown(self) -> None:
        """Drop every job."""
        ...
