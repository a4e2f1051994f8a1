"""Finding members and who is in voice without trusting the member cache, which may be partial."""

from __future__ import annotations

import discord


def voice_channel_of(guild: discord.Guild, user_id: int) -> int | None:
    """Return the voice channel someone is in, from the voice states."""
    for channel in (*guild.voice_channels, *guild.stage_channels):
        if user_id in channel.voice_states:
            return channel.id
    return None


async def find_member(guild: discord.Guild, user_id: int) -> discord.Member | None:
    """Return a member from the cache, or from Discord when the cache does not have them."""
    member = guild.get_member(user_id)
    if member is not None:
        return member
    try:
        return await guild.fetch_member(user_id)
    except discord.NotFound:
        return None
