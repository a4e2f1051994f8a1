"""Anonymous feedback after a session: a 1-5 rating and an optional comment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import discord

from bot.core.errors import Refusal
from bot.core.groups import Group, require_leader, require_member
from bot.core.session import Session
from bot.discord_io.components import CustomId, PersistentButton, PrivateModal
from bot.discord_io.groups import BRAND
from bot.discord_io.replies import answer_privately

if TYPE_CHECKING:
    from bot.app import BalintBot

# Leaders see results only from this many answers on: fewer would let them guess who said what.
RESULTS_FROM = 3
COMMENT_MAX = 500


async def _session_and_group(interaction: discord.Interaction[Any], session_id: int) -> tuple[Session, Group]:
    bot = cast("BalintBot", interaction.client)
    session = await bot.sessions.store.get(session_id)
    group = await bot.group_store.group_by_id(session.group_id) if session else None
    if session is None or group is None or group.guild_id != interaction.guild_id:
        raise Refusal("This session no longer exists.")
    return session, group


class FeedbackModal(PrivateModal):
    """The form: a rating and a comment; nothing says who sent it."""

    def __init__(self, session_id: int) -> None:
        super().__init__(title="How was this session for you?", timeout=15 * 60)
        self.session_id = session_id
        self.rating: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="rating", placeholder="1 to 5",
            options=[discord.SelectOption(label=f"{n} · {word}", value=str(n)) for n, word in
                     ((5, "very helpful"), (4, "helpful"), (3, "so-so"), (2, "not much"), (1, "not at all"))],
        )
        self.comment: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="comment", style=discord.TextStyle.paragraph, required=False, max_length=COMMENT_MAX,
            placeholder="Optional. Please name no one, patient or colleague.",
        )
        self.add_item(discord.ui.Label(text="Rating", component=self.rating))
        self.add_item(discord.ui.Label(text="Comment (optional)", component=self.comment))

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Store the answer once per person, without linking it to them."""
        bot = cast("BalintBot", interaction.client)
        await _session_and_group(interaction, self.session_id)
        rating = int(self.rating.values[0])
        comment = self.comment.value.strip() or None
        if not await bot.sessions.store.add_feedback(self.session_id, interaction.user.id, rating, comment):
            raise Refusal("You already answered for this session; thank you.")
        await answer_privately(interaction, "Thank you. Your answer is anonymous.")


class FeedbackButton(PersistentButton,
                     custom=CustomId("balint:fb:{session}:{what}", session=int, what="give|results")):
    """Give feedback (members), or see the results (leaders, from 3 answers on)."""

    def __init__(self, *, session: int, what: str) -> None:
        super().__init__(
            label="Give feedback (anonymous)" if what == "give" else "Results (leaders)",
            style=discord.ButtonStyle.primary if what == "give" else discord.ButtonStyle.secondary,
            session=session, what=what,
        )
        self.session_id = session
        self.what = what

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Open the form for a member, or show a leader the results."""
        bot = cast("BalintBot", interaction.client)
        _, group = await _session_and_group(interaction, self.session_id)
        user = interaction.user.id
        if self.what == "give":
            require_member(group, user, "give feedback on its sessions", then=None)
            await interaction.response.send_modal(FeedbackModal(self.session_id))
            return
        require_leader(group, user, "see the feedback", then=None)
        answers = await bot.sessions.store.feedback(self.session_id)
        if len(answers) < RESULTS_FROM:
            raise Refusal(
                f"Results show once at least {RESULTS_FROM} members have answered ({len(answers)} so far), "
                "so that no answer can be traced to its author."
            )
        await answer_privately(interaction, embed=results_embed(answers))


def results_embed(answers: list[tuple[int, str | None]]) -> discord.Embed:
    """Summarise the answers: average, spread, and the comments in no particular order."""
    ratings = [rating for rating, _ in answers]
    spread = "  ".join(f"{n}★ ×{ratings.count(n)}" for n in range(5, 0, -1))
    embed = discord.Embed(
        title="Session feedback",
        description=f"{len(answers)} answers · average {sum(ratings) / len(ratings):.1f} / 5\n{spread}",
        colour=BRAND,
    )
    comments = sorted(c for _, c in answers if c)
    if comments:
        embed.add_field(name="Comments", value="\n".join(f"• {c}" for c in comments)[:1024], inline=False)
    return embed


def feedback_view(session_id: int) -> discord.ui.View:
    """Hold the closing message's two buttons."""
    view = discord.ui.View(timeout=None)
    view.add_item(FeedbackButton(session=session_id, what="give"))
    view.add_item(FeedbackButton(session=session_id, what="results"))
    return view


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (FeedbackButton,)
