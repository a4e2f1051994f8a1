"""Raise hand and Next speaker: the panel's buttons, their private answers, and the notice that gives the floor.

A press is answered privately at once; the panel is then edited in the background, paced (see
pacing.py), so that a whole group pressing together costs Discord two edits, not one each.
The floor notice pings the one member it names and nobody else; it is claimed in the database
with the hand it takes out of line, under a nonce named after that hand, so that it is posted
once, also when the bot stops between the claim and the post.

The anonymous presenter's press raises nothing and is not stored; they are told privately, in
words that name no one, that they speak through the bot. Nothing here logs who pressed.
"""

from __future__ import annotations

from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.core.errors import Refusal
from bot.core.hands import Press, hands_open, next_speaker, place, press
from bot.core.notices import Notice, floor_nonce
from bot.core.session import Session
from bot.core.text import N_, Lang
from bot.discord_io.components import CustomId, PersistentButton
from bot.discord_io.pacing import PanelPacer
from bot.discord_io.panel_lists import PanelLists, load_lists
from bot.discord_io.replies import answer_privately
from bot.i18n import Translator, translator, translator_for
from bot.storage.hands import SqliteHandStore

if TYPE_CHECKING:
    from bot.app import BalintBot
    from bot.core.groups import Group

# How many times Next speaker tries again when another leader took the same hand at the same moment.
GIVE_FLOOR_TRIES = 3

ANONYMOUS_PRESENTER = N_(
    "Your hand is not raised: you present this case anonymously, and a raised hand would show who you "
    "are. Speak to the group through the panel's Speak as presenter button, or a direct message to the "
    "bot, in the phases where the presenter speaks."
)


class HandAction(Enum):
    """What a hand button does."""

    RAISE = "raise"
    NEXT = "next"


# Translators: the panel's buttons; the answers name Raise hand, so keep them alike.
LABELS = {HandAction.RAISE: N_("Raise hand"), HandAction.NEXT: N_("Next speaker")}
STYLES = {HandAction.RAISE: discord.ButtonStyle.primary, HandAction.NEXT: discord.ButtonStyle.secondary}


class HandButton(PersistentButton, custom=CustomId("balint:hand:{session}:{action}", session=int, action=HandAction)):
    """Raise hand (anyone in the group) or Next speaker (leaders), on the panel while the group speaks."""

    def __init__(self, *, session: int, action: HandAction, lang: Lang = Lang.EN) -> None:
        super().__init__(label=translator(lang).gettext(LABELS[action]), style=STYLES[action],
                         session=session, action=action)
        self.session_id = session
        self.action = action

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Raise or lower the presser's hand, or give the floor to the first in line."""
        bot = cast("BalintBot", interaction.client)
        if self.action is HandAction.RAISE:
            await bot.hands.press(interaction, self.session_id)
        else:
            await bot.hands.give_floor(interaction, self.session_id)


def hand_buttons(session: Session, lang: Lang = Lang.EN) -> list[HandButton]:
    """Return the panel's hand buttons: both while the group speaks, none otherwise."""
    if not hands_open(session):
        return []
    return [HandButton(session=session.id, action=action, lang=lang) for action in HandAction]


def raised_text(ahead: int, t: Translator) -> str:
    """Tell someone their hand is raised, and how many are before them."""
    if ahead == 0:
        return t.gettext("✋ Your hand is raised: you are first in line. Press Raise hand again to lower it.")
    return t.ngettext("✋ Your hand is raised: {count} hand before yours. Press Raise hand again to lower it.",
                      "✋ Your hand is raised: {count} hands before yours. Press Raise hand again to lower it.",
                      ahead, count=ahead)


def floor_message(user_id: int, lang: Lang) -> str:
    """Give a member the floor, in the group's channel."""
    return translator(lang).gettext("{member}, you have the floor.", member=f"<@{user_id}>")


class HandDesk:
    """The raised hands of every session: presses, the floor, and what the panel lists."""

    def __init__(self, bot: BalintBot) -> None:
        self.bot = bot
        self.store = SqliteHandStore(bot.db)
        self.pacer = PanelPacer(bot.clock, bot.settings.time_scale)

    async def lists(self, session: Session, group: Group) -> PanelLists:
        """Return what the session's panel lists now: hands, and in an opening the cases waiting."""
        return await load_lists(self.bot, session, group)

    async def cases_changed(self, group_id: int) -> None:
        """Show a case proposed or withdrawn on the panel of the group's session, if it is in its opening."""
        session = await self.bot.sessions.store.live_for_group(group_id)
        group = await self.bot.group_store.group_by_id(group_id)
        if session is not None and group is not None and session.current_phase.opening:
            self.bot.sessions._edit_panel(session, group, paced=True)

    async def press(self, interaction: discord.Interaction[Any], session_id: int) -> None:
        """Raise or lower the presser's hand and answer them privately; then show it on the panel."""
        session, group = await self.bot.sessions.session_by_id(session_id)
        user_id = interaction.user.id
        t = translator_for(interaction.locale)
        anonymous = session.anonymous and await self.bot.cases.presenting(session, user_id) is not None
        outcome = press(group, session, user_id, await self.store.hands(session.id), presents_anonymously=anonymous)
        if outcome is Press.SPEAK_AS_PRESENTER:
            await answer_privately(interaction, t.gettext(ANONYMOUS_PRESENTER))
            return
        if outcome is Press.LOWER:
            await self.store.lower_hand(session.id, user_id)
            await answer_privately(interaction, t.gettext("Your hand is lowered."))
        else:
            await self.store.raise_hand(session.id, session.state.phase_index, user_id, self.bot.clock.now())
            # Read back: a second press at the same moment raised it already, or the phase moved on meanwhile.
            now_in_line = place(await self.store.hands(session.id), group, user_id)
            if now_in_line is None:
                raise Refusal("The phase has just changed, and its hands went with it; look at the panel and "
                              "press again.")
            await answer_privately(interaction, raised_text(now_in_line - 1, t))
        # The runner's own edit of the panel: every edit of it goes through that one lane, in order.
        self.bot.sessions._edit_panel(session, group, paced=True)

    async def give_floor(self, interaction: discord.Interaction[Any], session_id: int) -> None:
        """Give the floor to the first hand in line: post "<mention>, you have the floor", pinging only them."""
        session, group = await self.bot.sessions.session_by_id(session_id)
        for _ in range(GIVE_FLOOR_TRIES):
            hand = next_speaker(group, session, interaction.user.id, await self.store.hands(session.id))
            notice = Notice(nonce=floor_nonce(hand.number), channel_id=group.text_channel_id, guild_id=group.guild_id,
                            content=floor_message(hand.user_id, group.settings.language),
                            claimed_at=self.bot.clock.now(), session_id=session.id, ping=hand.user_id)
            if await self.store.give_floor(session.id, hand, notice):
                break
        else:
            raise Refusal("The hands changed at the same moment; look at the panel and try again.")
        # Refused for a permission: the leaders are told once, as for the session's other notices.
        self.bot.courier.post(notice, refused=partial(self.bot.sessions._cannot_post, session, group))
        t = translator_for(interaction.locale)
        await answer_privately(interaction, t.gettext("{member} has the floor.", member=f"<@{hand.user_id}>"))
        self.bot.sessions._edit_panel(session, group, paced=True)
