"""Private answers, and the one place where a core `Refusal` becomes a message."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import discord

from bot.core.errors import Refusal

NO_MENTIONS = discord.AllowedMentions.none()


async def answer_privately(
    interaction: discord.Interaction, content: str | None = None, *,
    embed: discord.Embed | None = None, view: discord.ui.View | None = None,
) -> None:
    """Answer only the person who acted, whether or not the interaction was answered already."""
    missing = discord.utils.MISSING
    if interaction.response.is_done():
        await interaction.followup.send(
            content or missing, embed=embed or missing, view=view or missing,
            ephemeral=True, allowed_mentions=NO_MENTIONS,
        )
    else:
        await interaction.response.send_message(
            content, embed=embed or missing, view=view or missing,
            ephemeral=True, allowed_mentions=NO_MENTIONS,
        )


UNEXPECTED = (
    "Something went wrong on the bot's side and nothing was changed; try again, "
    "and tell a leader if it happens again."
)


@asynccontextmanager
async def refusals(interaction: discord.Interaction) -> AsyncIterator[None]:
    """Turn a `Refusal` raised inside the block into a private one-sentence answer.

    Refusals are expected outcomes, not errors: they never reach the error handlers
    or the logs, where they could carry user text. Any other error gets a private
    apology (buttons and forms have no error handler that would answer) and goes on
    to be logged.
    """
    try:
        yield
    except Refusal as refusal:
        await answer_privately(interaction, str(refusal))
    except Exception:
        await apologise(interaction)
        raise


async def apologise(interaction: discord.Interaction) -> None:
    """Tell the user privately that the bot failed, once per interaction, without details."""
    if interaction.extras.get("apologised"):
        return
    interaction.extras["apologised"] = True
    with contextlib.suppress(discord.HTTPException):
        await answer_privately(interaction, UNEXPECTED)


class SpecFile(discord.File):
    """A file to upload whose placeholder id is written as a string, as Discord's API spec types it.

    discord.py writes it as a number; the API takes both, but the spec (which the tests hold
    every request to) says string.
    """

    def to_dict(self, index: int) -> dict[str, Any]:
        """Describe the upload for the request's `attachments`."""
        payload = super().to_dict(index)
        payload["id"] = str(index)
        return payload
