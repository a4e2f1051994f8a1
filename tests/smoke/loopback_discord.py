"""A minimal Discord-compatible server (REST + gateway) on 127.0.0.1, for process-level tests.

It speaks just enough of API v10 for discord.py 2.7 to log in, sync its commands, connect to the
gateway, cache one server and answer slash commands and button presses; to post, edit and
de-duplicate messages as Discord does (`enforce_nonce`); to mute and unmute members in voice; and
to hold scheduled events. Every REST request and every gateway payload the bot sends is recorded,
so a test can wait for it and look at it. For the reliability tests it also injects faults (429s
and 5xx on a seeded share of matching requests), runs hooks when a request arrives (a test kills
the bot there, between Discord's change and the bot's record of it), and sends RECONNECT or drops
the gateway.

    server = LoopbackDiscord(token="smoke-token")
    await server.start()          # random free port on 127.0.0.1
    ... DISCORD_API_BASE=server.api_base, DISCORD_GATEWAY_URL=server.gateway_url ...
    await server.dispatch("INTERACTION_CREATE", server.command_interaction(...))
    await server.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import itertools
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

T = TypeVar("T")

API_PREFIX = "/api/v10"
GATEWAY_PATH = "/gateway"
HEARTBEAT_INTERVAL_MS = 41250

# Opcodes of the gateway.
DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, REQUEST_MEMBERS = 0, 1, 2, 6, 7, 8
INVALID_SESSION, HELLO, HEARTBEAT_ACK = 9, 10, 11

# Permission bits, as Discord numbers them.
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
CONNECT = 1 << 20
SPEAK = 1 << 21
MUTE_MEMBERS = 1 << 22
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_EVENTS = 1 << 33

EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | CONNECT | SPEAK | USE_APPLICATION_COMMANDS
)
ADMIN_ROLE_PERMISSIONS = MANAGE_GUILD | MANAGE_EVENTS
# What the bot's invite link asks for, beyond what everyone has.
BOT_ROLE_PERMISSIONS = EMBED_LINKS | ATTACH_FILES | MUTE_MEMBERS | MANAGE_EVENTS

EPHEMERAL = 1 << 6

# Snowflakes of the one server the bot is in (realistic sizes, fixed so failures are readable).
APP_ID = 1300000000000000001
BOT_ID = APP_ID
GUILD_ID = 1300000000000000100
OWNER_ID = 1300000000000000200
ADMIN_ID = 1300000000000000201
EVERYONE_ROLE_ID = GUILD_ID
ADMIN_ROLE_ID = 1300000000000000300
BOT_ROLE_ID = 1300000000000000301
TEXT_CHANNEL_ID = 1300000000000000400
VOICE_CHANNEL_ID = 1300000000000000401
# Members who can present: (id, name). They sit in voice from the start, room by room.
MEMBERS = ((1300000000000000210, "ada"), (1300000000000000211, "ben"), (1300000000000000212, "chloe"))

JOINED_AT = "2025-01-06T10:00:00.000000+00:00"
# Discord keeps a nonce for "a few minutes"; the bot must never rely on more than two.
NONCE_WINDOW_SECONDS = 300.0
NOT_IN_VOICE = 40032


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py decodes a body only when Content-Type is exactly "application/json" (no charset).
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})


def _not_found() -> web.Response:
    return _json({"message": "Unknown", "code": 0}, status=404)


@dataclass
class RecordedRequest:
    """One REST request the bot made."""

    method: str
    path: str  # relative to the API base, e.g. "/users/@me"
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    at: float = field(default_factory=time.time)
    status: int | None = None  # what the server answered, once it has


@dataclass
class GatewayConnection:
    """One gateway websocket and what the bot sent on it."""

    query: dict[str, str]
    socket: web.WebSocketResponse
    received: list[dict[str, Any]] = field(default_factory=list)
    sequence: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    identified: bool = False
    ready: bool = False  # READY and GUILD_CREATE were sent


@dataclass
class Faults:
    """Answer a seeded share of matching requests with an error instead of handling them.

    `after`: the share of those faults that come after the request was handled, as when Discord
    made the message but its answer was lost: only the bot's nonce keeps a retry from doubling it.
    `via`: the share of 429s that carry a `Via` header, which discord.py retries on its own.
    """

    method: str
    path: str
    share: float
    statuses: tuple[int, ...]
    seed: int
    after: float = 0.0
    via: float = 0.5
    budget: int | None = None  # at most this many faults in all
    injected: int = 0
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def matches(self, request: RecordedRequest) -> bool:
        return self.method in ("*", request.method) and fnmatch.fnmatch(request.path, self.path)

    def draw(self) -> tuple[int, bool, bool] | None:
        """Return (status, after handling, with Via) for a faulty answer, or None to handle normally."""
        if self.budget is not None and self.injected >= self.budget:
            return None
        if self.rng.random() >= self.share:
            return None
        self.injected += 1
        return self.rng.choice(self.statuses), self.rng.random() < self.after, self.rng.random() < self.via


@dataclass
class Hook:
    """Run `action` when a matching request arrives: before it is handled, or `after`, before the answer.

    `drop`: the request is then not handled at all, as if it never reached Discord.
    """

    method: str
    path: str
    action: Callable[[RecordedRequest], Awaitable[None]]
    where: Callable[[RecordedRequest], bool] = lambda request: True
    after: bool = False
    drop: bool = False
    once: bool = True
    fired: int = 0

    def matches(self, request: RecordedRequest) -> bool:
        return (self.method in ("*", request.method) and fnmatch.fnmatch(request.path, self.path)
                and self.where(request) and not (self.once and self.fired))


def _user(user_id: int, username: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id), "username": username, "discriminator": "0", "global_name": None,
        "avatar": None, "bot": bot, "system": False, "public_flags": 0, "flags": 0,
    }


def _role(role_id: int, name: str, permissions: int, position: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(role_id), "name": name, "color": 0, "colors": {"primary_color": 0},
        "hoist": False, "icon": None, "unicode_emoji": None, "position": position,
        "permissions": str(permissions), "managed": False, "mentionable": False, "flags": 0, **extra,
    }


def _member(user: dict[str, Any], roles: list[int], *, mute: bool = False) -> dict[str, Any]:
    return {
        "user": user, "nick": None, "avatar": None, "banner": None, "roles": [str(r) for r in roles],
        "joined_at": JOINED_AT, "premium_since": None, "deaf": False, "mute": mute, "flags": 0,
        "pending": False, "communication_disabled_until": None,
    }


def _text_channel(channel_id: int, name: str, position: int) -> dict[str, Any]:
    return {
        "id": str(channel_id), "type": 0, "guild_id": str(GUILD_ID), "name": name,
        "position": position, "permission_overwrites": [], "parent_id": None, "nsfw": False, "topic": None,
        "last_message_id": None, "rate_limit_per_user": 0, "flags": 0,
    }


def _voice_channel(channel_id: int, name: str, position: int) -> dict[str, Any]:
    return {
        "id": str(channel_id), "type": 2, "guild_id": str(GUILD_ID), "name": name,
        "position": position, "permission_overwrites": [], "parent_id": None, "nsfw": False,
        "bitrate": 64000, "user_limit": 0, "rtc_region": None, "video_quality_mode": 1,
        "last_message_id": None, "rate_limit_per_user": 0, "flags": 0,
    }


class LoopbackDiscord:
    """An in-process fake of Discord's REST API and gateway, bound to 127.0.0.1 on a free port.

    `rooms` pairs of a text and a voice channel; member number i sits in voice room i (if any).
    """

    def __init__(self, token: str = "smoke-token", *, rooms: int = 1) -> None:
        self.token = token
        self.requests: list[RecordedRequest] = []
        self.connections: list[GatewayConnection] = []
        self.commands: dict[str, dict[str, Any]] = {}  # global commands by name, as last synced
        self.messages: list[dict[str, Any]] = []  # messages the bot created, in order
        self.unhandled: list[RecordedRequest] = []  # requests only the catch-all answered (404)
        self.faults: list[Faults] = []
        self.hooks: list[Hook] = []
        self.events: dict[str, dict[str, Any]] = {}  # scheduled events by id
        self.mute_log: list[tuple[float, int, bool]] = []  # (when, user, muted) for every change made
        self.port = 0
        self._ids = itertools.count(1400000000000000000)
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._interactions: dict[str, dict[str, Any]] = {}
        # A close code to answer IDENTIFY with, as Discord does (4014: a privileged intent not enabled).
        self.identify_close_code: int | None = None
        self._by_id: dict[str, dict[str, Any]] = {}  # every message, by id
        self._originals: dict[str, dict[str, Any]] = {}  # interaction token -> its original message
        self._nonces: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self._recorded: dict[int, RecordedRequest] = {}  # requests being answered, by id(request)

        self.bot_user = _user(BOT_ID, "balint-smoke", bot=True)
        self.owner_user = _user(OWNER_ID, "owner")
        self.admin_user = _user(ADMIN_ID, "admin")
        self.rooms = [(TEXT_CHANNEL_ID + 10 * i, VOICE_CHANNEL_ID + 10 * i) for i in range(rooms)]
        self.people = {user_id: _user(user_id, name) for user_id, name in MEMBERS}
        # Voice states: user -> {"channel_id", "mute"}.
        self.voice: dict[int, dict[str, Any]] = {
            user_id: {"channel_id": self.rooms[i][1], "mute": False}
            for i, (user_id, _) in enumerate(MEMBERS) if i < rooms
        }

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """The value for DISCORD_API_BASE."""
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """The value for DISCORD_GATEWAY_URL."""
        return f"ws://127.0.0.1:{self.port}{GATEWAY_PATH}"

    async def start(self) -> None:
        """Listen on 127.0.0.1, on a port the OS picks."""
        app = web.Application(middlewares=[self._middleware])
        api = API_PREFIX
        app.router.add_get(GATEWAY_PATH, self._gateway)
        app.router.add_get(f"{api}/users/@me", self._users_me)
        app.router.add_get(f"{api}/oauth2/applications/@me", self._application_me)
        app.router.add_put(f"{api}/applications/{{app_id}}/commands", self._put_global_commands)
        app.router.add_get(f"{api}/applications/{{app_id}}/commands", self._get_global_commands)
        app.router.add_put(f"{api}/applications/{{app_id}}/guilds/{{guild_id}}/commands",
                           self._put_guild_commands)
        app.router.add_post(f"{api}/interactions/{{interaction_id}}/{{token}}/callback", self._callback)
        app.router.add_post(f"{api}/webhooks/{{app_id}}/{{token}}", self._followup)
        app.router.add_patch(f"{api}/webhooks/{{app_id}}/{{token}}/messages/{{message}}", self._edit_original)
        app.router.add_post(f"{api}/channels/{{channel_id}}/messages", self._create_message)
        app.router.add_patch(f"{api}/channels/{{channel_id}}/messages/{{message_id}}", self._edit_message)
        app.router.add_get(f"{api}/guilds/{{guild_id}}/members/{{user_id}}", self._get_member)
        app.router.add_patch(f"{api}/guilds/{{guild_id}}/members/{{user_id}}", self._edit_member)
        app.router.add_get(f"{api}/guilds/{{guild_id}}/scheduled-events", self._list_events)
        app.router.add_post(f"{api}/guilds/{{guild_id}}/scheduled-events", self._create_event)
        app.router.add_get(f"{api}/guilds/{{guild_id}}/scheduled-events/{{event_id}}", self._get_event)
        app.router.add_delete(f"{api}/guilds/{{guild_id}}/scheduled-events/{{event_id}}", self._delete_event)
        app.router.add_route("*", "/{tail:.*}", self._catch_all)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Close the gateway sockets still open, then stop listening."""
        for connection in self.connections:
            if not connection.socket.closed:
                await connection.socket.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LoopbackDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- waiting ---------------------------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, find: Callable[[], T | None], seconds: float, what: str = "condition") -> T:
        """Return find()'s first non-None result, re-checked on every request, payload, or tenth of a second."""
        try:
            async with asyncio.timeout(seconds):
                while (found := find()) is None:
                    # Also on a short beat: some conditions (a file, a process) change without a request.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), 0.1)
        except TimeoutError:
            raise TimeoutError(f"timed out after {seconds:g} s waiting for {what}") from None
        return found

    def find_request(self, method: str, path: str,
                     where: Callable[[RecordedRequest], bool] = lambda r: True) -> RecordedRequest | None:
        """Return the first recorded request with this method and path that satisfies `where`."""
        return next((r for r in self.requests if r.method == method and r.path == path and where(r)), None)

    def gateway_payloads(self, op: int) -> list[dict[str, Any]]:
        """Every payload with this opcode the bot sent, over all connections."""
        return [p for c in self.connections for p in c.received if p.get("op") == op]

    # -- fixtures: the server the bot is in ------------------------------------------------------

    def everyone_role(self) -> dict[str, Any]:
        return _role(EVERYONE_ROLE_ID, "@everyone", EVERYONE_PERMISSIONS, 0)

    def roles(self) -> list[dict[str, Any]]:
        return [
            self.everyone_role(),
            _role(ADMIN_ROLE_ID, "Admin", ADMIN_ROLE_PERMISSIONS, 1),
            _role(BOT_ROLE_ID, "balint-smoke", BOT_ROLE_PERMISSIONS, 2, managed=True,
                  tags={"bot_id": str(BOT_ID)}),
        ]

    def text_channel(self, room: int = 0) -> dict[str, Any]:
        suffix = "" if room == 0 else f"-{room + 1}"
        return _text_channel(self.rooms[room][0], f"balint-group{suffix}", 2 * room)

    def voice_channel(self, room: int = 0) -> dict[str, Any]:
        suffix = "" if room == 0 else f" {room + 1}"
        return _voice_channel(self.rooms[room][1], f"Balint room{suffix}", 2 * room + 1)

    def member(self, user_id: int) -> dict[str, Any]:
        """A member as Discord shows it, with their server mute."""
        if user_id == BOT_ID:
            return _member(self.bot_user, [BOT_ROLE_ID])
        if user_id == OWNER_ID:
            return _member(self.owner_user, [])
        if user_id == ADMIN_ID:
            return _member(self.admin_user, [ADMIN_ROLE_ID])
        state = self.voice.get(user_id)
        return _member(self.people[user_id], [], mute=bool(state and state["mute"]))

    def members(self) -> list[dict[str, Any]]:
        return [self.member(uid) for uid in (BOT_ID, OWNER_ID, ADMIN_ID, *self.people)]

    def voice_state(self, user_id: int) -> dict[str, Any]:
        state = self.voice[user_id]
        return {
            "guild_id": str(GUILD_ID), "channel_id": str(state["channel_id"]), "user_id": str(user_id),
            "member": self.member(user_id), "session_id": f"voice-{user_id}", "deaf": False,
            "mute": state["mute"], "self_deaf": False, "self_mute": False, "self_stream": False,
            "self_video": False, "suppress": False, "request_to_speak_timestamp": None,
        }

    def is_muted(self, user_id: int) -> bool:
        """Whether a member is server-muted now."""
        return bool(self.voice.get(user_id, {}).get("mute"))

    def guild_create(self) -> dict[str, Any]:
        """The GUILD_CREATE payload: channels, roles, voice states and every member (no chunking needed)."""
        members = self.members()
        channels = [c for room in range(len(self.rooms)) for c in (self.text_channel(room), self.voice_channel(room))]
        return {
            "id": str(GUILD_ID), "name": "Smoke Test Server", "icon": None, "splash": None,
            "discovery_splash": None, "owner_id": str(OWNER_ID), "afk_channel_id": None, "afk_timeout": 300,
            "verification_level": 0, "default_message_notifications": 1, "explicit_content_filter": 0,
            "roles": self.roles(), "emojis": [], "stickers": [], "features": [], "mfa_level": 0,
            "application_id": None, "system_channel_id": None, "system_channel_flags": 0,
            "rules_channel_id": None, "vanity_url_code": None, "description": None, "banner": None,
            "premium_tier": 0, "premium_subscription_count": 0, "preferred_locale": "en-US",
            "public_updates_channel_id": None, "nsfw_level": 0, "premium_progress_bar_enabled": False,
            "joined_at": JOINED_AT, "large": False, "unavailable": False, "member_count": len(members),
            "voice_states": [self.voice_state(uid) for uid in self.voice], "members": members,
            "channels": channels, "threads": [], "presences": [], "stage_instances": [],
            "guild_scheduled_events": list(self.events.values()), "soundboard_sounds": [],
        }

    def ready(self) -> dict[str, Any]:
        return {
            "v": 10, "user": {**self.bot_user, "verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
            "session_id": "loopback-session", "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APP_ID), "flags": 0}, "private_channels": [], "relationships": [],
        }

    def _interaction(self, kind: int, data: dict[str, Any], *, user_id: int, permissions: int,
                     room: int, **extra: Any) -> dict[str, Any]:
        interaction_id = str(next(self._ids))
        payload = {
            "id": interaction_id, "application_id": str(APP_ID), "type": kind, "data": data,
            "guild": {"id": str(GUILD_ID), "locale": "en-US", "features": []},
            "guild_id": str(GUILD_ID), "guild_locale": "en-US",
            "channel": self.text_channel(room), "channel_id": str(self.rooms[room][0]),
            "member": {**self.member(user_id), "permissions": str(permissions)},
            "token": f"interaction-token-{interaction_id}", "version": 1,
            "app_permissions": str(EVERYONE_PERMISSIONS | BOT_ROLE_PERMISSIONS),
            "locale": "en-US", "entitlements": [], "authorizing_integration_owners": {"0": str(GUILD_ID)},
            "context": 0, "attachment_size_limit": 10 * 1024 * 1024, **extra,
        }
        self._interactions[interaction_id] = payload
        return payload

    def command_interaction(self, command: str, options: list[dict[str, Any]], *,
                            resolved: dict[str, Any] | None = None, permissions: int | None = None,
                            user_id: int = ADMIN_ID, room: int = 0) -> dict[str, Any]:
        """An INTERACTION_CREATE for a synced slash command, used (by the admin) in a room's text channel."""
        synced = self.commands.get(command)
        if synced is None:
            raise KeyError(f"the bot did not sync a command named {command!r}")
        if permissions is None:
            permissions = EVERYONE_PERMISSIONS | (ADMIN_ROLE_PERMISSIONS if user_id == ADMIN_ID else 0)
        data: dict[str, Any] = {"id": synced["id"], "name": command, "type": 1, "options": options}
        if resolved:
            data["resolved"] = resolved
        return self._interaction(2, data, user_id=user_id, permissions=permissions, room=room)

    def button_interaction(self, message: dict[str, Any], custom_id: str, *, user_id: int = ADMIN_ID,
                           room: int = 0) -> dict[str, Any]:
        """An INTERACTION_CREATE for a press of a message's button."""
        permissions = EVERYONE_PERMISSIONS | (ADMIN_ROLE_PERMISSIONS if user_id == ADMIN_ID else 0)
        return self._interaction(3, {"custom_id": custom_id, "component_type": 2}, user_id=user_id,
                                 permissions=permissions, room=room, message=message)

    def resolved_channel(self, channel: dict[str, Any], permissions: int) -> dict[str, Any]:
        """A channel as `data.resolved.channels` gives it: with the invoker's permissions in it."""
        keep = ("id", "name", "type", "parent_id", "nsfw", "topic", "position", "flags",
                "rate_limit_per_user", "last_message_id")
        return {**{k: channel[k] for k in keep if k in channel}, "permissions": str(permissions)}

    def resolved_member(self, user_id: int) -> dict[str, Any]:
        """`data.resolved` for a user option."""
        member = self.member(user_id)
        return {"users": {str(user_id): member["user"]},
                "members": {str(user_id): {k: v for k, v in member.items() if k != "user"}
                            | {"permissions": str(EVERYONE_PERMISSIONS)}}}

    def message(self, message_id: str) -> dict[str, Any]:
        """A message as it is now (after edits)."""
        return self._by_id[message_id]

    def channel_messages(self, channel_id: int) -> list[dict[str, Any]]:
        """The bot's messages posted in a channel (not interaction answers), oldest first."""
        return [m for m in self.messages if m["channel_id"] == str(channel_id) and "interaction_metadata" not in m
                and not m.get("webhook_id")]

    # -- gateway ---------------------------------------------------------------------------------

    def ready_connection(self) -> GatewayConnection | None:
        """The newest open connection that was sent READY and GUILD_CREATE, if any."""
        live = [c for c in self.connections if c.ready and not c.socket.closed]
        return live[-1] if live else None

    async def dispatch(self, event: str, data: dict[str, Any], within: float = 10.0) -> None:
        """Send an event (op 0) once a connection is ready, so that it comes after GUILD_CREATE."""
        connection = await self.wait_for(self.ready_connection, within, "a ready gateway connection")
        await self._send_event(connection, event, data)

    async def reconnect(self) -> None:
        """Ask the bot to reconnect (op 7 RECONNECT), as Discord does when it moves a session."""
        connection = self.ready_connection()
        if connection is not None:
            await self._send(connection, {"op": RECONNECT, "d": None, "s": None, "t": None})

    async def drop(self) -> None:
        """Close the gateway under the bot, as a failing edge server does."""
        connection = self.ready_connection()
        if connection is not None:
            await connection.socket.close(code=4000, message=b"Unknown error.")

    async def _send(self, connection: GatewayConnection, payload: dict[str, Any]) -> None:
        async with connection.lock:
            if connection.socket.closed:
                return
            # Text frames of plain JSON: discord.py only decompresses binary frames.
            await connection.socket.send_str(json.dumps(payload))

    async def _send_event(self, connection: GatewayConnection, event: str, data: dict[str, Any]) -> None:
        connection.sequence += 1
        await self._send(connection, {"op": DISPATCH, "t": event, "s": connection.sequence, "d": data})

    async def _broadcast(self, event: str, data: dict[str, Any]) -> None:
        """Send an event on the ready connection, if there is one (a bot that is down misses it)."""
        connection = self.ready_connection()
        if connection is not None:
            await self._send_event(connection, event, data)

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        connection = GatewayConnection(query=dict(request.query), socket=socket)
        self.connections.append(connection)
        self._notify()
        await self._send(connection, {"op": HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS},
                                      "s": None, "t": None})
        async for message in socket:
            if message.type is not WSMsgType.TEXT:
                if message.type is WSMsgType.BINARY:
                    await socket.close(code=4002, message=b"Error while decoding payload.")
                break
            payload = json.loads(message.data)
            connection.received.append(payload)
            self._notify()
            await self._on_gateway_payload(connection, payload)
        self._notify()
        return socket

    async def _on_gateway_payload(self, connection: GatewayConnection, payload: dict[str, Any]) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == HEARTBEAT:
            await self._send(connection, {"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            if not isinstance(data, dict) or data.get("token") != self.token:
                await connection.socket.close(code=4004, message=b"Authentication failed.")
                return
            if self.identify_close_code is not None:
                await connection.socket.close(code=self.identify_close_code, message=b"Disallowed intent(s).")
                return
            connection.identified = True
            await self._send_event(connection, "READY", self.ready())
            await self._send_event(connection, "GUILD_CREATE", self.guild_create())
            connection.ready = True
            self._notify()
        elif op == RESUME:
            # Nothing was missed on a loopback: start over, as Discord does for a session it forgot.
            await self._send(connection, {"op": INVALID_SESSION, "d": False, "s": None, "t": None})
        elif op == REQUEST_MEMBERS and isinstance(data, dict):
            await self._send_event(connection, "GUILD_MEMBERS_CHUNK", {
                "guild_id": str(GUILD_ID), "members": self.members(), "chunk_index": 0, "chunk_count": 1,
                "not_found": [], "nonce": data.get("nonce"),
            })

    # -- REST ------------------------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request,
                          handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        """Record every REST request; inject the faults and run the hooks that match it."""
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        recorded = await self._record(request)
        try:
            return await self._answer(request, handler, recorded)
        finally:
            self._recorded.pop(id(request), None)

    async def _answer(self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
                      recorded: RecordedRequest) -> web.StreamResponse:
        dropped = False
        for hook in [h for h in self.hooks if not h.after and h.matches(recorded)]:
            hook.fired += 1
            await hook.action(recorded)
            dropped = dropped or hook.drop
        if dropped:
            recorded.status = 503
            return self._fault(503, via=False)
        fault = next((d for f in self.faults if f.matches(recorded) and (d := f.draw()) is not None), None)
        if fault is not None and not fault[1]:
            response: web.StreamResponse = self._fault(fault[0], fault[2])
        else:
            response = await handler(request)
            if fault is not None:
                response = self._fault(fault[0], fault[2])  # handled, but the answer is lost
        for hook in [h for h in self.hooks if h.after and h.matches(recorded)]:
            hook.fired += 1
            await hook.action(recorded)
        recorded.status = response.status
        self._notify()
        return response

    @staticmethod
    def _fault(status: int, via: bool) -> web.Response:
        if status == 429:
            headers = {"Retry-After": "0.2", "X-RateLimit-Scope": "user"}
            if via:
                headers["Via"] = "1.1 google"
            return _json({"message": "You are being rate limited.", "retry_after": 0.2, "global": False},
                         status=429, headers=headers)
        reason = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                  504: "Gateway Timeout"}.get(status, "Error")
        return _json({"message": reason, "code": 0}, status=status)

    async def _record(self, request: web.Request) -> RecordedRequest:
        cached = self._recorded.get(id(request))
        if cached is not None:
            return cached
        body: Any = None
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
            elif request.content_type.startswith("multipart/"):
                form = await request.post()
                raw = form.get("payload_json")
                body = json.loads(raw) if isinstance(raw, str) else None
            else:
                body = await request.text()
        path = request.path
        if path.startswith(API_PREFIX):
            path = path[len(API_PREFIX):]
        recorded = RecordedRequest(request.method, path, dict(request.query), dict(request.headers), body)
        self._recorded[id(request)] = recorded
        self.requests.append(recorded)
        self._notify()
        return recorded

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bot {self.token}"

    def _unauthorized(self) -> web.Response:
        return _json({"message": "401: Unauthorized", "code": 0}, status=401)

    async def _users_me(self, request: web.Request) -> web.Response:
        await self._record(request)
        if not self._authorized(request):
            return self._unauthorized()
        return _json({**self.bot_user, "verified": True, "mfa_enabled": False, "locale": "en-US"})

    async def _application_me(self, request: web.Request) -> web.Response:
        await self._record(request)
        if not self._authorized(request):
            return self._unauthorized()
        return _json({
            "id": str(APP_ID), "name": "balint-smoke", "icon": None, "description": "",
            "summary": "", "type": None, "bot_public": True, "bot_require_code_grant": False,
            "verify_key": "0" * 64, "flags": 0, "owner": self.owner_user, "team": None,
            "bot": self.bot_user, "redirect_uris": [], "interactions_endpoint_url": None,
            "approximate_guild_count": 1, "tags": [],
        })

    def _with_ids(self, commands: list[dict[str, Any]], guild_id: str | None = None) -> list[dict[str, Any]]:
        known = {c["name"]: c["id"] for c in self.commands.values()} if guild_id is None else {}
        synced = []
        for command in commands:
            synced.append({
                # As Discord answers: a context-menu command comes back with an empty description.
                "type": 1, "options": [], "default_member_permissions": None, "nsfw": False, "description": "",
                **command,
                "id": known.get(command["name"]) or str(next(self._ids)),
                "application_id": str(APP_ID), "version": str(next(self._ids)),
                **({"guild_id": guild_id} if guild_id else {}),
            })
        return synced

    async def _put_global_commands(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        if not self._authorized(request):
            return self._unauthorized()
        if request.match_info["app_id"] != str(APP_ID):
            return _not_found()
        synced = self._with_ids(recorded.json or [])
        self.commands = {c["name"]: c for c in synced}
        self._notify()
        return _json(synced)

    async def _get_global_commands(self, request: web.Request) -> web.Response:
        await self._record(request)
        return _json(list(self.commands.values()))

    async def _put_guild_commands(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        if not self._authorized(request):
            return self._unauthorized()
        return _json(self._with_ids(recorded.json or [], request.match_info["guild_id"]))

    def _message(self, channel_id: str, body: dict[str, Any], *, interaction: dict[str, Any] | None = None
                 ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "id": str(next(self._ids)), "channel_id": channel_id, "author": self.bot_user,
            "content": body.get("content") or "", "timestamp": _now(), "edited_timestamp": None,
            "tts": bool(body.get("tts")), "mention_everyone": False, "mentions": [], "mention_roles": [],
            "attachments": [], "embeds": body.get("embeds") or [], "components": body.get("components") or [],
            "pinned": False, "type": 0, "flags": body.get("flags") or 0,
        }
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        if interaction is not None:
            message["type"] = 20  # a reply to a chat-input command
            message["application_id"] = str(APP_ID)
            message["webhook_id"] = str(APP_ID)
            member = interaction.get("member") or {}
            message["interaction_metadata"] = {
                "id": interaction["id"], "type": interaction["type"], "user": member.get("user"),
                "authorizing_integration_owners": interaction.get("authorizing_integration_owners", {}),
            }
        self.messages.append(message)
        self._by_id[message["id"]] = message
        return message

    def _edit(self, message: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        for key in ("content", "embeds", "components", "flags"):
            if key in body and body[key] is not None:
                message[key] = body[key]
        message["edited_timestamp"] = _now()
        self._notify()
        return message

    async def _callback(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        interaction_id = request.match_info["interaction_id"]
        interaction = self._interactions.get(interaction_id)
        if interaction is None or request.match_info["token"] != interaction["token"]:
            return _json({"message": "Unknown interaction", "code": 10062}, status=404)
        body = recorded.json if isinstance(recorded.json, dict) else {}
        kind = body.get("type")
        data = body.get("data") or {}
        flags = data.get("flags") or 0
        resource: dict[str, Any] = {"type": kind}
        message_id = None
        if kind == 4:  # a message was sent
            channel_id = interaction.get("channel_id", str(TEXT_CHANNEL_ID))
            message = self._message(channel_id, data, interaction=interaction)
            self._originals[interaction["token"]] = message
            resource["message"] = message
            message_id = message["id"]
        elif kind == 7 and "message" in interaction:  # the pressed button's message was edited
            message = self._edit(self._by_id.get(interaction["message"]["id"], interaction["message"]), data)
            resource["message"] = message
            message_id = message["id"]
        elif kind == 6 and "message" in interaction:  # deferred: the original is the pressed message
            self._originals[interaction["token"]] = self._by_id.get(interaction["message"]["id"],
                                                                    interaction["message"])
        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        return _json({
            "interaction": {
                "id": interaction_id, "type": interaction["type"],
                "response_message_id": message_id, "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(flags & EPHEMERAL),
            },
            "resource": resource,
        })

    async def _followup(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        body = recorded.json if isinstance(recorded.json, dict) else {}
        interaction = next((i for i in self._interactions.values() if i["token"] == request.match_info["token"]), None)
        message = self._message(str(TEXT_CHANNEL_ID), body, interaction=interaction)
        self._originals.setdefault(request.match_info["token"], message)
        return _json(message)

    async def _edit_original(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        body = recorded.json if isinstance(recorded.json, dict) else {}
        original = self._originals.get(request.match_info["token"])
        if request.match_info["message"] == "@original" and original is not None:
            return _json(self._edit(original, body))
        return _json(self._message(str(TEXT_CHANNEL_ID), body))

    async def _create_message(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        if not self._authorized(request):
            return self._unauthorized()
        channel_id = request.match_info["channel_id"]
        if channel_id not in {str(c) for room in self.rooms for c in room}:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        body = recorded.json if isinstance(recorded.json, dict) else {}
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            # As Discord documents it: the same author's same nonce within a few minutes gives back
            # the message already created, and creates none.
            key = (str(BOT_ID), str(nonce))
            seen = self._nonces.get(key)
            if seen is not None and time.monotonic() - seen[0] < NONCE_WINDOW_SECONDS:
                return _json(seen[1])
        message = self._message(channel_id, body)
        message["guild_id"] = str(GUILD_ID)
        if nonce is not None and body.get("enforce_nonce"):
            self._nonces[(str(BOT_ID), str(nonce))] = (time.monotonic(), message)
        return _json(message)

    async def _edit_message(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        message = self._by_id.get(request.match_info["message_id"])
        if message is None or message["channel_id"] != request.match_info["channel_id"]:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        return _json(self._edit(message, recorded.json if isinstance(recorded.json, dict) else {}))

    def _known_member(self, request: web.Request) -> int | None:
        raw = request.match_info["user_id"]
        user_id = int(raw) if raw.isdigit() else 0
        known = user_id in self.people or user_id in (BOT_ID, OWNER_ID, ADMIN_ID)
        return user_id if known and request.match_info["guild_id"] == str(GUILD_ID) else None

    async def _get_member(self, request: web.Request) -> web.Response:
        await self._record(request)
        user_id = self._known_member(request)
        if user_id is None:
            return _json({"message": "Unknown Member", "code": 10007}, status=404)
        return _json(self.member(user_id))

    async def _edit_member(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        user_id = self._known_member(request)
        if user_id is None:
            return _json({"message": "Unknown Member", "code": 10007}, status=404)
        body = recorded.json if isinstance(recorded.json, dict) else {}
        if "mute" in body:
            state = self.voice.get(user_id)
            if state is None or state["channel_id"] is None:
                return _json({"message": "Target user is not connected to voice.", "code": NOT_IN_VOICE},
                             status=400)
            if state["mute"] != bool(body["mute"]):
                state["mute"] = bool(body["mute"])
                self.mute_log.append((time.time(), user_id, state["mute"]))
            await self._broadcast("VOICE_STATE_UPDATE", self.voice_state(user_id))
        return _json(self.member(user_id))

    def _event(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": str(next(self._ids)), "guild_id": str(GUILD_ID), "channel_id": body.get("channel_id"),
            "creator_id": str(BOT_ID), "creator": self.bot_user, "name": body.get("name"),
            "description": body.get("description"), "scheduled_start_time": body.get("scheduled_start_time"),
            "scheduled_end_time": body.get("scheduled_end_time"), "privacy_level": body.get("privacy_level", 2),
            "status": 1, "entity_type": body.get("entity_type", 2), "entity_id": None, "entity_metadata": None,
            "user_count": 0, "image": None, "recurrence_rule": None,
        }

    async def _list_events(self, request: web.Request) -> web.Response:
        await self._record(request)
        return _json(list(self.events.values()))

    async def _create_event(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        event = self._event(recorded.json if isinstance(recorded.json, dict) else {})
        self.events[event["id"]] = event
        await self._broadcast("GUILD_SCHEDULED_EVENT_CREATE", event)
        return _json(event)

    async def _get_event(self, request: web.Request) -> web.Response:
        await self._record(request)
        event = self.events.get(request.match_info["event_id"])
        return _json(event) if event else _json({"message": "Unknown Guild Scheduled Event", "code": 10070}, 404)

    async def _delete_event(self, request: web.Request) -> web.Response:
        await self._record(request)
        event = self.events.pop(request.match_info["event_id"], None)
        if event is None:
            return _json({"message": "Unknown Guild Scheduled Event", "code": 10070}, 404)
        await self._broadcast("GUILD_SCHEDULED_EVENT_DELETE", event)
        return web.Response(status=204)

    async def _catch_all(self, request: web.Request) -> web.Response:
        self.unhandled.append(await self._record(request))
        return _not_found()
