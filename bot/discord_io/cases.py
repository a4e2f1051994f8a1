"""Case proposals (with the identifier check), the anonymous presenter's relay, and its moderation.

Anonymity is kept by construction: every answer to the presenter is ephemeral or in their
DMs; their words reach the group only as a new message of the bot (`channel.send`), never
as a response to their interaction (that would carry "X used /command"), with no mentions
and no reply reference; no custom id, log line or reason carries their id.

The form, the warning and every answer are in the language of whoever acts (`interaction.locale`);
the relay and the Speak button, which the group reads, in the group's. A DM carries no Discord
language: it is answered in the language of the group the presenter presents to.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.core.cases import STORY_MAX, TITLE_MAX, AuthorSeal, Case, CaseRules, CaseState, clean_story, clean_title
from bot.core.errors import Refusal
from bot.core.groups import REMOVE_RELAYED, Group, require_leader
from bot.core.identifiers import describe, find_identifiers
from bot.core.notices import relay_nonce
from bot.core.phases import builtin_phase
from bot.core.session import Session, Status
from bot.core.text import N_, Lang, Text
from bot.core.typed import picked_id
from bot.discord_io.components import CustomId, PersistentButton, PrivateModal
from bot.discord_io.panel_lists import case_line
from bot.discord_io.replies import NO_MENTIONS, answer_privately
from bot.discord_io.transient import StillFailing, persist
from bot.i18n import lang_of, translator, translator_for
from bot.storage.cases import SqliteCaseStore

if TYPE_CHECKING:
    from bot.app import BalintBot

log = logging.getLogger(__name__)

RELAY_MAX = 1800
# How long a relay is retried through Discord's passing faults, in real time.
RELAY_PATIENCE = timedelta(seconds=2)
NOT_THE_PRESENTER = N_("Only the presenter of this session can speak through the bot.")
# Translators: the anonymous presenter's confirmation; "Presenter" is the relay's label, "**Presenter:** …".
RELAYED = N_("Relayed to the group as “Presenter”.")
DRAFT_LIFETIME = timedelta(minutes=30)


@dataclass
class Draft:
    """A proposal waiting for the member's choice after the identifier warning; kept in memory only."""

    group_id: int
    user_id: int
    anonymous: bool
    title: str
    story: str
    expires: datetime


class CaseDesk:
    """The case features of the bot: proposals, drafts, the relay."""

    def __init__(self, bot: BalintBot, key: bytes) -> None:
        self.bot = bot
        self.store = SqliteCaseStore(bot.db)
        self.rules = CaseRules(self.store, AuthorSeal(key))
        # Drafts never touch the database: a text the member may still edit for patient
        # identifiers should not be written anywhere first. A restart loses them, by design.
        self._drafts: dict[str, Draft] = {}

    # ---------------------------------------------------------------- proposing

    async def open_propose_modal(self, interaction: discord.Interaction[Any], group: Group,
                                 anonymous: bool = False) -> None:
        """Show the case form to a member of the group."""
        self.rules.check_can_propose(group, interaction.user.id)
        await interaction.response.send_modal(CaseModal(self, group.id, anonymous, lang=lang_of(interaction.locale)))

    async def case_picked(self, guild_id: int, value: str) -> Case:
        """Return the case an option names (its id, from autocompletion), if it is of this server's groups."""
        case_id = picked_id(value)
        if case_id is None:
            raise Refusal("Pick the case from the list that appears as you type.")
        return await self.rules.get(await self.bot.group_store.group_ids(guild_id), case_id)

    def _keep_draft(self, draft: Draft) -> str:
        now = self.bot.clock.now()
        for token in [t for t, d in self._drafts.items() if d.expires < now]:
            del self._drafts[token]
        token = secrets.token_urlsafe(12)
        self._drafts[token] = draft
        return token

    def forget_drafts(self, user_id: int) -> None:
        """Drop someone's drafts (they asked to be forgotten)."""
        for token in [t for t, d in self._drafts.items() if d.user_id == user_id]:
            del self._drafts[token]

    def take_draft(self, token: str, user_id: int) -> Draft:
        """Hand a draft back to its author (once), or refuse if it expired or is someone else's."""
        draft = self._drafts.get(token)
        if draft is None or draft.user_id != user_id or draft.expires < self.bot.clock.now():
            raise Refusal("This draft has expired; propose the case again with /case propose.")
        del self._drafts[token]
        return draft

    async def submit(self, interaction: discord.Interaction[Any], draft: Draft, *, checked: bool) -> None:
        """Check a proposal (length, then patient identifiers unless the member chose to keep it) and queue it."""
        group = await self.bot.groups.get(interaction.guild_id or 0, draft.group_id)
        t = translator_for(interaction.locale)
        try:
            clean_title(draft.title)
            clean_story(draft.story)
        except Refusal as refusal:
            token = self._keep_draft(draft)
            await answer_privately(interaction, t.gettext("{refusal} Your text is kept: press Edit to change it.",
                                                          refusal=refusal.text),
                                   view=draft_view(token, keep=False, lang=t.lang))
            return
        if not checked:
            findings = find_identifiers(f"{draft.title}\n{draft.story}")
            if findings:
                token = self._keep_draft(draft)
                await answer_privately(
                    interaction,
                    t.gettext(
                        "Before it is saved: this looks like it may identify a patient: {found}. Patients are never"
                        " named in the group. Edit the text, or keep it as it is if it identifies no one.",
                        found=t.join(t.render(part) for part in describe(findings)),
                    ),
                    view=draft_view(token, keep=True, lang=t.lang),
                )
                return
        case = await self.rules.propose(group, interaction.user.id, draft.title, draft.story,
                                        anonymous=draft.anonymous)
        await self.bot.hands.cases_changed(group.id)
        queued = (N_("Your case “{title}” is queued in {group}. Nobody will see that it is yours.") if case.anonymous
                  else N_("Your case “{title}” is queued in {group}."))
        await answer_privately(interaction, t.gettext(queued, title=case.title, group=group.name))

    # ---------------------------------------------------------------- relaying

    async def presenting(self, session: Session, user_id: int) -> Case | None:
        """Return the case if this user presents it anonymously in this session, else None."""
        if not session.anonymous or session.case_id is None:
            return None
        case = await self.store.case_by_id(session.case_id)
        return case if case is not None and self.rules.seal.is_author(case, user_id) else None

    async def speak(self, session_id: int, user_id: int, text: str, source_id: int) -> None:
        """Post the anonymous presenter's words as "Presenter:", or refuse privately.

        `source_id` is the submission's own id (the form's interaction, or the DM): the relay's
        nonce, so that a retry of the same submission never posts the words twice.
        """
        session = await self.bot.sessions.store.get(session_id)
        if session is None or session.state.status is Status.ENDED:
            raise Refusal("This session has ended; nothing was relayed.")
        if await self.presenting(session, user_id) is None:
            raise Refusal(NOT_THE_PRESENTER)
        phase = session.current_phase
        if not phase.presenter_speaks:
            raise Refusal(
                "The group is in {phase} now: you listen in silence, and nothing was relayed. "
                "You speak again when you return.",
                phase=Text(phase.name) if builtin_phase(phase) else phase.name,
            )
        words = text.strip()
        if not words:
            raise Refusal("There was nothing to relay.")
        if len(words) > RELAY_MAX:
            raise Refusal("That is {count} characters; send at most {most} at a time.", count=len(words),
                          most=RELAY_MAX)
        group = await self.bot.group_store.group_by_id(session.group_id)
        assert group is not None
        channel = self.bot.get_partial_messageable(group.text_channel_id, guild_id=group.guild_id)
        # Translators: the anonymous presenter's words in the group's channel (a label anyone may be behind).
        relayed = translator(group.settings.language).gettext("**Presenter:** {words}", words=words)

        # A new message of the bot's own, not a response: nothing ties it to anyone's interaction.
        async def send() -> discord.Message:
            return await channel.send(relayed, allowed_mentions=NO_MENTIONS, nonce=relay_nonce(source_id))

        # Retried only briefly: the presenter's form must be answered within Discord's three seconds.
        # The words are never written to the database (not even to re-send them after a crash).
        try:
            sent = await persist(send, clock=self.bot.clock, until=self.bot.after_real(RELAY_PATIENCE),
                                 what=f"session {session.id}: relay")
        except (discord.HTTPException, StillFailing) as error:
            status = error.status if isinstance(error, discord.HTTPException) else 0
            log.warning("session %d: a relay was not posted (HTTP %d)", session.id, status)
            raise Refusal("Discord did not take the message; nothing was relayed. Try again in a moment.") from None
        await self.store.add_relay(session.id, sent.channel.id, sent.id)
        await self.bot.privacy.messages.record(session.id, group.guild_id, sent)

    async def on_direct_message(self, message: discord.Message) -> None:
        """Relay a DM from an anonymous presenter, or explain privately why not."""
        live = await self.bot.sessions.store.live()
        mine = [s for s in live if s.anonymous and await self.presenting(s, message.author.id) is not None]
        t = translator(await self._dm_language(mine or live, message.author.id))
        try:
            if not mine:
                raise Refusal("You are not presenting anonymously in a running session, so nothing was relayed.")
            if len(mine) > 1:
                raise Refusal("You present in two sessions at once; use the panel's Speak as presenter button.")
            await self.speak(mine[0].id, message.author.id, message.content, message.id)
        except Refusal as refusal:
            await message.channel.send(t.render(refusal.text))
            return
        await message.channel.send(t.gettext(RELAYED))

    async def _dm_language(self, sessions: list[Session], user_id: int) -> Lang:
        """Choose the language of a DM's answer: that of the sessions' groups the author is in, else the default.

        Discord gives a DM no language. The groups of the sessions in question (the ones they
        present in, else every running one) speak the author's language if they all speak one.
        """
        langs: set[Lang] = set()
        for session in sessions:
            group = await self.bot.group_store.group_by_id(session.group_id)
            if group is not None and group.belongs(user_id):
                langs.add(group.settings.language)
        return langs.pop() if len(langs) == 1 else self.bot.settings.default_language

    async def remove_relay(self, interaction: discord.Interaction[Any], message: discord.Message) -> None:
        """Let a leader remove a relayed message without learning who wrote it."""
        session_id = await self.store.relay_session(message.id)
        if session_id is None:
            raise Refusal("That is not a relayed presenter message; only those can be removed here.")
        session = await self.bot.sessions.store.get(session_id)
        group = await self.bot.group_store.group_by_id(session.group_id) if session else None
        if group is None:
            raise Refusal("That relayed message's session no longer exists; nothing was removed.")
        require_leader(group, interaction.user.id, REMOVE_RELAYED)
        await message.delete()
        await self.store.forget_relay(message.id)
        t = translator_for(interaction.locale)
        await answer_privately(interaction, t.gettext("The relayed message was removed."))

    async def purge(self, session_id: int) -> None:
        """Delete a session's case material and the relayed messages from the channel."""
        for channel_id, message_id in await self.store.purge_case_material(session_id):
            channel = self.bot.get_partial_messageable(channel_id)
            try:
                await channel.get_partial_message(message_id).delete()
            except discord.NotFound:
                pass
            except discord.HTTPException as error:
                log.warning("session %d: a relayed message was not removed (HTTP %d)", session_id, error.status)

    async def queue_text(self, group: Group, lang: Lang = Lang.EN) -> str:
        """List the group's queued cases, in the reader's language; an anonymous case shows no author."""
        t = translator(lang)
        cases = await self.store.cases_of_group(group.id, (CaseState.QUEUED, CaseState.PRESENTING))
        if not cases:
            return t.gettext("{group} has no case waiting. Propose one with /case propose.", group=group.name)
        lines = [case_line(case, t) for case in cases]
        return "\n".join([t.gettext("Cases of {group}:", group=group.name), *lines])


class CaseModal(PrivateModal):
    """The case form: a title and an optional story."""

    def __init__(self, desk: CaseDesk, group_id: int, anonymous: bool, *, title: str = "", story: str = "",
                 lang: Lang = Lang.EN) -> None:
        t = translator(lang)
        # Translators: a form's title and labels: at most 45 characters each (Discord's limit).
        heading = N_("Propose an anonymous case") if anonymous else N_("Propose a case")
        super().__init__(title=t.gettext(heading), timeout=30 * 60)
        self.desk = desk
        self.group_id = group_id
        self.anonymous = anonymous
        self.case_title: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=t.gettext("Title"), custom_id="title", max_length=TITLE_MAX, default=title or None,
            placeholder=t.gettext("A few words, with no patient names"),
        )
        # Longer than the 1,500 the bot accepts: a story that runs over is refused with the
        # text kept for editing, rather than cut off in the box.
        self.story: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=t.gettext("Story (optional, up to {count} characters)", count=STORY_MAX), custom_id="story",
            style=discord.TextStyle.paragraph, required=False, max_length=4000, default=story or None,
            placeholder=t.gettext("What stays with you about this patient? No names, dates or numbers."),
        )
        self.add_item(self.case_title)
        self.add_item(self.story)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Check and queue the case."""
        draft = Draft(
            group_id=self.group_id, user_id=interaction.user.id, anonymous=self.anonymous,
            title=self.case_title.value, story=self.story.value,
            expires=self.desk.bot.clock.now() + DRAFT_LIFETIME,
        )
        await self.desk.submit(interaction, draft, checked=False)


class DraftButton(PersistentButton, custom=CustomId("balint:draft:{token}:{choice}", token=r"[A-Za-z0-9_-]+",
                                                    choice="edit|keep")):
    """Edit or Keep, under the identifier warning. The token names a draft in memory, not a person."""

    def __init__(self, *, token: str, choice: str, lang: Lang = Lang.EN) -> None:
        label = N_("Edit") if choice == "edit" else N_("Keep as it is")
        super().__init__(
            label=translator(lang).gettext(label),
            style=discord.ButtonStyle.primary if choice == "edit" else discord.ButtonStyle.secondary,
            token=token, choice=choice,
        )
        self.token = token
        self.choice = choice

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Reopen the form with the text, or save the case as it is."""
        bot = cast("BalintBot", interaction.client)
        draft = bot.cases.take_draft(self.token, interaction.user.id)
        if self.choice == "edit":
            await interaction.response.send_modal(CaseModal(
                bot.cases, draft.group_id, draft.anonymous, title=draft.title[:TITLE_MAX], story=draft.story,
                lang=lang_of(interaction.locale),
            ))
        else:
            await bot.cases.submit(interaction, draft, checked=True)


def draft_view(token: str, *, keep: bool, lang: Lang = Lang.EN) -> discord.ui.View:
    """Hold Edit (and Keep, for an identifier warning) under a draft, labelled in its author's language."""
    view = discord.ui.View(timeout=None)
    view.add_item(DraftButton(token=token, choice="edit", lang=lang))
    if keep:
        view.add_item(DraftButton(token=token, choice="keep", lang=lang))
    return view


# Translators: the panel's button for the anonymous presenter, and the title of its form (at most 45 characters).
SPEAK = N_("Speak as presenter")


class SpeakModal(PrivateModal):
    """What the anonymous presenter says to the group."""

    def __init__(self, session_id: int, lang: Lang = Lang.EN) -> None:
        t = translator(lang)
        super().__init__(title=t.gettext(SPEAK), timeout=30 * 60)
        self.session_id = session_id
        self.words: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=t.gettext("Your words, posted as “Presenter”"), custom_id="words",
            style=discord.TextStyle.paragraph, max_length=RELAY_MAX,
        )
        self.add_item(self.words)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Relay the words, and answer only the presenter."""
        bot = cast("BalintBot", interaction.client)
        await bot.cases.speak(self.session_id, interaction.user.id, self.words.value, interaction.id)
        await answer_privately(interaction, translator_for(interaction.locale).gettext(RELAYED))


class SpeakButton(PersistentButton, custom=CustomId("balint:speak:{session}", session=int)):
    """The panel's "Speak as presenter" button, on anonymous sessions."""

    def __init__(self, *, session: int, lang: Lang = Lang.EN) -> None:
        super().__init__(label=translator(lang).gettext(SPEAK), style=discord.ButtonStyle.success, session=session)
        self.session_id = session

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Open the form for the presenter only."""
        bot = cast("BalintBot", interaction.client)
        session = await bot.sessions.store.get(self.session_id)
        if session is None or await bot.cases.presenting(session, interaction.user.id) is None:
            raise Refusal(NOT_THE_PRESENTER)
        await interaction.response.send_modal(SpeakModal(self.session_id, lang_of(interaction.locale)))


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (DraftButton, SpeakButton)
