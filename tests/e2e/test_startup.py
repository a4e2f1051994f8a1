"""Start-up: storage opened, cogs loaded, commands synced once to the configured place."""

from __future__ import annotations

from pathlib import Path

import discord
import simcord

from bot.app import EXTENSIONS, BalintBot
from bot.config import Settings
from bot.core.clock import FunctionClock
from bot.storage.migrations import MIGRATIONS
from tests.e2e.conftest import Harness
from tests.support.openapi import check_requests

DEV_GUILD = 1456074443980811111


async def test_setup_hook_opens_storage_loads_cogs_and_syncs_globally(harness: Harness) -> None:
    """One global sync per start, with the group and help commands; the schema is current."""
    bot = harness.bot
    assert set(bot.extensions) == set(EXTENSIONS)
    assert await bot.db.pragma("user_version") == len(MIGRATIONS)
    syncs = [r for r in harness.env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]
    assert len(syncs) == 1 and "/guilds/" not in syncs[0].path
    assert {c["name"] for c in syncs[0].json} >= {"group", "session", "case", "balint", "Remove relayed message"}

    await harness.restart()
    syncs = [r for r in harness.env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]
    assert len(syncs) == 2, "a new start syncs once more, not on every READY"


async def test_sync_to_one_development_server(tmp_path: Path) -> None:
    """sync = "guild:<id>" registers the commands in that server only, where they work."""
    holder: list[simcord.Env] = []
    bot = BalintBot(Settings(database=tmp_path / "b.db", sync_guild_id=DEV_GUILD),
                    clock=FunctionClock(lambda: holder[0].now()))
    env = simcord.Env(bot)
    guild = env.create_guild("Dev", id=DEV_GUILD)
    await env.start()
    holder.append(env)
    try:
        text = guild.create_text_channel("balint")
        admins = guild.create_role("Admins", permissions=discord.Permissions(manage_guild=True))
        admin = guild.add_member(env.create_user("admin"), roles=[admins])
        syncs = [r for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]
        assert [s.path.split("/")[-2] for s in syncs] == [str(DEV_GUILD)]
        assert "group create" in admin.available_commands(text)
        result = await admin.slash(text, "balint help")
        assert result.ephemeral
        assert check_requests(env.http_requests) == []
    finally:
        await env.shutdown()
        await bot.close()
