"""Embeds and buttons of the group commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands
from discord.app_commands import locale_str

from bot.core.errors import Refusal
from bot.core.groups import Actor, Dropout, Group, Pushback
from bot.core.help import AGREEMENT
from bot.core.text import N_, Lang
from bot.discord_io.components import CustomId, PersistentButton
from bot.discord_io.replies import answer_privately
from bot.i18n import Translator, translator, translator_for

if TYPE_CHECKING:
    from bot.app import BalintBot

BRAND = discord.Colour.from_rgb(88, 101, 142)

# Translators: a language's name, as a setting shows it ("Language: French").
LANGUAGE_NAMES = {Lang.EN: N_("English"), Lang.FR: N_("French")}
# Translators: the push-back setting: the presenter is server-muted during the discussion, or not.
PUSHBACK_NAMES = {Pushback.MUTE: N_("mute"), Pushback.OFF: N_("off")}
# Translators: the dropout setting: when the presenter or the last leader in voice drops out, the bot
# pauses the session and tells the group, only tells it, or does nothing.
DROPOUT_NAMES = {Dropout.PAUSE: N_("pause"), Dropout.NOTIFY: N_("notify"), Dropout.OFF: N_("off")}
# The options' choices: their labels translate (the same msgids), their values are what is stored.
LANGUAGE_CHOICES = [app_commands.Choice(name=locale_str(LANGUAGE_NAMES[lang]), value=lang.value) for lang in Lang]
PUSHBACK_CHOICES = [app_commands.Choice(name=locale_str(PUSHBACK_NAMES[p]), value=p.value) for p in Pushback]
DROPOUT_CHOICES = [app_commands.Choice(name=locale_str(DROPOUT_NAMES[d]), value=d.value) for d in Dropout]


async def group_named(interaction: discord.Interaction[Any], name: str) -> Group:
    """Return the group of the interaction's server with that name, or refuse (commands are guild-only)."""
    bot = cast("BalintBot", interaction.client)
    return await bot.groups.find(interaction.guild_id or 0, name)


def actor_of(interaction: discord.Interaction[Any]) -> Actor:
    """Return who acts, and whether they hold Manage Server here."""
    permissions = interaction.permissions
    return Actor(user_id=interaction.user.id, is_admin=permissions.manage_guild)


def group_embed(group: Group, templates: dict[str, Any], t: Translator) -> discord.Embed:
    """Describe a group: channels, leaders, members and settings (ids become mentions)."""
    s = group.settings
    template = templates.get(s.template)
    template_text = (t.gettext("{template} ({length})", template=s.template, length=t.render(template.length))
                     if template else s.template)
    embed = discord.Embed(title=group.name, colour=BRAND)
    embed.add_field(name=t.gettext("Text channel"), value=f"<#{group.text_channel_id}>")
    embed.add_field(name=t.gettext("Voice channel"), value=f"<#{group.voice_channel_id}>")
    leaders = (t.join(f"<@{uid}>" for uid in group.leader_ids)
               or t.gettext("none: a server admin adds one with /group coleader"))
    embed.add_field(name=t.gettext("Leaders"), value=leaders, inline=False)
    embed.add_field(name=t.gettext("Members"), value=t.number(len(group.member_ids)))
    embed.add_field(name=t.gettext("Timezone"), value=s.timezone)
    embed.add_field(name=t.gettext("Template"), value=template_text)
    embed.add_field(name=t.gettext("Language"), value=t.gettext(LANGUAGE_NAMES[s.language]))
    embed.add_field(name=t.gettext("Auto-advance"), value=t.gettext("on") if s.auto_advance else t.gettext("off"))
    embed.add_field(name=t.gettext("Push-back"), value=t.gettext(PUSHBACK_NAMES[s.pushback]))
    embed.add_field(name=t.gettext("Dropout"), value=t.gettext(DROPOUT_NAMES[s.dropout]))
    embed.add_field(name=t.gettext("Case material kept"),
                    value=t.gettext("{hours} h after the session", hours=s.retention_hours))
    return embed


def agreement_embed(group: Group, t: Translator) -> discord.Embed:
    """Show the group's agreement, before anyone joins."""
    return discord.Embed(title=t.gettext("Joining {group}", group=group.name), description=t.gettext(AGREEMENT),
                         colour=BRAND)


class AgreeButton(PersistentButton, custom=CustomId("balint:agree:{group}", group=int)):
    """The "I agree" button under a group's agreement; the group id lives in its custom id."""

    def __init__(self, *, group: int, lang: Lang = Lang.EN) -> None:
        super().__init__(label=translator(lang).gettext("I agree"), style=discord.ButtonStyle.success, group=group)
        self.group_id = group

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Record the membership, then replace the agreement with a confirmation."""
        bot = cast("BalintBot", interaction.client)
        group = await bot.groups.get(interaction.guild_id or 0, self.group_id)
        await bot.groups.join(interaction.user.id, group)
        t = translator_for(interaction.locale)
        channel = f"<#{group.text_channel_id}>"
        await interaction.response.edit_message(
            content=t.gettext("Welcome to {group}. Its sessions run in {channel}.", group=group.name, channel=channel),
            embed=None, view=None,
        )


def agreement_view(group: Group, lang: Lang) -> discord.ui.View:
    """Hold the group's "I agree" button, labelled in the reader's language."""
    view = discord.ui.View(timeout=None)
    view.add_item(AgreeButton(group=group.id, lang=lang))
    return view


class JoinButton(PersistentButton, custom=CustomId("balint:join:{group}", group=int)):
    """The button under a group's announcement: shows the agreement to whoever clicks."""

    def __init__(self, *, group: int, lang: Lang = Lang.EN) -> None:
        super().__init__(label=translator(lang).gettext("Read the agreement and join"),
                         style=discord.ButtonStyle.primary, group=group)
        self.group_id = group

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Show the agreement privately, as /group join does, in the clicker's language."""
        bot = cast("BalintBot", interaction.client)
        group = await bot.groups.get(interaction.guild_id or 0, self.group_id)
        bot.groups.check_can_join(interaction.user.id, group)
        t = translator_for(interaction.locale)
        await answer_privately(interaction, embed=agreement_embed(group, t), view=agreement_view(group, t.lang))


def join_view(group: Group) -> discord.ui.View:
    """Hold the group's join button, for its announcement in the group's channel (in the group's language)."""
    view = discord.ui.View(timeout=None)
    view.add_item(JoinButton(group=group.id, lang=group.settings.language))
    return view


class DeleteGroupButton(PersistentButton,
                        custom=CustomId("balint:group-delete:{group}:{choice}", group=int, choice="yes|no")):
    """The confirm and cancel buttons of /group delete."""

    def __init__(self, *, group: int, choice: str, lang: Lang = Lang.EN) -> None:
        confirm = choice == "yes"
        t = translator(lang)
        super().__init__(label=t.gettext("Delete the group") if confirm else t.gettext("Keep it"),
                         style=discord.ButtonStyle.danger if confirm else discord.ButtonStyle.secondary,
                         group=group, choice=choice)
        self.group_id = group
        self.confirm = confirm

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Delete (checking the clicker's rights again) or keep the group."""
        bot = cast("BalintBot", interaction.client)
        group = await bot.groups.get(interaction.guild_id or 0, self.group_id)
        t = translator_for(interaction.locale)
        if not self.confirm:
            await interaction.response.edit_message(content=t.gettext("{group} was kept.", group=group.name),
                                                    view=None)
            return
        bot.groups.require_admin_or_leader(actor_of(interaction), group)
        await check_no_live_session(bot, group)
        # The group's rows go with it, but its events in Discord must be removed first.
        await bot.meetings.forget_group(group)
        await bot.groups.delete(actor_of(interaction), group)
        await interaction.response.edit_message(
            content=t.gettext("{group} was deleted, with its members, leaders and settings.", group=group.name),
            view=None,
        )


async def check_no_live_session(bot: BalintBot, group: Group) -> None:
    """Refuse to delete a group in the middle of a session (its presenter may be muted)."""
    if await bot.sessions.store.live_for_group(group.id) is not None:
        raise Refusal("{group} has a session running; end it with /session end before deleting the group.",
                      group=group.name)


def delete_view(group: Group, lang: Lang) -> discord.ui.View:
    """Hold the confirm and cancel buttons for deleting a group, labelled in the reader's language."""
    view = discord.ui.View(timeout=None)
    view.add_item(DeleteGroupButton(group=group.id, choice="yes", lang=lang))
    view.add_item(DeleteGroupButton(group=group.id, choice="no", lang=lang))
    return view


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (AgreeButton, JoinButton, DeleteGroupButton)
