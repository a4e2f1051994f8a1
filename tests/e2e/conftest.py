"""The real bot inside SimCord: a server with an admin and members, and a check of every REST body."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord

from bot.app import BalintBot
from bot.config import Settings
from bot.core.clock import FunctionClock
from bot.discord_io import pacing
from bot.discord_io.replies import refusal_in
from bot.scheduling import SWEEP_SECONDS, LoopTimers
from tests.support.openapi import check_requests

MEMBER_NAMES = ("ada", "ben", "chloe", "dev", "eve")


@dataclass
class Harness:
    """One SimCord world, the bots that ran in it (one at a time), and their shared database."""

    tmp_path: Path
    # Settings every bot of the test shares, and the period of the bot's safety sweep (tests
    # where days pass sweep daily: the timers do the work to the second anyway).
    settings: dict[str, Any] = field(default_factory=dict)
    sweep_seconds: float = SWEEP_SECONDS
    env: simcord.Env = field(init=False)
    bots: list[BalintBot] = field(default_factory=list)
    # discord.py logs (and SimCord does not capture) an error raised in a persistent button's
    # callback: such errors are collected here and fail the test unless it expects them.
    logged_errors: list[logging.LogRecord] = field(default_factory=list)

    def expect_logged_error(self, text: str) -> None:
        """Acknowledge one error the test caused on purpose."""
        for record in self.logged_errors:
            if record.exc_info and text in repr(record.exc_info[1]):
                self.logged_errors.remove(record)
                return
        raise AssertionError(f"no logged error with {text!r}")

    @property
    def db_path(self) -> Path:
        return self.tmp_path / "balint.db"

    @property
    def bot(self) -> BalintBot:
        return self.bots[-1]

    def new_bot(self, **settings: Any) -> BalintBot:
        # The bot's clock follows SimCord's virtual clock, as in the sandbox.
        clock = FunctionClock(lambda: self.env.now())
        bot = BalintBot(Settings(database=self.db_path, **{**self.settings, **settings}), clock=clock,
                        timers=LoopTimers(clock, sweep_seconds=self.sweep_seconds))
        self.bots.append(bot)
        return bot

    async def restart(self) -> BalintBot:
        """Stop the bot and start a new one on the same database, as a redeploy would."""
        old = self.bot
        new = self.new_bot()
        await self.env.restart_bot(new)
        await old.db.close()
        return new

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the database file directly, as an outsider would."""
        with sqlite3.connect(self.db_path) as conn:
            return conn.execute(sql, params).fetchall()

    def server(self, name: str = "Clinic") -> Server:
        """Build a server with a text and a voice channel, an admin and five members."""
        guild = self.env.create_guild(name)
        text = guild.create_text_channel("balint")
        voice = guild.create_voice_channel("Balint Room")
        admins = guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
        admin = guild.add_member(self.env.create_user(f"admin-{name.lower()}"), roles=[admins])
        members = [guild.add_member(self.env.create_user(n, global_name=f"Dr {n.title()}"))
                   for n in MEMBER_NAMES]
        return Server(guild, text, voice, admin, members)


class _ErrorCollector(logging.Handler):
    def __init__(self, sink: list[logging.LogRecord]) -> None:
        super().__init__(level=logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record)


@dataclass
class Server:
    guild: simcord.GuildHandle
    text: simcord.ChannelHandle
    voice: simcord.ChannelHandle
    admin: simcord.MemberActor
    members: list[simcord.MemberActor]

    async def create_group(self, name: str = "Alpha", **options: Any) -> simcord.InteractionResult:
        result = await self.admin.slash(
            self.text, "group create", name=name, text_channel=self.text, voice_channel=self.voice, **options
        )
        assert result.response is not None and result.response.content.startswith("Created"), result
        return result

    async def join(self, member: simcord.MemberActor, group: str = "Alpha") -> None:
        shown = await member.slash(self.text, "group join", group=group)
        assert shown.response is not None
        agreed = await member.click(shown.response.message, label="I agree")
        assert agreed.response is not None and agreed.response.content.startswith("Welcome"), agreed


@pytest.fixture(autouse=True)
def quick_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Space a panel's paced edits by a fifth of a second, not 1.5 s: SimCord lets a bot's short
    sleeps pass in real time, and the pacing's rule is the same at any spacing (the tests read it)."""
    monkeypatch.setattr(pacing, "EDIT_SPACING", pacing.EDIT_SPACING / 7.5)


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    async for h in running(Harness(tmp_path)):
        yield h


async def running(h: Harness) -> AsyncIterator[Harness]:
    """Run a harness's world around a test; then check every REST body and every swallowed error."""
    collector = _ErrorCollector(h.logged_errors)
    logging.getLogger("discord").addHandler(collector)
    h.env = simcord.Env(h.new_bot())
    await h.env.start()
    try:
        yield h
    finally:
        await h.env.shutdown()
        await h.bot.close()
        for bot in h.bots[:-1]:
            await bot.db.close()
        logging.getLogger("discord").removeHandler(collector)
    unexpected = [f"{r.getMessage()}: {r.exc_info[1]!r}" for r in h.logged_errors if r.exc_info]
    assert not unexpected, "errors discord.py logged from the bot's callbacks:\n" + "\n".join(unexpected)
    problems = check_requests(h.env.http_requests)
    assert not problems, "REST bodies that break Discord's OpenAPI spec:\n" + "\n".join(problems)
    if h.env.check_errors:
        # SimCord records every error that reaches an error handler; a refusal is the bot's
        # expected answer (its handlers reply privately), not a failure.
        captured = [e for e in h.env.errors_since(h.env._errors_acknowledged) if refusal_in(e) is None]
        if captured:
            raise ExceptionGroup(f"bot raised {len(captured)} error(s) during the test", captured)



@pytest.fixture
async def server(harness: Harness) -> Server:
    # Builders emit gateway events, so they need the running loop of an async fixture.
    return harness.server()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Let the test body read SimCord's clock through discord.utils, as SimCord's own plugin does."""
    found = [v for v in getattr(item, "funcargs", {}).values() if isinstance(v, Harness)]
    if found and found[0].env._started:
        with found[0].env.time_context():
            return (yield)
    return (yield)
