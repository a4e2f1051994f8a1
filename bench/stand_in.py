"""An in-process stand-in for Discord's REST API, at discord.py's `HTTPClient.request`, and servers to cache.

For the benchmarks that run many sessions in real (scaled) time: SimCord moves time itself, and
a socket server would weigh more than the bots measured. The stand-in answers at once, as
Discord would were it infinitely fast, de-duplicates messages by nonce as Discord does with
`enforce_nonce`, and records every request with the moment it arrived (monotonic), so that a
benchmark can tell how late each notice came. Servers are handed to discord.py's cache as the
gateway's GUILD_CREATE would, without a gateway.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord
from discord.http import Route

APP_ID = 1500000000000000001
BOT_ID = APP_ID
TOKEN = "bench-token"


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    """Return a user as Discord sends it."""
    return {"id": str(user_id), "username": name, "discriminator": "0", "global_name": None, "avatar": None,
            "bot": bot, "system": False, "public_flags": 0, "flags": 0}


BOT_USER = user(BOT_ID, "balint-bench", bot=True)


@dataclass(frozen=True)
class Server:
    """One server to cache: a text and a voice channel per group, its people, who sits in voice."""

    guild_id: int
    rooms: tuple[tuple[int, int], ...]  # (text channel, voice channel) per group
    people: tuple[int, ...]
    in_voice: dict[int, int] = field(default_factory=dict)  # user -> voice channel

    def payload(self) -> dict[str, Any]:
        """Return the server as a GUILD_CREATE carries it."""
        channels: list[dict[str, Any]] = []
        for n, (text, voice) in enumerate(self.rooms):
            channels.append({"id": str(text), "type": 0, "name": f"balint-{n}", "position": 2 * n,
                             "permission_overwrites": [], "parent_id": None, "nsfw": False, "topic": None,
                             "rate_limit_per_user": 0, "last_message_id": None, "guild_id": str(self.guild_id)})
            channels.append({"id": str(voice), "type": 2, "name": f"Balint Room {n}", "position": 2 * n + 1,
                             "permission_overwrites": [], "parent_id": None, "nsfw": False, "bitrate": 64000,
                             "user_limit": 0, "rtc_region": None, "guild_id": str(self.guild_id)})
        members = [{"user": BOT_USER, "roles": [], "joined_at": "2026-01-05T10:00:00+00:00", "deaf": False,
                    "mute": False, "flags": 0}]
        members += [{"user": user(p, f"member-{p}"), "roles": [], "joined_at": "2026-01-05T10:00:00+00:00",
                     "deaf": False, "mute": False, "flags": 0} for p in self.people]
        voice_states = [{"user_id": str(p), "channel_id": str(c), "session_id": f"v{p}", "deaf": False,
                         "mute": False, "self_deaf": False, "self_mute": False, "self_video": False,
                         "suppress": False, "request_to_speak_timestamp": None}
                        for p, c in self.in_voice.items()]
        return {
            "id": str(self.guild_id), "name": f"Server {self.guild_id}", "icon": None, "splash": None,
            "discovery_splash": None, "owner_id": str(self.people[0] if self.people else BOT_ID),
            "afk_channel_id": None, "afk_timeout": 300, "verification_level": 0,
            "default_message_notifications": 0, "explicit_content_filter": 0,
            "roles": [{"id": str(self.guild_id), "name": "@everyone", "color": 0, "hoist": False, "position": 0,
                       "permissions": str(0x1_0000_0000 | 0x7FFFFFFF), "managed": False, "mentionable": False,
                       "flags": 0}],
            "emojis": [], "features": [], "mfa_level": 0, "application_id": None, "system_channel_id": None,
            "system_channel_flags": 0, "rules_channel_id": None, "vanity_url_code": None, "description": None,
            "banner": None, "premium_tier": 0, "preferred_locale": "en-US", "public_updates_channel_id": None,
            "nsfw_level": 0, "stickers": [], "premium_progress_bar_enabled": False, "large": False,
            "member_count": len(members), "members": members, "channels": channels, "threads": [],
            "voice_states": voice_states, "presences": [], "stage_instances": [], "guild_scheduled_events": [],
            "joined_at": "2026-01-05T10:00:00+00:00", "unavailable": False, "lazy": True,
        }


@dataclass
class Arrival:
    """One request the bot made, with when it arrived (monotonic seconds) and its JSON body."""

    at: float
    method: str
    path: str
    json: Any


_MESSAGES = re.compile(r"^/channels/(\d+)/messages$")
_MESSAGE = re.compile(r"^/channels/(\d+)/messages/(\d+)$")
_MEMBER = re.compile(r"^/guilds/(\d+)/members/(\d+)$")
_COMMANDS = re.compile(r"^/applications/\d+(/guilds/\d+)?/commands$")
_EVENTS = re.compile(r"^/guilds/\d+/scheduled-events$")


class StandIn:
    """Discord's REST API as a function: every answer at once, every request recorded."""

    def __init__(self, on_message: Callable[[Arrival, dict[str, Any]], None] | None = None) -> None:
        self.arrivals: list[Arrival] = []
        self.unknown: list[str] = []
        self.resends = 0  # creates answered with the message a nonce already made
        self._ids = itertools.count(1600000000000000000)
        self._by_nonce: dict[tuple[str, str], dict[str, Any]] = {}
        self._on_message = on_message

    def attach(self, client: discord.Client) -> None:
        """Make a client's REST calls come here instead of the network."""
        client.http.request = self.request  # type: ignore[method-assign]

    @staticmethod
    def feed(client: discord.Client, servers: list[Server]) -> None:
        """Put servers in a client's cache, as the gateway's GUILD_CREATEs would."""
        state: Any = client._connection
        for server in servers:
            state._add_guild_from_data(server.payload())

    async def login(self, client: discord.Client) -> None:
        """Log a client in through the stand-in (runs its setup_hook)."""
        self.attach(client)
        await client.login(TOKEN)

    def _message(self, channel_id: str, body: dict[str, Any], message_id: str | None = None) -> dict[str, Any]:
        return {
            "id": message_id or str(next(self._ids)), "channel_id": channel_id, "author": BOT_USER,
            "content": body.get("content") or "", "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [], "mention_roles": [],
            "attachments": [], "embeds": body.get("embeds") or [], "components": body.get("components") or [],
            "pinned": False, "type": 0, "flags": 0, **({"nonce": body["nonce"]} if body.get("nonce") else {}),
        }

    async def request(self, route: Route, *, files: Any = None, form: Any = None, **kwargs: Any) -> Any:
        """Answer one REST call."""
        body: dict[str, Any] = kwargs.get("json") or {}
        path = route.url[len(Route.BASE):].split("?")[0]
        arrival = Arrival(time.monotonic(), route.method, path, body)
        self.arrivals.append(arrival)
        method = route.method
        if method == "POST" and (found := _MESSAGES.match(path)):
            nonce = body.get("nonce")
            key = (found[1], str(nonce))
            if nonce and key in self._by_nonce:
                self.resends += 1
                return self._by_nonce[key]
            message = self._message(found[1], body)
            if nonce:
                self._by_nonce[key] = message
            if self._on_message is not None:
                self._on_message(arrival, message)
            return message
        if method == "PATCH" and (found := _MESSAGE.match(path)):
            return self._message(found[1], body, found[2])
        if method == "DELETE" and _MESSAGE.match(path):
            return None
        if method == "PATCH" and (found := _MEMBER.match(path)):
            return {"user": user(int(found[2]), "member"), "roles": [], "joined_at": "2026-01-05T10:00:00+00:00",
                    "deaf": False, "mute": bool(body.get("mute")), "flags": 0}
        if method == "GET" and path == "/users/@me":
            return {**BOT_USER, "verified": True, "mfa_enabled": False, "locale": "en-US"}
        if method == "GET" and path == "/oauth2/applications/@me":
            return {"id": str(APP_ID), "name": "balint-bench", "icon": None, "description": "", "summary": "",
                    "type": None, "bot_public": True, "bot_require_code_grant": False, "verify_key": "0" * 64,
                    "flags": 0, "owner": user(BOT_ID + 1, "owner"), "team": None, "bot": BOT_USER,
                    "redirect_uris": [], "interactions_endpoint_url": None, "tags": []}
        if method == "PUT" and _COMMANDS.match(path):
            return [{"type": 1, "options": [], "default_member_permissions": None, "nsfw": False,
                     "description": "", **command, "id": str(next(self._ids)), "application_id": str(APP_ID),
                     "version": "1"} for command in (kwargs.get("json") or [])]
        if method == "GET" and _EVENTS.match(path):
            return []
        self.unknown.append(f"{method} {path}")
        return {}

    def count(self, method: str | None = None, pattern: str = "") -> int:
        """Count the requests of a method whose path matches a regular expression."""
        wanted = re.compile(pattern)
        return sum(1 for a in self.arrivals if (method is None or a.method == method) and wanted.search(a.path))
