"""The session's roll: who is in the group's voice channel while a session runs, from Discord's voice states."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.core.groups import Group
from bot.core.session import Session

if TYPE_CHECKING:
    from bot.app import BalintBot

log = logging.getLogger(__name__)


def in_voice_channel(guild: discord.Guild | None, channel_id: int) -> list[int]:
    """Return the people (not bots) in a voice channel, from the voice states rather than the member cache."""
    if guild is None:
        return []
    channel = guild.get_channel(channel_id)
    if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
        return []
    people = []
    for user_id in channel.voice_states:
        member = guild.get_member(user_id)
        if member is None or not member.bot:
            people.append(user_id)
    return sorted(people)


class SessionRoll:
    """Keep each live session's stays in its voice channel in step with Discord (ids and instants only)."""

    def __init__(self, bot: BalintBot) -> None:
        self.bot = bot

    def present_now(self, group: Group) -> list[int]:
        """Return who is in the group's voice channel now."""
        return in_voice_channel(self.bot.get_guild(group.guild_id), group.voice_channel_id)

    async def on_voice(self, member: discord.Member, before: int | None, after: int | None) -> None:
        """Record a move into or out of a voice channel that has a live session."""
        if member.bot or before == after:
            return
        store = self.bot.sessions.store
        now = self.bot.clock.now()
        if before is not None and (session_id := await store.live_in_voice(member.guild.id, before)) is not None:
            await store.depart(session_id, member.id, now)
        if after is not None and (session_id := await store.live_in_voice(member.guild.id, after)) is not None:
            await store.arrive(session_id, member.id, now)

    async def reconcile(self, session: Session, group: Group, recorded: frozenset[int] | None = None) -> frozenset[int]:
        """After a start-up, bring the session's stays to who is in voice now; return who left while the bot was down.

        When they moved while it was down is unknown: the stays end and begin now. `recorded`: who
        the database has in voice, if the caller read it already (the restore reads all at once).
        """
        guild = self.bot.get_guild(group.guild_id)
        if guild is None:
            return frozenset()  # the server is not available yet: nothing known to correct
        store = self.bot.sessions.store
        now = self.bot.clock.now()
        actual = set(self.present_now(group))
        if recorded is None:
            recorded = await store.in_voice(session.id)
        for user_id in sorted(recorded - actual):
            await store.depart(session.id, user_id, now)
        for user_id in sorted(actual - recorded):
            await store.arrive(session.id, user_id, now)
        if recorded != actual:
            log.info("session %d: voice roll reconciled after start-up", session.id)
        return frozenset(recorded - actual)
