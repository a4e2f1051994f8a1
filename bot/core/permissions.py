"""What the bot needs, where: the one list that /balint check, /group create and the invite link use."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.core.text import N_


class Place(Enum):
    """Where a permission is granted."""

    TEXT = "text"
    VOICE = "voice"
    SERVER = "server"


@dataclass(frozen=True)
class Need:
    """One permission, by discord.py's flag name, the name Discord's client shows, and what for (msgids)."""

    flag: str
    name: str
    why: str


NEEDS: dict[Place, tuple[Need, ...]] = {
    Place.TEXT: (
        Need("view_channel", N_("View Channel"), N_("to see the group's channel")),
        Need("send_messages", N_("Send Messages"), N_("to post the panel, notices and reminders")),
        Need("embed_links", N_("Embed Links"), N_("to show the session panel")),
        Need("attach_files", N_("Attach Files"), N_("to send calendar and attendance files")),
        Need("read_message_history", N_("Read Message History"), N_("to update its panel and reminders")),
    ),
    Place.VOICE: (
        Need("view_channel", N_("View Channel"), N_("to see who is in the meeting")),
        Need("connect", N_("Connect"), N_("to see the voice channel's members")),
        Need("mute_members", N_("Mute Members"), N_("to mute the presenter during the discussion")),
    ),
    Place.SERVER: (
        Need("manage_events", N_("Manage Events"), N_("to put the meetings in the server's events")),
    ),
}

# Where each place's permissions are granted, as Discord's client names the steps.
# Translators: use the names of Discord's own menus in your language.
WHERE = {
    Place.TEXT: N_("Edit Channel → Permissions on {channel}, for the bot's role"),
    Place.VOICE: N_("Edit Channel → Permissions on {channel}, for the bot's role"),
    Place.SERVER: N_("Server Settings → Roles → the bot's role"),
}

INVITE_SCOPES = ("bot", "applications.commands")


def invite_flags() -> tuple[str, ...]:
    """Every permission the bot needs anywhere, once each, for its invite link."""
    seen: dict[str, None] = {}
    for needs in NEEDS.values():
        for need in needs:
            seen.setdefault(need.flag)
    return tuple(seen)
