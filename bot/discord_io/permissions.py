"""Which of the permissions in `bot.core.permissions` the bot lacks, where, and its invite link."""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.core.groups import Group
from bot.core.permissions import INVITE_SCOPES, NEEDS, WHERE, Need, Place, invite_flags
from bot.i18n import Translator


@dataclass(frozen=True)
class Missing:
    """One permission the bot lacks, and where to grant it."""

    need: Need
    place: Place
    channel: str | None = None  # the channel's mention, for a channel's permission; None if it is gone

    def _channel(self, t: Translator) -> str:
        return self.channel or t.gettext("its channel")

    def where(self, t: Translator) -> str:
        """Say where to grant it, with Discord's menu names."""
        return t.gettext(WHERE[self.place], channel=self._channel(t))

    def line(self, t: Translator) -> str:
        """Say it in one line: the permission, what for, and where to grant it."""
        return t.gettext("**{permission}** ({why}): {where}", permission=t.gettext(self.need.name),
                         why=t.gettext(self.need.why), where=self.where(t))

    def short(self, t: Translator) -> str:
        """Name it briefly: "Send Messages in #balint", or "Manage Events (server)"."""
        permission = t.gettext(self.need.name)
        if self.place is Place.SERVER:
            return t.gettext("{permission} (server)", permission=permission)
        return t.gettext("{permission} in {channel}", permission=permission, channel=self._channel(t))


def missing_in(guild: discord.Guild, text: discord.abc.GuildChannel | None,
               voice: discord.abc.GuildChannel | None) -> list[Missing]:
    """Return what the bot lacks in a group's channels and on the server (a missing channel counts as lacking all)."""
    me = guild.me
    found: list[Missing] = []
    for place, channel in ((Place.TEXT, text), (Place.VOICE, voice)):
        have = channel.permissions_for(me) if channel is not None else discord.Permissions.none()
        mention = channel.mention if channel is not None else None
        found += [Missing(need, place, mention) for need in NEEDS[place] if not getattr(have, need.flag)]
    server = me.guild_permissions
    found += [Missing(need, Place.SERVER) for need in NEEDS[Place.SERVER] if not getattr(server, need.flag)]
    return found


def missing_for(guild: discord.Guild, group: Group) -> list[Missing]:
    """Return what the bot lacks for one group of the server."""
    return missing_in(guild, guild.get_channel(group.text_channel_id), guild.get_channel(group.voice_channel_id))


def invite_permissions() -> discord.Permissions:
    """Return exactly the permissions the bot needs, for its invite link."""
    return discord.Permissions(**dict.fromkeys(invite_flags(), True))


def invite_url(application_id: int) -> str:
    """Return the link that adds the bot to a server with what it needs and its slash commands."""
    return discord.utils.oauth_url(application_id, permissions=invite_permissions(), scopes=INVITE_SCOPES)
