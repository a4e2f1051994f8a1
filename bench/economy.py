"""API economy: the REST calls of one whole classic session run by balint-bot on its own, against a countdown bot.

In SimCord's virtual time: a group of five members with auto-advance on, the presenter in
voice; the leader runs `/session start` and nothing else, and the session runs through its five
phases to the closing. Every REST call the bot makes from the command to the closing is
counted (the interaction's answers included, the start-up's command sync not). The countdown
bot is the usual alternative: a bare discord.py bot whose `/countdown` posts a timer message and
edits it every 10 seconds for the same 45 minutes.

Run alone: `python bench/economy.py`.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import discord
import simcord
from common import bench_intents, clinic, table
from discord import app_commands

from bot.app import BalintBot
from bot.config import Settings
from bot.core.clock import FunctionClock
from bot.core.phases import BUILTIN_TEMPLATES
from bot.scheduling import LoopTimers

TARGET = 25
MINUTES = BUILTIN_TEMPLATES["classic"].total_minutes
EDIT_EVERY = 10


def _kind(entry: Any) -> str:
    """Name a REST call by what it does."""
    method, path = entry.method, entry.path
    if path.endswith("/callback"):
        return "interaction answer"
    if "/webhooks/" in path:
        return "interaction follow-up"
    if "/members/" in path:
        return "mute / unmute"
    if path.endswith("/messages") and method == "POST":
        return "message posted"
    if "/messages/" in path and method == "PATCH":
        return "message edited"
    return f"{method} {path}"


async def balint_session() -> Counter[str]:
    """Run one classic session on auto-advance; count its REST calls by kind."""
    with tempfile.TemporaryDirectory() as tmp:
        holder: list[simcord.Env] = []
        clock = FunctionClock(lambda: holder[0].now())
        bot = BalintBot(Settings(database=Path(tmp) / "economy.db"), clock=clock, timers=LoopTimers(clock))
        env = simcord.Env(bot)
        holder.append(env)
        await env.start()
        try:
            place = await clinic(env)
            text, voice, leader, members = place.text, place.voice, place.leader, place.members
            await leader.slash(text, "group config", group="Alpha", auto_advance=True)
            for member in members:
                await member.join_voice(voice)
            before = len(env.http_requests)
            await leader.slash(text, "session start", group="Alpha", presenter=members[0])
            await env.advance_time(MINUTES * 60 + 5)
            status = bot.sessions.store
            session = await status.get(1)
            assert session is not None and session.state.status.value == "ended", "the session ran to its end"
            return Counter(_kind(entry) for entry in env.http_requests[before:])
        finally:
            await env.shutdown()
            await bot.close()


class Countdown(discord.Client):
    """A countdown bot: a message with the time left, edited every ten seconds."""

    def __init__(self) -> None:
        super().__init__(intents=bench_intents())
        self.tree = app_commands.CommandTree(self)
        self.done = asyncio.Event()

        @self.tree.command(name="countdown", description="Count the session down")
        async def countdown(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("Counting down.", ephemeral=True)
            channel = interaction.channel
            assert isinstance(channel, discord.TextChannel)
            asyncio.get_running_loop().create_task(self.count(channel))

    async def count(self, channel: discord.TextChannel) -> None:
        """Post the timer, then edit it until the time is up."""
        left = MINUTES * 60
        message = await channel.send(f"{left // 60}:{left % 60:02d} left")
        while left > 0:
            await asyncio.sleep(EDIT_EVERY)
            left -= EDIT_EVERY
            await message.edit(content=f"{left // 60}:{left % 60:02d} left" if left else "Time is up.")
        self.done.set()

    async def setup_hook(self) -> None:
        """Sync the command."""
        await self.tree.sync()


async def countdown_session() -> Counter[str]:
    """Run the countdown for the same 45 minutes; count its REST calls by kind."""
    bot = Countdown()
    env = simcord.Env(bot)
    await env.start()
    try:
        guild = env.create_guild("Clinic")
        text = guild.create_text_channel("balint")
        leader = guild.add_member(env.create_user("leader"))
        before = len(env.http_requests)
        await leader.slash(text, "countdown")
        await env.advance_time(MINUTES * 60 + 5)
        assert bot.done.is_set(), "the countdown ran to its end"
        return Counter(_kind(entry) for entry in env.http_requests[before:])
    finally:
        await env.shutdown()
        await bot.close()


def report() -> int:
    """Print the REST calls of both, by kind; return balint-bot's total."""
    ours = asyncio.run(balint_session())
    theirs = asyncio.run(countdown_session())
    kinds = sorted(set(ours) | set(theirs))
    rows: list[list[object]] = [[kind, ours.get(kind, 0), theirs.get(kind, 0)] for kind in kinds]
    total = sum(ours.values())
    rows.append(["**total**", total, sum(theirs.values())])
    print(f"\n## API economy (one classic session, {MINUTES} min, 5 members, auto-advance on, presenter in voice;"
          f" target <= {TARGET})\n")
    print(table(("REST calls", "balint-bot", f"countdown bot (edit every {EDIT_EVERY} s)"), rows))
    print(f"\nbalint-bot: {total} calls ({'meets' if total <= TARGET else 'misses'} the target of {TARGET})")
    return total


if __name__ == "__main__":
    report()
