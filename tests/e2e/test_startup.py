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


def _localised(node: dict[str, object], path: str, found: list[str]) -> None:
    """Collect what lacks a French description (commands, options) or label (choices) under one node."""
    french = (node.get("description_localizations") or {}).get("fr")  # type: ignore[attr-defined]
    if not french or len(french) > 100:
        found.append(f"{path}: description {french!r}")
    if (node.get("name_localizations") or {}).get("fr"):  # type: ignore[attr-defined]
        found.append(f"{path}: a name is translated, but names stay English")
    for choice in node.get("choices") or []:  # type: ignore[attr-defined]
        label = (choice.get("name_localizations") or {}).get("fr")
        if not label or len(label) > 100:
            found.append(f"{path} = {choice['value']}: choice label {label!r}")
    for option in node.get("options") or []:  # type: ignore[attr-defined]
        _localised(option, f"{path} {option['name']}", found)


async def test_every_command_option_and_choice_is_described_in_french(harness: Harness) -> None:
    """The synced payload has a French description for every command, subcommand and option, and French choices."""
    (sync,) = [r for r in harness.env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]
    commands = [c for c in sync.json if c.get("type", 1) == 1]
    assert {c["name"] for c in commands} >= {"group", "session", "case", "meeting", "attendance", "balint"}
    missing: list[str] = []
    for command in commands:
        _localised(command, f"/{command['name']}", missing)
    assert missing == []
    menus = [c for c in sync.json if c.get("type", 1) != 1]
    assert menus and not any((m.get("name_localizations") or {}).get("fr") for m in menus)
    choices = {
        option["name"]: {c["value"]: c["name_localizations"]["fr"] for c in option["choices"]}
        for command in commands for sub in command.get("options") or [] for option in sub.get("options") or []
        if option.get("choices")
    }
    assert choices["language"] == {"en": "anglais", "fr": "français"}
    assert choices["pushback"] == {"mute": "micro coupé", "off": "désactivée"}
    assert choices["scope"] == {"this": "cette réunion", "series": "toute la série"}
