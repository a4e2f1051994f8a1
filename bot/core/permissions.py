"""What the bot needs, where: the one list that /balint check, /group create and the invite link use."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Place(Enum):
    """Where a permission is granted."""

    TEXT = "text"
    VOICE = "voice"
    SERVER = "server"


@dataclass(frozen=True)
class Need:
    """One permission, by discord.py's flag name and the name Discord's client shows."""

    flag: str
    name: str
    why: str


NEEDS: dict[Place, tuple[Need, ...]] = {
    Place.TEXT: (
        Need("view_channel", "View Channel", "to see the group's channel"),
        Need("send_messages", "Send Messages", "to post the panel, notices and reminders"),
        Need("embed_links", "Embed Links", "to show the session panel"),
        Need("attach_files", "Attach Files", "to send calendar and attendance files"),
        Need("read_message_history", "Read Message History", "to update its panel and reminders"),
    ),
    Place.VOICE: (
        Need("view_channel", "View Channel", "to see who is in the meeting"),
        Need("connect", "Connect", "to see the voice channel's members"),
        Need("mute_members", "Mute Members", "to mute the presenter during the discussion"),
    ),
    Place.SERVER: (
        Need("manage_events", "Manage Events", "to put the meetings in the server's events"),
    ),
}

# Where each place's permissions are granted, as Discord's client names the steps.
WHERE = {
    Place.TEXT: "Edit Channel → Permissions on {channel}, for the bot's role",
    Place.VOICE: "Edit Channel → Permissions on {channel}, for the bot's role",
    Place.SERVER: "Server Settings → Roles → the bot's role",
}

INVITE_SCOPES = ("bot", "applications.commands")


def invite_flags() -> tuple[str, ...]:
    """Every permission the bot needs anywhere, once each, for its invite link."""
    seen: dict[str, None] = {}
    for needs in NEEDS.values():
        for need in needs:
            seen.setdefault(need.flag)
    return tuple(seen)
