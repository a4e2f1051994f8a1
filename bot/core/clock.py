"""Injectable clocks: every timer and reminder reads the time through one of these."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """Return the current instant, aware, in UTC."""
        ...


class SystemClock:
    """The machine's wall clock."""

    def now(self) -> datetime:
        """Return the wall-clock time in UTC."""
        return datetime.now(UTC)


class ScaledClock:
    """A clock that runs `scale` times faster than real time, for rehearsals and black-box runs.

    It starts at the real time and measures elapsed time with the monotonic clock, so a
    wall-clock jump (NTP, suspend) does not make a rehearsal skip or repeat a phase. With
    `since`, it reads as if it had been running fast from that instant: every process given the
    same `since` tells the same time, so a restarted bot finds its sessions where they are.
    """

    def __init__(self, scale: float, *, start: datetime | None = None, since: datetime | None = None) -> None:
        if scale <= 0:
            raise ValueError("scale must be positive")
        if start is not None and since is not None:
            raise ValueError("give start or since, not both")
        self.scale = scale
        now = datetime.now(UTC)
        if since is not None:
            if since.tzinfo is None:
                raise ValueError("since must be aware")
            start = since + (now - since) * scale
        self._origin = start or now
        self._mono_origin = time.monotonic()

    def now(self) -> datetime:
        """Return the origin plus the scaled monotonic time elapsed since."""
        elapsed = (time.monotonic() - self._mono_origin) * self.scale
        return self._origin + timedelta(seconds=elapsed)


class FakeClock:
    """A clock that only moves when told to: for unit tests."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a FakeClock needs an aware start time")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """Return the time the test set."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        if seconds < 0:
            raise ValueError("time does not go backwards")
        self._now += timedelta(seconds=seconds)

    def set(self, instant: datetime) -> None:
        """Jump to an instant (aware)."""
        if instant.tzinfo is None:
            raise ValueError("instant must be aware")
        self._now = instant.astimezone(UTC)


class FunctionClock:
    """A clock backed by a function: lets the sandbox and the tests follow SimCord's virtual clock."""

    def __init__(self, read: Callable[[], datetime]) -> None:
        self._read = read

    def now(self) -> datetime:
        """Return what the function says, normalised to UTC."""
        return self._read().astimezone(UTC)
