"""Posting in a group's channel, and telling its leaders about a problem once (by DM if the channel fails).

The texts come written in the group's language (`translator(group.settings.language)`): the
leaders read them in its channel, and a DM has no language of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import discord

from bot.core.groups import Group
from bot.discord_io.replies import NO_MENTIONS

if TYPE_CHECKING:
    from bot.app import BalintBot

log = logging.getLogger(__name__)

# Records that a problem ("mute_members", "send_messages"...) was told, and says whether it
# is new: each session or meeting series tells its leaders once, not at every attempt.
Claim = Callable[[str], Awaitable[bool]]


async def tell_leaders(bot: BalintBot, group: Group, what: str, text: str, *, claim: Claim) -> None:
    """Tell the leaders about a problem once, in the group's channel, or by DM if that fails."""
    if not await claim(what):
        return
    leaders = " ".join(f"<@{uid}>" for uid in group.leader_ids)
    channel = bot.get_partial_messageable(group.text_channel_id, guild_id=group.guild_id)
    try:
        await channel.send(f"{leaders} {text}", allowed_mentions=discord.AllowedMentions(users=True))
    except discord.HTTPException:
        await dm_leaders(bot, group, text)


async def dm_leaders(bot: BalintBot, group: Group, text: str) -> None:
    """Write to each leader privately."""
    for leader_id in group.leader_ids:
        if not await dm_user(bot, leader_id, text):
            log.warning("group %d: could not tell a leader about a problem", group.id)


async def dm_user(bot: BalintBot, user_id: int, text: str) -> bool:
    """Write to someone privately (no mentions); False if Discord refused."""
    try:
        # They need not be in the member cache: `create_dm` takes the bare id, and reuses a
        # DM channel discord.py already knows.
        channel = await bot.create_dm(discord.Object(id=user_id))
        await channel.send(text, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:
        return False
    return True
