"""Start-up restore: 1,000 groups, 10,000 scheduled meetings and 1,000 running sessions, beside a bare bot's start.

balint-bot starts on a database written by bench/population.py (one server per group, the
presenter of each running session in voice, every meeting's event already made and its
reminders still to come, five past sessions per group), with APScheduler as in production and
REST calls going to the in-process stand-in. Timed from `login` (which opens and migrates the
database, loads the cogs and syncs the commands) through the servers reaching the cache (as
the gateway's GUILD_CREATEs would) to the end of `on_ready`'s restore: every session's timer,
mute and notice, the meetings' timer, retention, reconciled. The bare bot is a
`discord.Client` logging in and caching the same servers. Each run is a fresh process; the
memory run is a separate one, since tracemalloc slows everything it watches.

Run alone: `python bench/restore.py [--bot balint|bare] [--tracemalloc]`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
from common import bench_intents, in_subprocess, peak_rss_mib, rss_mib, table
from population import plan_sessions, servers, write
from stand_in import StandIn

from bot.app import BalintBot
from bot.config import Settings
from bot.scheduling import SchedulerTimers

GROUPS = 1000
SESSIONS = 1000
MEETINGS_PER_GROUP = 10
ENDED_PER_GROUP = 5
TIME_TARGET_S = 2.0
MEMORY_TARGET_MIB = 150.0


async def run_balint(watch_memory: bool) -> dict[str, Any]:
    """Start balint-bot on the big database; return how long each part took and the memory it held."""
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        now = datetime.now(UTC)
        plans = plan_sessions(SESSIONS, now)
        database = Path(tmp) / "restore.db"
        await write(database, now, plans, groups=GROUPS, meetings_per_group=MEETINGS_PER_GROUP,
                    ended_per_group=ENDED_PER_GROUP)
        cached = servers(plans, GROUPS)
        size = database.stat().st_size / 2**20
        before = rss_mib()
        if watch_memory:
            tracemalloc.start()
        stand_in = StandIn()
        bot = BalintBot(Settings(database=database))
        started = time.perf_counter()
        await stand_in.login(bot)
        logged_in = time.perf_counter()
        stand_in.feed(bot, cached)
        fed = time.perf_counter()
        await bot.on_ready()
        ready = time.perf_counter()
        traced = tracemalloc.get_traced_memory()[1] / 2**20 if watch_memory else 0.0
        assert isinstance(bot.timers, SchedulerTimers)
        scheduler = bot.timers.scheduler
        jobs = len(scheduler.get_jobs())
        # Every session still running must have its wake-up; those that ended meanwhile need none.
        live = [s.id for s in await bot.sessions.store.live()]
        timed = sum(1 for session_id in live if scheduler.get_job(f"session:{session_id}") is not None)
        reconciled = bot.sessions.reconciled.is_set()
        await bot.close()
        return {"login": logged_in - started, "cache": fed - logged_in, "restore": ready - fed,
                "total": ready - started, "rss": peak_rss_mib(), "rss_before": before, "traced": traced,
                "jobs": jobs, "timed": timed, "live": len(live), "reconciled": reconciled, "database_mib": size,
                "requests": len(stand_in.arrivals), "unknown": sorted(set(stand_in.unknown))}


async def run_bare(watch_memory: bool) -> dict[str, Any]:
    """Log a bare discord.py bot in and cache the same servers; return the same figures."""
    now = datetime.now(UTC)
    cached = servers(plan_sessions(SESSIONS, now), GROUPS)
    before = rss_mib()
    if watch_memory:
        tracemalloc.start()
    stand_in = StandIn()
    bot = discord.Client(intents=bench_intents())
    started = time.perf_counter()
    await stand_in.login(bot)
    logged_in = time.perf_counter()
    stand_in.feed(bot, cached)
    ready = time.perf_counter()
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if watch_memory else 0.0
    await bot.close()
    return {"login": logged_in - started, "cache": ready - logged_in, "restore": 0.0, "total": ready - started,
            "rss": peak_rss_mib(), "rss_before": before, "traced": traced, "jobs": 0, "timed": 0, "live": 0,
            "reconciled": True, "database_mib": 0.0, "requests": len(stand_in.arrivals), "unknown": []}


HEADERS = ("bot", "login + setup s", "servers cached s", "restore s", "start to ready s", "peak RSS MiB",
           "traced peak MiB", "live sessions timed", f"< {TIME_TARGET_S:g} s, < {MEMORY_TARGET_MIB:g} MiB")


def report() -> None:
    """Run both bots (timed, then traced) in their own processes and print the table."""
    rows = []
    for kind in ("bare", "balint"):
        got = in_subprocess("restore", "--bot", kind)
        traced = in_subprocess("restore", "--bot", kind, "--tracemalloc")["traced"]
        met = got["total"] < TIME_TARGET_S and got["rss"] < MEMORY_TARGET_MIB
        rows.append(["bare" if kind == "bare" else "balint-bot", got["login"], got["cache"], got["restore"],
                     got["total"], got["rss"], traced,
                     f"{got['timed']}/{got['live']}" if kind == "balint" else "-",
                     ("yes" if met else "no") if kind == "balint" else ""])
        if kind == "balint":
            database = got["database_mib"]
    print(f"\n## Start-up restore ({GROUPS:,} groups in {GROUPS:,} servers, {GROUPS * MEETINGS_PER_GROUP:,}"
          f" scheduled meetings, {SESSIONS:,} running sessions; database {database:.0f} MiB)\n")
    print(table(HEADERS, rows))


if __name__ == "__main__":
    if "--bot" in sys.argv:
        memory = "--tracemalloc" in sys.argv
        runner = run_balint if sys.argv[sys.argv.index("--bot") + 1] == "balint" else run_bare
        print(json.dumps(asyncio.run(runner(memory))))
    else:
        report()
