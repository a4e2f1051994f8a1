"""Timers at scale: 100, 1,000 and 5,000 sessions running at once, time sped up, beside a bare discord.py bot.

Each run is a fresh process. balint-bot starts on a database of N running sessions (bench/
population.py: one per group, started evenly over the last 45 minutes, auto-advance on, a
presenter in voice), as production runs it: APScheduler (`SchedulerTimers`) on a `ScaledClock`
(BALINT_TIME_SCALE), its sweep every 60 bot seconds, REST calls going to the in-process
stand-in (bench/stand_in.py), which answers at once. The bare bot is a `discord.Client` on the
same stand-in that posts one message at each instant a session owes one, from the event loop's
own timers: the floor that discord.py and asyncio set.

Lateness is the time from a notice's deadline to its arrival at the stand-in, in real
milliseconds (bot time divided by the scale), against the deadline the bot itself set (a phase
runs its full length from when it began). A notice is missed when it is due in the window and
has not arrived five seconds after the window; doubled when two messages carry it. The window
starts once the restore is done (its own figure is bench/restore.py's).

Run alone: `python bench/timers.py [--sessions N] [--bot balint|bare] [--scale S] [--window SECONDS]`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
from common import Spread, bench_intents, cpu_seconds, in_subprocess, peak_rss_mib, table
from population import TEMPLATE, WARNING, Due, Planned, plan_sessions, servers, warned, write
from stand_in import Arrival, StandIn

from bot.app import BalintBot
from bot.config import Settings
from bot.core.clock import ScaledClock
from bot.core.text import Lang
from bot.i18n import phase_name, translator
from bot.storage.instants import from_text

SCALE = 12.0
WINDOW_SECONDS = 15.0
DRAIN_SECONDS = 5.0
SIZES = (100, 1000, 5000)
LATENESS_TARGET_MS = 100.0

# One notice: (session, kind, phase).
Identity = tuple[int, str, int]
_PHASE = re.compile(r"\*\*Phase (\d+) of \d+:")
NAMES = [phase_name(p, translator(Lang.EN)) for p in TEMPLATE.phases]


def notices_in(content: str) -> list[tuple[str, int]]:
    """Read which notices a message of balint-bot's carries: (kind, phase), several if combined."""
    found: list[tuple[str, int]] = []
    for n, name in enumerate(NAMES):
        if f"left in {name}." in content:
            found.append(("warning", n))
        if f"Time is up for **{name}**" in content:
            found.append(("time-up", n))
    found += [("phase", int(number) - 1) for number in _PHASE.findall(content)]
    if "The session has ended" in content:
        found.append(("closing", len(NAMES) - 1))
    return found


@dataclass
class Tally:
    """What arrived, by notice, on the bot's clock; and each phase's deadline as the bot set it, once begun."""

    arrived: defaultdict[Identity, list[datetime]]
    messages: int = 0
    deadlines: dict[tuple[int, int], datetime] = field(default_factory=dict)


def owed_in(plan: Planned, written: datetime, start: datetime, end: datetime,
            deadlines: dict[tuple[int, int], datetime]) -> list[Due]:
    """Return the notices a session owed in (start, end], from the deadlines it really had.

    A phase begins when the time-up of the one before is handled, and runs its full length
    from then: a time-up handled late moves every later deadline of the session. Each notice is
    measured against the deadline the bot gave it, so that one late time-up counts once.
    """
    first = plan.phase_at(written)
    owed: list[Due] = []
    last = len(plan.ends) - 1
    for n in range(first, last + 1):
        deadline = plan.ends[n] if n == first else deadlines.get((plan.session_id, n))
        if deadline is None:
            break  # not begun: nothing of it was due
        if warned(n) and deadline - WARNING > written:
            owed.append(Due(plan.session_id, "warning", n, deadline - WARNING))
        owed.append(Due(plan.session_id, "time-up", n, deadline))
        owed.append(Due(plan.session_id, "closing", n, deadline) if n == last else
                    Due(plan.session_id, "phase", n + 1, deadline))
    return [due for due in owed if start < due.at <= end]


def score(plans: list[Planned], tally: Tally, written: datetime, start: datetime, end: datetime,
          scale: float) -> dict[str, Any]:
    """Compare what was owed in the window with what came."""
    owed = [d for p in plans for d in owed_in(p, written, start, end, tally.deadlines)]
    late: list[float] = []
    missed = 0
    for due in owed:
        times = tally.arrived.get((due.session_id, due.kind, due.phase))
        if not times:
            missed += 1
            continue
        late.append(max(0.0, (min(times) - due.at).total_seconds() / scale))
    doubled = sum(1 for times in tally.arrived.values() if len(times) > 1)
    spread = Spread.of(late)
    return {"owed": len(owed), "median": spread.median, "p99": spread.p99, "max": spread.max, "missed": missed,
            "doubled": doubled}


async def run_balint(count: int, scale: float, window: float, drain: float) -> dict[str, Any]:
    """Run balint-bot over `count` sessions for `window` real seconds; return its figures."""
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        now = datetime.now(UTC)
        plans = plan_sessions(count, now)
        database = Path(tmp) / "timers.db"
        await write(database, now, plans, groups=count)
        by_channel = {p.text_channel_id: p.session_id for p in plans}
        tally = Tally(defaultdict(list))
        clock = ScaledClock(scale, start=now)

        # The bench's own look at the database: a phase's deadline, as the bot stored it when the phase began.
        look = sqlite3.connect(database)

        def arrived(arrival: Arrival, message: dict[str, Any]) -> None:
            session = by_channel.get(int(message["channel_id"]))
            if session is None:
                return
            tally.messages += 1
            at = clock.now()
            for kind, phase in notices_in(str(message["content"])):
                tally.arrived[(session, kind, phase)].append(at)
                if kind == "phase":
                    # fetchall: a statement left half read would hold a snapshot, and the bot's checkpoints.
                    row = look.execute("SELECT deadline FROM sessions WHERE id = ? AND phase_index = ?",
                                       (session, phase)).fetchall()
                    if row and row[0][0] is not None:
                        tally.deadlines.setdefault((session, phase), from_text(row[0][0]))

        stand_in = StandIn(arrived)
        bot = BalintBot(Settings(database=database, time_scale=scale), clock=clock)
        await stand_in.login(bot)
        stand_in.feed(bot, servers(plans, count))
        started = time.perf_counter()
        await bot.on_ready()
        restored = time.perf_counter() - started
        ready = clock.now() + timedelta(seconds=scale)  # a real second after the restore
        cpu_before = cpu_seconds()
        await asyncio.sleep(window)
        end = clock.now()
        cpu = cpu_seconds() - cpu_before
        await asyncio.sleep(drain)
        await bot.close()
        look.close()
        figures = score(plans, tally, now, ready, end, scale)
        return {**figures, "cpu": cpu, "window": window, "rss": peak_rss_mib(), "restore": restored,
                "requests": len(stand_in.arrivals), "messages": tally.messages, "resends": stand_in.resends,
                "unknown": sorted(set(stand_in.unknown))}


class BareCountdown(discord.Client):
    """The bare bot: posts one message at each instant a session owes one, from asyncio's timers."""

    def __init__(self) -> None:
        super().__init__(intents=bench_intents(), allowed_mentions=discord.AllowedMentions.none())
        self.tasks: set[asyncio.Task[Any]] = set()

    def post(self, channel_id: int, content: str, nonce: str) -> None:
        """Send a message in the background."""
        channel = self.get_partial_messageable(channel_id)
        task = asyncio.get_running_loop().create_task(channel.send(content, nonce=nonce))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


async def run_bare(count: int, scale: float, window: float, drain: float) -> dict[str, Any]:
    """Run the bare bot over the same sessions and window; return its figures."""
    now = datetime.now(UTC)
    plans = plan_sessions(count, now)
    tally = Tally(defaultdict(list))
    clock = ScaledClock(scale, start=now)
    origin = time.monotonic()

    def arrived(arrival: Arrival, message: dict[str, Any]) -> None:
        tally.messages += 1
        at = clock.now()
        for token in str(message["content"]).split():
            session, kind, phase = token.split("/")
            tally.arrived[(int(session), kind, int(phase))].append(at)

    stand_in = StandIn(arrived)
    bot = BareCountdown()
    await stand_in.login(bot)
    stand_in.feed(bot, servers(plans, count))
    loop = asyncio.get_running_loop()
    for plan in plans:
        by_instant: defaultdict[datetime, list[Due]] = defaultdict(list)
        for due in plan.owed_after(now):
            by_instant[due.at].append(due)
        for at, dues in by_instant.items():
            content = " ".join(f"{d.session_id}/{d.kind}/{d.phase}" for d in dues)
            nonce = f"b{plan.session_id}.{int(at.timestamp())}"
            loop.call_at(origin + (at - now).total_seconds() / scale, bot.post, plan.text_channel_id, content, nonce)
    ready = clock.now() + timedelta(seconds=scale)
    cpu_before = cpu_seconds()
    await asyncio.sleep(window)
    end = clock.now()
    cpu = cpu_seconds() - cpu_before
    await asyncio.sleep(drain)
    await bot.close()
    # The bare bot keeps to the plan: its deadlines are the plan's.
    tally.deadlines.update({(p.session_id, n): end_at for p in plans for n, end_at in enumerate(p.ends)})
    figures = score(plans, tally, now, ready, end, scale)
    return {**figures, "cpu": cpu, "window": window, "rss": peak_rss_mib(), "restore": 0.0,
            "requests": len(stand_in.arrivals), "messages": tally.messages, "resends": stand_in.resends,
            "unknown": sorted(set(stand_in.unknown))}


HEADERS = ("bot", "sessions (speed)", "notices owed", "late median ms", "late p99 ms", "late max ms", "missed",
           "doubled", "CPU s", "CPU share", "CPU ms per session", "peak RSS MiB")


# The largest size again at a quarter of the speed: where the limit is the pace, not the count.
SLOWER = (5000, 3.0)


def report(sizes: tuple[int, ...] = SIZES, scale: float = SCALE, window: float = WINDOW_SECONDS) -> None:
    """Run every size for both bots, each in its own process, and print the table."""
    rows = []
    runs = [(count, scale) for count in sizes] + ([SLOWER] if SLOWER[0] in sizes else [])
    for count, speed in runs:
        for kind in ("bare", "balint"):
            got = in_subprocess("timers", "--sessions", str(count), "--bot", kind, "--scale", str(speed),
                                "--window", str(window))
            rows.append([kind if kind == "bare" else "balint-bot", f"{count} (x{speed:g})", got["owed"],
                         got["median"], got["p99"], got["max"], got["missed"], got["doubled"], got["cpu"],
                         f"{got['cpu'] / got['window']:.0%}", got["cpu"] / count * 1000, got["rss"]])
    print(f"\n## Timers at scale (time x{scale:g} unless said: {window:g} s real = {window * scale / 60:g} bot"
          " minutes; stand-in REST, APScheduler as in production)\n")
    print(table(HEADERS, rows))


def _option(name: str, default: str) -> str:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


if __name__ == "__main__":
    if "--bot" in sys.argv:
        count = int(_option("--sessions", "1000"))
        scale = float(_option("--scale", str(SCALE)))
        window = float(_option("--window", str(WINDOW_SECONDS)))
        runner = run_balint if _option("--bot", "balint") == "balint" else run_bare
        print(json.dumps(asyncio.run(runner(count, scale, window, DRAIN_SECONDS))))
    else:
        report(tuple(int(s) for s in _option("--sizes", ",".join(map(str, SIZES))).split(",")))
