"""What the benchmarks share: percentiles, tables, memory and CPU readings, the bare bots they are measured beside."""

from __future__ import annotations

import json
import math
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import simcord
from discord import app_commands

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The labelled tables and the test helpers live with the tests, which are not an installed package.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def percentile(values: Sequence[float], share: float) -> float:
    """Return the value below which `share` of the values lie (nearest rank; NaN if there are none)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Spread:
    """The median, p95, p99 and max of a set of durations, in milliseconds."""

    count: int
    median: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Spread:
        """Summarise durations given in seconds."""
        ms = [s * 1000 for s in seconds]
        return cls(len(ms), statistics.median(ms) if ms else math.nan, percentile(ms, 0.95), percentile(ms, 0.99),
                   max(ms) if ms else math.nan)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Lay rows out as a Markdown table, so that the figures can be pasted into RESULTS.md as they are."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def peak_rss_mib() -> float:
    """Return the process's peak resident memory so far (VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mib() -> float:
    """Return the process's resident memory now (VmRSS), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def cpu_seconds() -> float:
    """Return the CPU time the process used so far, every thread (aiosqlite's too), user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    """Time a block: the callable gives the seconds elapsed (so far, then at the end)."""
    started = time.perf_counter()
    ended: list[float] = []
    yield lambda: (ended[0] if ended else time.perf_counter()) - started
    ended.append(time.perf_counter())


def in_subprocess(module: str, *args: str, timeout: float = 600) -> dict[str, Any]:
    """Run `python bench/<module>.py args` in a fresh process and return the JSON it prints last.

    A fresh process per measurement: its peak memory and CPU time are its own, and one run's
    caches, threads and garbage do not weigh on the next.
    """
    done = subprocess.run(
        [sys.executable, str(HERE / f"{module}.py"), *args], capture_output=True, text=True, timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench/{module}.py {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def machine() -> list[list[object]]:
    """Describe where the figures were measured: cores, CPU, memory, load, Python and the libraries."""
    import os
    import platform
    import sqlite3

    import aiosqlite
    import apscheduler
    import simcord

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    memory = next((int(line.split()[1]) / 2**20 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:")), math.nan)
    return [
        ["date", time.strftime("%Y-%m-%d %H:%M %Z")],
        ["cores (nproc)", os.cpu_count() or "?"],
        ["CPU", cpu],
        ["RAM", f"{memory:.1f} GiB"],
        ["load average at start (1, 5, 15 min)", ", ".join(f"{x:.2f}" for x in os.getloadavg())],
        ["Python", platform.python_version()],
        ["discord.py", discord.__version__],
        ["SimCord", getattr(simcord, "__version__", "?")],
        ["aiosqlite / SQLite", f"{aiosqlite.__version__} / {sqlite3.sqlite_version}"],
        ["APScheduler", apscheduler.__version__],
    ]


def bench_intents() -> discord.Intents:
    """Return the intents of balint-bot (bot/app.py), so that the bare bots see what it sees."""
    # Written out rather than imported: importing bot.app would load the whole bot into the bare
    # bot's process and into its memory figures. tests/unit/test_bench_intents.py keeps them equal.
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.members = True
    wanted.voice_states = True
    wanted.dm_messages = True
    wanted.guild_scheduled_events = True
    return wanted


# An answer as big as balint-bot's /balint help (three fields of prose, about 2,500 characters):
# what discord.py and the transport spend on the size of an answer alone, for reference.
HELP_SIZED = discord.Embed(title="A bare embed", colour=discord.Colour.blurple())
for _name in ("The method", "The phases", "Commands"):
    HELP_SIZED.add_field(name=_name, value="word " * 160, inline=False)


class NoopButton(discord.ui.View):
    """A bare persistent button that answers a click by editing its message, as a panel does."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Press", custom_id="bare:press")
    async def press(self, interaction: discord.Interaction, button: discord.ui.Button[NoopButton]) -> None:
        """Edit the message the button is on."""
        await interaction.response.edit_message(content=f"pressed by {interaction.user.id}")


class BareBot(discord.Client):
    """The bare discord.py bot: a `Client` and a `CommandTree` with one no-op command and one button."""

    def __init__(self) -> None:
        super().__init__(intents=bench_intents(), allowed_mentions=discord.AllowedMentions.none())
        self.tree = app_commands.CommandTree(self)

        @self.tree.command(name="noop", description="Answer and do nothing else")
        async def noop(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("ok", ephemeral=True)

        @self.tree.command(name="embed", description="Answer with an embed the size of balint-bot's help")
        async def embed(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(embed=HELP_SIZED, ephemeral=True)

        @self.tree.command(name="button", description="Post a button")
        async def button(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("a button", view=NoopButton())

    async def setup_hook(self) -> None:
        """Register the persistent button and sync the commands, as balint-bot does."""
        self.add_view(NoopButton())
        await self.tree.sync()


@dataclass
class Clinic:
    """The benchmarks' server in SimCord: its channels, a leader with Manage Server, and five members."""

    text: simcord.ChannelHandle
    voice: simcord.ChannelHandle
    leader: simcord.MemberActor
    members: list[simcord.MemberActor]


async def clinic(env: simcord.Env) -> Clinic:
    """Build the server and the group Alpha, led by the leader, which the five members joined (agreement and all)."""
    guild = env.create_guild("Clinic")
    text = guild.create_text_channel("balint")
    voice = guild.create_voice_channel("Balint Room")
    admins = guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
    leader = guild.add_member(env.create_user("leader"), roles=[admins])
    members = [guild.add_member(env.create_user(name)) for name in ("ada", "ben", "chloe", "dev", "eve")]
    await leader.slash(text, "group create", name="Alpha", text_channel=text, voice_channel=voice)
    for member in members:
        shown = await member.slash(text, "group join", group="Alpha")
        assert shown.response is not None
        await member.click(shown.response.message, label="I agree")
    return Clinic(text, voice, leader, members)
