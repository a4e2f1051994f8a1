"""Anonymous feedback after a session: a 1-5 rating and an optional comment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import discord

from bot.core.errors import Refusal
from bot.core.groups import GIVE_FEEDBACK, SEE_FEEDBACK, Group, require_leader, require_member
from bot.core.session import Session
from bot.core.text import N_, Lang
from bot.discord_io.components import CustomId, PersistentButton, PrivateModal
from bot.discord_io.groups import BRAND
from bot.discord_io.replies import answer_privately
from bot.i18n import Translator, translator, translator_for

if TYPE_CHECKING:
    from bot.app import BalintBot

# Leaders see results only from this many answers on: fewer would let them guess who said what.
RESULTS_FROM = 3
COMMENT_MAX = 500
RATINGS = ((5, N_("very helpful")), (4, N_("helpful")), (3, N_("so-so")), (2, N_("not much")), (1, N_("not at all")))


async def _session_and_group(interaction: discord.Interaction[Any], session_id: int) -> tuple[Session, Group]:
    bot = cast("BalintBot", interaction.client)
    session = await bot.sessions.store.get(session_id)
    group = await bot.group_store.group_by_id(session.group_id) if session else None
    if session is None or group is None or group.guild_id != interaction.guild_id:
        raise Refusal("This session no longer exists.")
    return session, group


class FeedbackModal(PrivateModal):
    """The form, in the language of the person who opened it: a rating and a comment; nothing says who sent it."""

    def __init__(self, session_id: int, t: Translator) -> None:
        super().__init__(title=t.gettext("How was this session for you?"), timeout=15 * 60)
        self.session_id = session_id
        self.rating: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="rating", placeholder=t.gettext("1 to 5"),
            options=[discord.SelectOption(label=f"{n} · {t.gettext(word)}", value=str(n)) for n, word in RATINGS],
        )
        self.comment: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="comment", style=discord.TextStyle.paragraph, required=False, max_length=COMMENT_MAX,
            placeholder=t.gettext("Optional. Please name no one, patient or colleague."),
        )
        self.add_item(discord.ui.Label(text=t.gettext("Rating"), component=self.rating))
        self.add_item(discord.ui.Label(text=t.gettext("Comment (optional)"), component=self.comment))

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Store the answer once per person, without linking it to them."""
        bot = cast("BalintBot", interaction.client)
        await _session_and_group(interaction, self.session_id)
        rating = int(self.rating.values[0])
        comment = self.comment.value.strip() or None
        if not await bot.sessions.store.add_feedback(self.session_id, interaction.user.id, rating, comment):
            raise Refusal("You already answered for this session; thank you.")
        await answer_privately(interaction, translator_for(interaction.locale).gettext(
            "Thank you. Your answer is anonymous."))
        # The leaders' debrief carries the feedback once enough members answered.
        bot.sessions.debriefs.answered(self.session_id)


class FeedbackButton(PersistentButton,
                     custom=CustomId("balint:fb:{session}:{what}", session=int, what="give|results")):
    """Give feedback (members), or see the results (leaders, from 3 answers on)."""

    def __init__(self, *, session: int, what: str, lang: Lang = Lang.EN) -> None:
        t = translator(lang)
        super().__init__(
            label=t.gettext("Give feedback (anonymous)") if what == "give" else t.gettext("Results (leaders)"),
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
        t = translator_for(interaction.locale)
        if self.what == "give":
            require_member(group, user, GIVE_FEEDBACK, then=None)
            await interaction.response.send_modal(FeedbackModal(self.session_id, t))
            return
        require_leader(group, user, SEE_FEEDBACK, then=None)
        answers = await bot.sessions.store.feedback(self.session_id)
        if len(answers) < RESULTS_FROM:
            raise Refusal(
                "Results show once at least {least} members have answered ({count} so far), "
                "so that no answer can be traced to its author.",
                least=RESULTS_FROM, count=len(answers),
            )
        await answer_privately(interaction, embed=results_embed(answers, t))


def results(answers: list[tuple[int, str | None]], t: Translator) -> tuple[str, str, list[str]]:
    """Summarise the answers: the count and average, the spread, and the comments in no particular order."""
    ratings = [rating for rating, _ in answers]
    spread = "  ".join(f"{n}★ ×{t.number(ratings.count(n))}" for n in range(5, 0, -1))
    average = t.decimal(sum(ratings) / len(ratings), places=1)
    summary = t.ngettext("{count} answer · average {average} / 5", "{count} answers · average {average} / 5",
                         len(answers), count=len(answers), average=average)
    return summary, spread, sorted(c for _, c in answers if c)


def results_embed(answers: list[tuple[int, str | None]], t: Translator) -> discord.Embed:
    """Show the answers to a leader: average, spread, and the comments."""
    summary, spread, comments = results(answers, t)
    embed = discord.Embed(title=t.gettext("Session feedback"), description=f"{summary}\n{spread}", colour=BRAND)
    if comments:
        embed.add_field(name=t.gettext("Comments"), value="\n".join(f"• {c}" for c in comments)[:1024],
                        inline=False)
    return embed


def feedback_view(session_id: int, lang: Lang = Lang.EN) -> discord.ui.View:
    """Hold the closing message's two buttons, in the group's language (the closing is in its channel)."""
    view = discord.ui.View(timeout=None)
    view.add_item(FeedbackButton(session=session_id, what="give", lang=lang))
    view.add_item(FeedbackButton(session=session_id, what="results", lang=lang))
    return view


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (FeedbackButton,)
