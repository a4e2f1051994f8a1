"""Benchmarks (`make bench`): print every figure of issue #9, each beside a bare discord.py bot. Not a test.

In order: opening the database, commands through SimCord, the interaction overhead, timers at
scale, the start-up restore, the API economy, and the identifier check. Each section prints a
Markdown table, ready for bench/RESULTS.md.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import tracemalloc
from pathlib import Path

import discord
import economy
import identifiers  # bench/identifiers.py and the others, beside this file
import overhead
import restore
import simcord
import timers
from common import machine, table

from bot.app import BalintBot
from bot.config import Settings
from bot.core.clock import FunctionClock
from bot.scheduling import LoopTimers
from bot.storage import Database


async def bench_open(tmp: Path, rounds: int = 50) -> None:
    """Time opening (and migrating) a database."""
    started = time.perf_counter()
    for n in range(rounds):
        db = await Database.open(tmp / f"open-{n}.db")
        await db.close()
    per = (time.perf_counter() - started) / rounds
    print(table(("database", "ms"), [["open + migrate", per * 1000]]))


async def bench_commands(tmp: Path, groups: int = 100, calls: int = 300) -> None:
    """Time /group info round trips and a whole session through SimCord; measure memory."""
    holder: list[simcord.Env] = []
    clock = FunctionClock(lambda: holder[0].now())
    bot = BalintBot(Settings(database=tmp / "bench.db"), clock=clock, timers=LoopTimers(clock))
    # The bot reads its clock while it logs in: the env must exist before it starts.
    env = simcord.Env(bot)
    holder.append(env)
    tracemalloc.start()
    await env.start()
    try:
        guild = env.create_guild("Bench")
        admins = guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
        admin = guild.add_member(env.create_user("admin"), roles=[admins])
        channels = [(guild.create_text_channel(f"t{n}"), guild.create_voice_channel(f"v{n}")) for n in range(groups)]
        started = time.perf_counter()
        for n, (text, voice) in enumerate(channels):
            await admin.slash(text, "group create", name=f"Group {n}", text_channel=text, voice_channel=voice)
        created = time.perf_counter() - started
        started = time.perf_counter()
        for n in range(calls):
            await admin.slash(channels[0][0], "group info", group=f"Group {n % groups}")
        answered = time.perf_counter() - started
        started = time.perf_counter()
        await admin.slash(channels[0][0], "session start", group="Group 0")
        for _ in range(4):
            await env.advance_time(10 * 60)
            await admin.slash(channels[0][0], "session next")
        await admin.slash(channels[0][0], "session end")
        session = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        await env.shutdown()
        tracemalloc.stop()
        await bot.close()
    print("\n## Commands through SimCord (round trips, SimCord's settling included, polled every 2 ms)\n")
    print(table(("measure", "value"), [
        [f"/group create, ms each ({groups} groups)", created / groups * 1000],
        [f"/group info, ms each ({calls} calls)", answered / calls * 1000],
        ["a whole classic session in virtual time (40 simulated minutes), s", session],
        [f"peak traced memory (bot + simulation, {groups} groups), MiB", peak / 2**20],
    ]))


async def basics() -> None:
    """Open the database and run commands through SimCord, in a throwaway directory."""
    with tempfile.TemporaryDirectory() as tmp:
        print("\n## Basics\n")
        await bench_open(Path(tmp))
        await bench_commands(Path(tmp))


def main() -> None:
    """Run every benchmark; each starts and stops its own loops (and processes)."""
    started = time.perf_counter()
    print("# balint-bot benchmarks\n")
    print(table(("machine", ""), machine()))
    # SimCord polls for settled work every 50 ms, which a round trip with nothing to wait for
    # then waits out: every benchmark here polls every 2 ms (bench/overhead.py).
    overhead.quicker_settling()
    asyncio.run(basics())
    overhead.report()
    timers.report()
    restore.report()
    economy.report()
    print("\n## Identifier check\n")
    identifiers.main()
    print(f"\n(make bench took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
