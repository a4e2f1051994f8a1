"""Passing faults: which are worth another try, retrying until a deadline, and the lanes calls wait in."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import discord
import pytest

from bot.core.clock import FakeClock
from bot.discord_io import transient
from bot.discord_io.transient import Lanes, StillFailing, Ticket, is_transient, persist

START = datetime(2026, 1, 5, 9, tzinfo=UTC)


class _Response:
    def __init__(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.reason = "test"
        self.headers = headers or {}


def http(status: int, headers: dict[str, str] | None = None) -> discord.HTTPException:
    response: Any = _Response(status, headers)
    if status >= 500:
        return discord.DiscordServerError(response, {"message": "down", "code": 0})
    if status == 403:
        return discord.Forbidden(response, {"message": "no", "code": 50013})
    return discord.HTTPException(response, {"message": "no", "code": 0})


@pytest.fixture(autouse=True)
def quick_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pauses of a millisecond: the arithmetic is the same, the test is fast."""
    monkeypatch.setattr(transient, "FIRST_DELAY", 0.001)
    monkeypatch.setattr(transient, "MAX_DELAY", 0.004)


@pytest.mark.parametrize("error", [http(429), http(500), http(502), http(503), http(504), TimeoutError(),
                                   aiohttp.ClientConnectionError(), ConnectionResetError(),
                                   discord.RateLimited(1.5)])
def test_passing_faults_are_transient(error: BaseException) -> None:
    """429, every 5xx, a timeout, a dropped connection: worth another try."""
    assert is_transient(error)


@pytest.mark.parametrize("error", [http(400), http(403), http(404), ValueError("bug")])
def test_refusals_and_bugs_are_not(error: BaseException) -> None:
    """A refusal (400, 403, 404) or a bug would fail again: no retry."""
    assert not is_transient(error)


def test_the_pause_doubles_is_jittered_and_honours_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """Between half and all of the doubled delay, capped; at least what a 429 asked for."""
    monkeypatch.setattr(transient, "FIRST_DELAY", 0.5)
    monkeypatch.setattr(transient, "MAX_DELAY", 20.0)
    for attempt, full in ((1, 0.5), (2, 1.0), (4, 4.0), (10, 20.0)):
        assert full / 2 <= transient.backoff(attempt) <= full
    assert transient.backoff(1, http(429, {"Retry-After": "3"})) >= 3


async def test_a_call_is_retried_through_passing_faults_until_it_succeeds() -> None:
    """Two 503s and a 429, then success: the result comes back, after four calls."""
    errors = [http(503), http(503), http(429)]
    calls = 0

    async def call() -> str:
        nonlocal calls
        calls += 1
        if errors:
            raise errors.pop(0)
        return "done"

    clock = FakeClock(START)
    assert await persist(call, clock=clock, until=START + timedelta(minutes=1), what="test") == "done"
    assert calls == 4


async def test_a_refusal_is_raised_at_once_and_a_deadline_ends_the_retries() -> None:
    """A 403 is not retried; passing faults past the deadline become StillFailing, never the raw error."""
    clock = FakeClock(START)
    calls = 0

    async def refused() -> None:
        nonlocal calls
        calls += 1
        raise http(403)

    with pytest.raises(discord.Forbidden):
        await persist(refused, clock=clock, until=START + timedelta(minutes=1), what="test")
    assert calls == 1

    async def down() -> None:
        nonlocal calls
        calls += 1
        clock.advance(20)  # each attempt takes a while on the bot's clock
        raise http(503)

    calls = 0
    with pytest.raises(StillFailing) as failure:
        await persist(down, clock=clock, until=clock.now() + timedelta(minutes=1), what="mute")
    assert calls == 3 and not failure.value.superseded
    assert "mute: HTTP 503" in str(failure.value)


async def test_a_lane_runs_its_calls_one_at_a_time_in_order() -> None:
    """Calls pushed to one lane never overlap, and finish in the order they were asked."""
    lanes = Lanes()
    running: list[int] = []
    finished: list[int] = []

    def job(number: int) -> Any:
        async def run(ticket: Ticket) -> int:
            running.append(number)
            assert len(running) == 1, "two calls at once in one lane"
            await asyncio.sleep(0.001 * (3 - number))
            running.remove(number)
            finished.append(number)
            return number
        return run

    futures = [lanes.push("channel", job(n)) for n in range(3)]
    assert [await f for f in futures] == [0, 1, 2]
    assert finished == [0, 1, 2]
    assert not lanes.busy("channel")


async def test_a_newer_call_replaces_an_older_one_still_retrying() -> None:
    """An unmute pushed while a mute is retrying: the mute stops, the unmute runs, in that order."""
    lanes = Lanes()
    clock = FakeClock(START)
    seen: list[str] = []
    tried = asyncio.Event()

    async def mute(ticket: Ticket) -> str | None:
        async def call() -> str:
            seen.append("mute")
            tried.set()
            raise http(503)
        try:
            return await persist(call, clock=clock, until=START + timedelta(hours=1), what="mute", ticket=ticket)
        except StillFailing as failure:
            assert failure.superseded
            return None

    async def unmute(ticket: Ticket) -> str:
        seen.append("unmute")
        return "unmuted"

    first = lanes.push("voice", mute, replaces=True)
    await tried.wait()
    second = lanes.push("voice", unmute, replaces=True)
    assert await first is None
    assert await second == "unmuted"
    assert seen[-1] == "unmute" and set(seen[:-1]) == {"mute"}


async def test_closing_the_lanes_stops_their_calls() -> None:
    """At shutdown the calls under way stop; their futures give None; nothing new starts."""
    lanes = Lanes()

    async def forever(ticket: Ticket) -> str:
        await asyncio.sleep(3600)
        return "never"

    pending = lanes.push("channel", forever)
    await asyncio.sleep(0)
    await lanes.close()
    assert await pending is None
    assert await lanes.push("channel", forever) is None
