"""Embeds and buttons of the group commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import discord

from bot.core.errors import Refusal
from bot.core.groups import Actor, Group
from bot.core.help import AGREEMENT_EN
from bot.discord_io.components import CustomId, PersistentButton
from bot.discord_io.replies import answer_privately

if TYPE_CHECKING:
    from bot.app import BalintBot

BRAND = discord.Colour.from_rgb(88, 101, 142)


async def group_named(interaction: discord.Interaction[Any], name: str) -> Group:
    """Return the group of the interaction's server with that name, or refuse (commands are guild-only)."""
    bot = cast("BalintBot", interaction.client)
    return await bot.groups.find(interaction.guild_id or 0, name)


def actor_of(interaction: discord.Interaction[Any]) -> Actor:
    """Return who acts, and whether they hold Manage Server here."""
    permissions = interaction.permissions
    return Actor(user_id=interaction.user.id, is_admin=permissions.manage_guild)


def group_embed(group: Group, templates: dict[str, Any]) -> discord.Embed:
    """Describe a group: channels, leaders, members and settings (ids become mentions)."""
    s = group.settings
    template = templates.get(s.template)
    template_text = f"{s.template} ({template.total_minutes} min)" if template else s.template
    embed = discord.Embed(title=group.name, colour=BRAND)
    embed.add_field(name="Text channel", value=f"<#{group.text_channel_id}>")
    embed.add_field(name="Voice channel", value=f"<#{group.voice_channel_id}>")
    leaders = ", ".join(f"<@{uid}>" for uid in group.leader_ids) or "none: a server admin adds one with /group coleader"
    embed.add_field(name="Leaders", value=leaders, inline=False)
    embed.add_field(name="Members", value=str(len(group.member_ids)))
    embed.add_field(name="Timezone", value=s.timezone)
    embed.add_field(name="Template", value=template_text)
    embed.add_field(name="Auto-advance", value="on" if s.auto_advance else "off")
    embed.add_field(name="Push-back", value=s.pushback.value)
    embed.add_field(name="Case material kept", value=f"{s.retention_hours} h after the session")
    return embed


def agreement_embed(group: Group) -> discord.Embed:
    """Show the group's agreement, before anyone joins."""
    return discord.Embed(title=f"Joining {group.name}", description=AGREEMENT_EN, colour=BRAND)


class AgreeButton(PersistentButton, custom=CustomId("balint:agree:{group}", group=int)):
    """The "I agree" button under a group's agreement; the group id lives in its custom id."""

    def __init__(self, *, group: int) -> None:
        super().__init__(label="I agree", style=discord.ButtonStyle.success, group=group)
        self.group_id = group

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Record the membership, then replace the agreement with a confirmation."""
        bot = cast("BalintBot", interaction.client)
        group = await bot.groups.get(interaction.guild_id or 0, self.group_id)
        await bot.groups.join(interaction.user.id, group)
        await interaction.response.edit_message(
            content=f"Welcome to {group.name}. Its sessions run in <#{group.text_channel_id}>.",
            embed=None, view=None,
        )


def agreement_view(group: Group) -> discord.ui.View:
    """Hold the group's "I agree" button."""
    view = discord.ui.View(timeout=None)
    view.add_item(AgreeButton(group=group.id))
    return view


class JoinButton(PersistentButton, custom=CustomId("balint:join:{group}", group=int)):
    """The button under a group's announcement: shows the agreement to whoever clicks."""

    def __init__(self, *, group: int) -> None:
        super().__init__(label="Read the agreement and join", style=discord.ButtonStyle.primary, group=group)
        self.group_id = group

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Show the agreement privately, as /group join does."""
        bot = cast("BalintBot", interaction.client)
        group = await bot.groups.get(interaction.guild_id or 0, self.group_id)
        bot.groups.check_can_join(interaction.user.id, group)
        await answer_privately(interaction, embed=agreement_embed(group), view=agreement_view(group))


def join_view(group: Group) -> discord.ui.View:
    """Hold the group's join button, for its announcement."""
    view = discord.ui.View(timeout=None)
    view.add_item(JoinButton(group=group.id))
    return view


class DeleteGroupButton(PersistentButton,
                        custom=CustomId("balint:group-delete:{group}:{choice}", group=int, choice="yes|no")):
    """The confirm and cancel buttons of /group delete."""

    def __init__(self, *, group: int, choice: str) -> None:
        confirm = choice == "yes"
        super().__init__(label="Delete the group" if confirm else "Keep it",
                         style=discord.ButtonStyle.danger if confirm else discord.ButtonStyle.secondary,
                         group=group, choice=choice)
        self.group_id = group
        self.confirm = confirm

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Delete (checking the clicker's rights again) or keep the group."""
        bot = cast("BalintBot", interaction.client)
        group = await bot.groups.get(interaction.guild_id or 0, self.group_id)
        if not self.confirm:
            await interaction.response.edit_message(content=f"{group.name} was kept.", view=None)
            return
        bot.groups.require_admin_or_leader(actor_of(interaction), group)
        await check_no_live_session(bot, group)
        # The group's rows go with it, but its events in Discord must be removed first.
        await bot.meetings.forget_group(group)
        await bot.groups.delete(actor_of(interaction), group)
        await interaction.response.edit_message(
            content=f"{group.name} was deleted, with its members, leaders and settings.", view=None,
        )


async def check_no_live_session(bot: BalintBot, group: Group) -> None:
    """Refuse to delete a group in the middle of a session (its presenter may be muted)."""
    if await bot.sessions.store.live_for_group(group.id) is not None:
        raise Refusal(f"{group.name} has a session running; end it with /session end before deleting the group.")


def delete_view(group: Group) -> discord.ui.View:
    """Hold the confirm and cancel buttons for deleting a group."""
    view = discord.ui.View(timeout=None)
    view.add_item(DeleteGroupButton(group=group.id, choice="yes"))
    view.add_item(DeleteGroupButton(group=group.id, choice="no"))
    return view


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (AgreeButton, JoinButton, DeleteGroupButton)
