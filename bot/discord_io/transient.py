"""Discord's passing faults: which failures deserve another try, retrying until a deadline, and lanes.

discord.py itself retries 500, 502 and 504 (and a 429 only when the answer has a `Via` header),
but not a 503, another 429, a timeout or a dropped connection. The bot's own calls made on timers
(mutes, notices, panel edits, events) treat all of those as passing: they try again with
exponential backoff and jitter until a deadline the caller gives (the phase's end for a mute,
Discord's nonce window for a notice), then give up quietly and leave the rest to the database,
which records what is still owed, and to the sweep. They never raise out of a timer job.

Those retries must not hold a session's lock (a leader's button must be answered within three
seconds), so they run in the background, in `Lanes`: one lane per channel or member, in which
calls run one after another, in the order they were asked for.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import random
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import aiohttp
import discord

from bot.core.clock import Clock

log = logging.getLogger(__name__)

T = TypeVar("T")

FIRST_DELAY = 0.5
MAX_DELAY = 20.0
# A bound on the loop whatever the deadline: with the delays above, about a quarter of an hour.
MAX_ATTEMPTS = 50
# A call replaced by a newer one notices within this long, even in the middle of a long pause.
NAP_SECONDS = 0.5


def is_transient(error: BaseException) -> bool:
    """Whether a failed call may well succeed if tried again: 429, 5xx, a timeout, a dropped connection."""
    if isinstance(error, discord.HTTPException):
        return error.status == 429 or error.status >= 500
    return isinstance(error, discord.RateLimited | TimeoutError | aiohttp.ClientError | ConnectionError)


def _describe(error: BaseException) -> str:
    if isinstance(error, discord.HTTPException):
        return f"HTTP {error.status}"
    return type(error).__name__


def _retry_after(error: BaseException) -> float:
    """Return the wait Discord asked for, if it said (a 429's Retry-After), else 0."""
    if isinstance(error, discord.RateLimited):
        return float(error.retry_after)
    headers = getattr(getattr(error, "response", None), "headers", None) or {}
    try:
        return float(str(headers.get("Retry-After", 0)))
    except (TypeError, ValueError):
        return 0.0


def backoff(attempt: int, error: BaseException | None = None) -> float:
    """Return the pause before attempt `attempt + 1`: doubling from half a second, jittered, capped."""
    delay: float = min(MAX_DELAY, FIRST_DELAY * 2.0 ** (attempt - 1))
    # Jitter spreads the retries of many calls that failed together, so they do not return together.
    return max(delay * random.uniform(0.5, 1.0), _retry_after(error) if error is not None else 0.0)


class StillFailing(Exception):
    """A call kept meeting passing faults until its deadline (or something newer replaced it)."""

    def __init__(self, what: str, last: BaseException | None, *, superseded: bool = False) -> None:
        super().__init__(f"{what}: {'superseded' if superseded else _describe(last) if last else 'failed'}")
        self.what = what
        self.last = last
        self.superseded = superseded


async def persist(call: Callable[[], Awaitable[T]], *, clock: Clock, until: datetime, what: str,
                  ticket: Ticket | None = None) -> T:
    """Run `call`, trying again after passing faults while the bot's clock is before `until`.

    Any other failure is raised at once. The pauses are real seconds on the event loop (Discord
    recovers in real time, whatever the bot's clock does); the deadline is on the bot's clock,
    since it is one of the bot's instants (a phase's end, a claim plus the nonce window).
    """
    for attempt in itertools.count(1):
        if ticket is not None and ticket.stale:
            raise StillFailing(what, None, superseded=True)
        try:
            return await call()
        except Exception as error:
            if not is_transient(error):
                raise
            if attempt >= MAX_ATTEMPTS or clock.now() >= until:
                raise StillFailing(what, error) from error
            delay = backoff(attempt, error)
            log.info("%s: %s, trying again in %.1f s", what, _describe(error), delay)
            if ticket is not None:
                await ticket.nap(delay)
            else:
                await asyncio.sleep(delay)
            if clock.now() >= until:
                raise StillFailing(what, error) from error
    raise AssertionError("unreachable")


@dataclass
class _Lane:
    queue: deque[tuple[Ticket, Callable[[Ticket], Awaitable[Any]], asyncio.Future[Any]]] = field(
        default_factory=deque)
    latest: int = 0
    worker: asyncio.Task[None] | None = None


@dataclass(frozen=True)
class Ticket:
    """One call's place in its lane: whether a newer call replaced it, and a pause a newer call cuts short."""

    lanes: Lanes
    key: Hashable
    number: int

    @property
    def stale(self) -> bool:
        """Whether a newer call that replaces this one was queued in the same lane."""
        lane = self.lanes._lanes.get(self.key)
        return lane is not None and lane.latest > self.number

    async def nap(self, seconds: float) -> None:
        """Sleep before a retry, in short naps, so that a newer call replacing this one soon takes over.

        Plain sleeps rather than waiting on an event with a timeout: a test's virtual clock
        (SimCord) moves sleeps, and would take an event wait for a stuck task.
        """
        naps = max(1, math.ceil(seconds / NAP_SECONDS))
        for _ in range(naps):
            if self.stale:
                return
            await asyncio.sleep(seconds / naps)


class Lanes:
    """Background calls, one lane per key: in a lane, one call at a time, in the order asked."""

    def __init__(self) -> None:
        self._lanes: dict[Hashable, _Lane] = {}
        self._numbers = itertools.count(1)
        self._closed = False

    def push(self, key: Hashable, job: Callable[[Ticket], Awaitable[T]], *,
             replaces: bool = False) -> asyncio.Future[T | None]:
        """Queue a call; with `replaces`, every older call of the lane that has not finished is dropped.

        The future gives the call's result, or None if it was dropped or failed.
        """
        future: asyncio.Future[T | None] = asyncio.get_running_loop().create_future()
        if self._closed:
            future.set_result(None)
            return future
        lane = self._lanes.setdefault(key, _Lane())
        ticket = Ticket(self, key, next(self._numbers))
        if replaces:
            lane.latest = ticket.number
        lane.queue.append((ticket, job, future))
        if lane.worker is None:
            lane.worker = asyncio.get_running_loop().create_task(self._work(key, lane))
        return future

    def busy(self, key: Hashable) -> bool:
        """Whether a call is queued or running in this lane."""
        lane = self._lanes.get(key)
        return lane is not None and lane.worker is not None

    async def _work(self, key: Hashable, lane: _Lane) -> None:
        current: asyncio.Future[Any] | None = None
        try:
            while lane.queue:
                ticket, job, current = lane.queue.popleft()
                if ticket.stale:
                    current.set_result(None)
                    continue
                try:
                    result = await job(ticket)
                except Exception:
                    # The jobs handle what they expect; anything else is a bug, logged, and the lane goes on.
                    log.exception("a background call in lane %s failed", key)
                    result = None
                if not current.done():
                    current.set_result(result)
        finally:
            lane.worker = None
            waiting = [future for _, _, future in lane.queue] + ([current] if current is not None else [])
            for future in waiting:
                if not future.done():
                    future.set_result(None)
            lane.queue.clear()
            if self._lanes.get(key) is lane:
                del self._lanes[key]

    async def close(self) -> None:
        """Stop every lane (at shutdown): what is still owed is in the database for the next start."""
        self._closed = True
        workers = [lane.worker for lane in self._lanes.values() if lane.worker is not None]
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
