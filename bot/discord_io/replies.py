"""Private answers, and the one place where a core `Refusal` (or a failure) becomes a message."""

from __future__ import annotations

import contextlib

import discord
from discord import app_commands

from bot.core.errors import Refusal
from bot.core.text import N_
from bot.i18n import translator_for

NO_MENTIONS = discord.AllowedMentions.none()


async def answer_privately(
    interaction: discord.Interaction, content: str | None = None, *,
    embed: discord.Embed | None = None, view: discord.ui.View | None = None,
) -> None:
    """Answer only the person who acted, whether or not the interaction was answered already."""
    missing = discord.utils.MISSING
    # `is None`, not truth: an Embed's truth builds a proxy of each of its parts, on every answer.
    shown = missing if embed is None else embed
    if interaction.response.is_done():
        await interaction.followup.send(
            content or missing, embed=shown, view=view or missing,
            ephemeral=True, allowed_mentions=NO_MENTIONS,
        )
    else:
        await interaction.response.send_message(
            content, embed=shown, view=view or missing,
            ephemeral=True, allowed_mentions=NO_MENTIONS,
        )


UNEXPECTED = N_(
    "Something went wrong on the bot's side and nothing was changed; try again, "
    "and tell a leader if it happens again."
)


def refusal_in(error: BaseException) -> Refusal | None:
    """Return the refusal an error handler was given (a command wraps it), or None for a real failure."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    return error if isinstance(error, Refusal) else None


async def answer_failure(interaction: discord.Interaction, error: BaseException) -> bool:
    """Answer a refusal with its sentence (True), or apologise for anything else (False: log it).

    Refusals are expected outcomes, not errors: they never reach the logs, where they could
    carry user text. Every command, button and form ends here, once per interaction, and this
    is where a refusal's msgid becomes a sentence in the language of the person who acted.
    """
    t = translator_for(interaction.locale)
    refusal = refusal_in(error)
    if refusal is not None:
        await answer_privately(interaction, t.render(refusal.text))
        return True
    with contextlib.suppress(discord.HTTPException):
        await answer_privately(interaction, t.gettext(UNEXPECTED))
    return False

