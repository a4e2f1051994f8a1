"""Direct messages the bot sends on its own: the channel to one person, opened through Discord's passing faults."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import discord

from bot.discord_io.transient import StillFailing, persist

if TYPE_CHECKING:
    from bot.app import BalintBot

log = logging.getLogger(__name__)

# How long opening a direct message is retried, in real time.
OPEN_PATIENCE = timedelta(seconds=30)


class NoDirectMessages(Exception):
    """Discord refused to open a direct message with this person (not a passing fault)."""


async def direct_channel(bot: BalintBot, user_id: int) -> discord.DMChannel | None:
    """Return the direct-message channel to someone, or None if Discord kept failing (try again later).

    Raises `NoDirectMessages` when Discord refuses outright. The person need not be in the member
    cache: `create_dm` takes the bare id, and reuses a channel discord.py already knows.
    """
    async def open_channel() -> discord.DMChannel:
        return await bot.create_dm(discord.Object(id=user_id))

    try:
        return await persist(open_channel, clock=bot.clock, until=bot.after_real(OPEN_PATIENCE),
                             what="a direct message channel")
    except StillFailing as failure:
        log.warning("%s; tried again later", failure)
        return None
    except discord.HTTPException as error:
        log.warning("a direct message channel was refused (HTTP %d)", error.status)
        raise NoDirectMessages from error
