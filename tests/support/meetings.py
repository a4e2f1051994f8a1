"""What the meeting tests share: the `meet` harness, moving its clock, and readers of what the bot posted.

Days pass in the meeting tests, so they run on `meet`: the standard harness with the bot's safety
sweep daily instead of every minute (the meeting timers do the work to the second; the sweep only
catches what a timer missed). A test module uses the fixtures by importing `meet` and `place`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord

from tests.e2e.conftest import Harness, Server, running

MIN = 60
DAY = 86400


@pytest.fixture
async def meet(tmp_path: Path) -> AsyncIterator[Harness]:
    async for h in running(Harness(tmp_path, sweep_seconds=DAY)):
        yield h


@pytest.fixture
async def place(meet: Harness) -> Server:
    return meet.server()


async def until(h: Harness, instant: datetime) -> None:
    """Move the virtual clock to an instant."""
    await h.env.advance_time(max(0.0, (instant - h.env.now()).total_seconds()))


async def paris_group(server: Server, members: int = 4) -> tuple[simcord.MemberActor, list[simcord.MemberActor]]:
    """Create Alpha in Europe/Paris led by the admin, with the first `members` members joined."""
    await server.create_group(timezone="Europe/Paris")
    for member in server.members[:members]:
        await server.join(member)
    return server.admin, server.members


def events(h: Harness, server: Server) -> list[Any]:
    """Return the server's scheduled events in SimCord, by start time."""
    found = h.env.backend.get_guild(server.guild.id).scheduled_events.values()
    return sorted(found, key=lambda e: e.scheduled_start_time)


def instant(text: str) -> datetime:
    """Read an ISO time as an aware instant (UTC when it has no offset)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def reminders(server: Server) -> list[discord.Message]:
    """The reminders the bot posted in the group's channel."""
    return [m for m in server.text.history() if m.content.startswith("📅")]


def starts(server: Server) -> list[discord.Message]:
    """The start notices the bot posted in the group's channel."""
    return [m for m in server.text.history() if m.content.startswith("🟢")]


def counts(message: discord.Message) -> str:
    """The RSVP counts line of a reminder."""
    return message.content.splitlines()[-1]


async def schedule(leader: simcord.MemberActor, server: Server, **options: Any) -> simcord.InteractionResult:
    """Run /meeting schedule for Alpha; the answer is private."""
    result = await leader.slash(server.text, "meeting schedule", group="Alpha", **options)
    assert result.ephemeral, result
    return result


async def meeting_value(leader: simcord.MemberActor, server: Server, typed: str = "") -> list[dict[str, Any]]:
    """The choices /meeting cancel offers the leader as they type."""
    return await leader.autocomplete(server.text, "meeting cancel", "meeting", typed)


def answer(result: simcord.InteractionResult) -> str:
    """The private text a command answered with, whether it responded at once or after deferring."""
    assert result.ephemeral, result
    if result.followups:
        return result.followups[-1].content
    assert result.response is not None
    return result.response.content
