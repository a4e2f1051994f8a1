"""What the privacy tests share: a harness where days pass, the raw database files, exports, locales,
forget-me, and the bot's removal from a server.

A test module uses the `daily` and `clinic` fixtures by importing them.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import simcord
from simcord import interactions as simcord_interactions
from simcord.backend import serializers

from tests.e2e.conftest import Harness, Server, running

DAY = 86400
HOUR = 3600


@pytest.fixture
async def daily(tmp_path: Path) -> AsyncIterator[Harness]:
    """The standard harness with the safety sweep once a day: days pass in these tests."""
    async for h in running(Harness(tmp_path, sweep_seconds=DAY)):
        yield h


@pytest.fixture
async def clinic(daily: Harness) -> Server:
    return daily.server()


def database_files(h: Harness) -> dict[str, bytes]:
    """The raw bytes of the database's files as they lie on disk now: the main file, its WAL and its index."""
    found = {}
    for suffix in ("", "-wal", "-shm"):
        path = h.db_path.with_name(h.db_path.name + suffix)
        if path.exists():
            found[path.name] = path.read_bytes()
    return found


def where_found(h: Harness, *texts: str) -> dict[str, list[str]]:
    """For each text, the database files whose bytes hold it (UTF-8, as SQLite stores text)."""
    files = database_files(h)
    return {text: [name for name, raw in files.items() if text.encode() in raw] for text in texts}


async def export_of(actor: simcord.MemberActor | simcord.UserHandle,
                    channel: simcord.ChannelHandle | None = None) -> dict[str, Any]:
    """Run /privacy export (a member in a channel, a user in the bot's DMs) and read the private JSON file."""
    if isinstance(actor, simcord.UserHandle):
        result = await actor.slash("privacy export")
    else:
        result = await actor.slash(channel, "privacy export")
    assert result.ephemeral, result
    answer = result.followups[-1] if result.followups else result.response
    (attachment,) = answer.attachments
    assert attachment.filename == "balint-bot-export.json"
    data: dict[str, Any] = json.loads(await attachment.read())
    return data


STORED = ("memberships", "leaderships", "cases", "sessions_presented", "sessions_presented_anonymously",
          "session_stays", "session_roles", "records", "feedback_answered", "rsvps", "cases_announced", "attendance",
          "mutes", "meeting_series_scheduled", "raised_hands", "dropout_waits", "debriefs")


def stored(export: dict[str, Any]) -> dict[str, Any]:
    """The parts of an export that hold data (not its notes), without the empty ones."""
    return {key: export[key] for key in STORED if export[key]}


async def forget(actor: simcord.MemberActor, channel: simcord.ChannelHandle) -> simcord.InteractionResult:
    """Run /privacy forget-me and press "Forget me"; return the click's result."""
    asked = await actor.slash(channel, "privacy forget-me")
    assert asked.ephemeral and asked.response is not None, asked
    return await actor.click(asked.response.message, label="Forget me")


@contextmanager
def speaking(locale: str) -> Iterator[None]:
    """Make every interaction come from a Discord client set to `locale` (SimCord sends en-US)."""
    original = simcord_interactions.base_payload

    def localised(*args: Any, **kwargs: Any) -> Any:
        record, payload = original(*args, **kwargs)
        payload["locale"] = locale
        return record, payload

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(simcord_interactions, "base_payload", localised)
        yield


async def remove_bot(h: Harness, server: Server) -> Callable[[], Any]:
    """Remove the bot from a server, as an admin kicking it does (GUILD_DELETE); return how to invite it back.

    SimCord forgets a guild the bot leaves; inviting it back puts the same guild, channels and
    messages back and announces them with GUILD_CREATE, as Discord does when the bot is re-added.
    """
    backend = h.env.backend
    guild = backend.get_guild(server.guild.id)
    channels = {cid: backend.channels[cid] for cid in guild.channel_ids}
    messages = {cid: backend.messages[cid] for cid in guild.channel_ids if cid in backend.messages}
    backend.remove_guild(guild.id)
    await h.env.settle()

    async def invite_back() -> None:
        backend.guilds[guild.id] = guild
        backend.channels.update(channels)
        backend.messages.update(messages)
        payload = dict(serializers.guild_create_payload(backend, guild))
        # A guild the bot joins comes without "unavailable" (discord.py then says guild_join).
        payload.pop("unavailable", None)
        backend.emit("GUILD_CREATE", payload)
        await h.env.settle()

    return invite_back
