"""What the session tests share: a group ready for a session, and readers of the panel and the channel."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from tests.e2e.conftest import Server

MIN = 60


def is_muted(server: Server, member: object) -> bool:
    """Whether the member is server-muted in voice now."""
    states = server.guild.voice_states()
    state = states.get(member.id)  # type: ignore[attr-defined]
    return bool(state and state.mute)


def session_panel(server: Server) -> discord.Message:
    """The session's panel message in the group's channel (there must be exactly one)."""
    found = [m for m in server.text.history()
             if m.embeds and m.embeds[0].title.startswith(("Balint session", "Séance Balint"))]
    assert len(found) == 1, "one panel message per session"
    return found[0]


def now_field(panel: discord.Message) -> str:
    """The panel's "Now" field: the phase and when it ends, or the pause."""
    return next(str(f.value) for f in panel.embeds[0].fields if f.name == "Now")


def panel_deadline(panel: discord.Message) -> str:
    """The Unix time in the "Now" field's `<t:…>` tag: when the phase ends."""
    return now_field(panel).split("<t:", 1)[1].split(":", 1)[0]


def count_messages(server: Server, prefix: str) -> int:
    """How many messages of the group's channel begin with `prefix`."""
    return sum(1 for m in server.text.history() if m.content.startswith(prefix))


async def ready_group(server: Server, **group_options: object) -> tuple[object, object]:
    """Create the group led by the admin; Ada joins and sits in voice; return (leader, presenter)."""
    await server.create_group(**group_options)
    for member in server.members:
        await server.join(member)
    ada = server.members[0]
    await ada.join_voice(server.voice)
    return server.admin, ada


async def skip_opening(server: Server, leader: object, text: object = None) -> None:
    """Skip the opening with /session next, as a leader does once the case is chosen: the presentation begins."""
    channel = text if text is not None else server.text
    moved = await leader.slash(channel, "session next")  # type: ignore[attr-defined]
    assert moved.response.content == "Moved on to Presentation.", moved.response.content


def direct_messages(member: object) -> list[str]:
    """The texts the bot wrote to a member privately (their DM channel), oldest first."""
    channel = member.user.dm_channel  # type: ignore[attr-defined]
    return [m.content for m in channel.history() if m.author.bot]
