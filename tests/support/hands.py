"""Hands for the e2e tests: many members pressing a button at the same moment, and readers of the panel's lists.

SimCord runs one person's action at a time and lets the bot finish all it started before the
next (a click settles the bot). A group pressing together is another thing: Discord delivers
every press before the bot has answered the first. `press_at_once` does that: it builds each
member's click as SimCord's own `click` does, delivers them all, and only then lets the bot
work, so the bot meets the burst as it would meet it on Discord.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord
import simcord
from simcord import interactions
from simcord.backend import serializers
from simcord.enums import ComponentType, InteractionType


def field(panel: discord.Message, name: str) -> str | None:
    """A field of the panel's embed by name, or None if the panel has none such."""
    return next((str(f.value) for f in panel.embeds[0].fields if f.name == name), None)


def hands_listed(panel: discord.Message, name: str = "Raised hands") -> list[str]:
    """The mentions the panel's raised hands list shows, in order ([] when none is raised)."""
    value = field(panel, name)
    assert value is not None, f"the panel has no {name!r} field"
    lines = value.splitlines()
    if len(lines) == 1 and not lines[0][:1].isdigit():
        return []
    return [line.split(". ", 1)[1] for line in lines]


def panel_patches(env: simcord.Env, panel: discord.Message, since: int = 0) -> list[object]:
    """The bot's edits of the panel message (PATCH requests) since a point in the request log."""
    path = f"/channels/{panel.channel.id}/messages/{panel.id}"
    return [r for r in env.http_requests[since:] if r.method == "PATCH" and r.path == path]


def as_seen(env: simcord.Env, message: discord.Message) -> dict[str, Any]:
    """The message as Discord holds it now, for a press made on it before a later edit lands."""
    return dict(serializers.message_payload(env.backend, env.backend.get_message(message.channel.id, message.id)))


async def press_at_once(env: simcord.Env, members: Sequence[simcord.MemberActor], message: discord.Message,
                        label: str, *, seen: dict[str, Any] | None = None) -> list[simcord.InteractionResult]:
    """Let every member click the button at the same moment; return each one's result, in order.

    `seen` (from `as_seen`) is the message as it was when they pressed: Discord took the presses
    before the bot's edit that followed reached it, as happens when a press crosses a phase change.
    """
    payload_message = seen if seen is not None else as_seen(env, message)
    button = next(c for row in payload_message["components"] for c in row["components"] if c.get("label") == label)
    records = []
    for member in members:
        record, payload = interactions.base_payload(
            env.backend, type=InteractionType.MESSAGE_COMPONENT, channel_id=message.channel.id,
            guild_id=member.guild.id, user_id=member.id,
            data={"custom_id": button["custom_id"], "component_type": ComponentType.BUTTON})
        payload["message"] = payload_message
        record.source_message_id = message.id
        records.append(record)
        env.backend.emit("INTERACTION_CREATE", payload)
    await env.settle()
    return [simcord.InteractionResult(env, record) for record in records]
