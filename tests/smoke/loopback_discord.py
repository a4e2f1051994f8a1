"""A minimal Discord-compatible server (REST + gateway) on 127.0.0.1, for process-level tests.

It speaks just enough of API v10 for discord.py 2.7 to log in, sync its commands, connect to the
gateway, cache one server and answer slash commands. Every REST request and every gateway payload
the bot sends is recorded, so a test can wait for it and look at it.

    server = LoopbackDiscord(token="smoke-token")
    await server.start()          # random free port on 127.0.0.1
    ... DISCORD_API_BASE=server.api_base, DISCORD_GATEWAY_URL=server.gateway_url ...
    await server.dispatch("INTERACTION_CREATE", server.command_interaction(...))
    await server.stop()
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
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

JOINED_AT = "2025-01-06T10:00:00.000000+00:00"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py decodes a body only when Content-Type is exactly "application/json" (no charset).
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json"})


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


def _member(user: dict[str, Any], roles: list[int]) -> dict[str, Any]:
    return {
        "user": user, "nick": None, "avatar": None, "banner": None, "roles": [str(r) for r in roles],
        "joined_at": JOINED_AT, "premium_since": None, "deaf": False, "mute": False, "flags": 0,
        "pending": False, "communication_disabled_until": None,
    }


class LoopbackDiscord:
    """An in-process fake of Discord's REST API and gateway, bound to 127.0.0.1 on a free port."""

    def __init__(self, token: str = "smoke-token") -> None:
        self.token = token
        self.requests: list[RecordedRequest] = []
        self.connections: list[GatewayConnection] = []
        self.commands: dict[str, dict[str, Any]] = {}  # global commands by name, as last synced
        self.messages: list[dict[str, Any]] = []  # messages the bot created, in order
        self.unhandled: list[RecordedRequest] = []  # requests only the catch-all answered (404)
        self.port = 0
        self._ids = itertools.count(1400000000000000000)
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._interactions: dict[str, dict[str, Any]] = {}
        # A close code to answer IDENTIFY with, as Discord does (4014: a privileged intent not enabled).
        self.identify_close_code: int | None = None

        self.bot_user = _user(BOT_ID, "balint-smoke", bot=True)
        self.owner_user = _user(OWNER_ID, "owner")
        self.admin_user = _user(ADMIN_ID, "admin")

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
        app = web.Application()
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
        """Return find()'s first non-None result, re-checked on every request or gateway payload."""
        try:
            async with asyncio.timeout(seconds):
                while (found := find()) is None:
                    await self._changed.wait()
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

    def text_channel(self) -> dict[str, Any]:
        return {
            "id": str(TEXT_CHANNEL_ID), "type": 0, "guild_id": str(GUILD_ID), "name": "balint-group",
            "position": 0, "permission_overwrites": [], "parent_id": None, "nsfw": False, "topic": None,
            "last_message_id": None, "rate_limit_per_user": 0, "flags": 0,
        }

    def voice_channel(self) -> dict[str, Any]:
        return {
            "id": str(VOICE_CHANNEL_ID), "type": 2, "guild_id": str(GUILD_ID), "name": "Balint room",
            "position": 1, "permission_overwrites": [], "parent_id": None, "nsfw": False,
            "bitrate": 64000, "user_limit": 0, "rtc_region": None, "video_quality_mode": 1,
            "last_message_id": None, "rate_limit_per_user": 0, "flags": 0,
        }

    def members(self) -> list[dict[str, Any]]:
        return [
            _member(self.bot_user, [BOT_ROLE_ID]),
            _member(self.owner_user, []),
            _member(self.admin_user, [ADMIN_ROLE_ID]),
        ]

    def guild_create(self) -> dict[str, Any]:
        """The GUILD_CREATE payload: channels, roles and every member (so no chunking is needed)."""
        members = self.members()
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
            "voice_states": [], "members": members, "channels": [self.text_channel(), self.voice_channel()],
            "threads": [], "presences": [], "stage_instances": [], "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def ready(self) -> dict[str, Any]:
        return {
            "v": 10, "user": {**self.bot_user, "verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
            "session_id": "loopback-session", "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APP_ID), "flags": 0}, "private_channels": [], "relationships": [],
        }

    def command_interaction(self, command: str, options: list[dict[str, Any]], *,
                            resolved: dict[str, Any] | None = None,
                            permissions: int | None = None) -> dict[str, Any]:
        """An INTERACTION_CREATE for a synced slash command, used by the admin in the text channel."""
        synced = self.commands.get(command)
        if synced is None:
            raise KeyError(f"the bot did not sync a command named {command!r}")
        if permissions is None:
            permissions = EVERYONE_PERMISSIONS | ADMIN_ROLE_PERMISSIONS
        data: dict[str, Any] = {"id": synced["id"], "name": command, "type": 1, "options": options}
        if resolved:
            data["resolved"] = resolved
        interaction_id = str(next(self._ids))
        payload = {
            "id": interaction_id, "application_id": str(APP_ID), "type": 2, "data": data,
            "guild": {"id": str(GUILD_ID), "locale": "en-US", "features": []},
            "guild_id": str(GUILD_ID), "guild_locale": "en-US",
            "channel": self.text_channel(), "channel_id": str(TEXT_CHANNEL_ID),
            "member": {**_member(self.admin_user, [ADMIN_ROLE_ID]), "permissions": str(permissions)},
            "token": f"interaction-token-{interaction_id}", "version": 1,
            "app_permissions": str(EVERYONE_PERMISSIONS | BOT_ROLE_PERMISSIONS),
            "locale": "en-US", "entitlements": [], "authorizing_integration_owners": {"0": str(GUILD_ID)},
            "context": 0, "attachment_size_limit": 10 * 1024 * 1024,
        }
        self._interactions[interaction_id] = payload
        return payload

    def resolved_channel(self, channel: dict[str, Any], permissions: int) -> dict[str, Any]:
        """A channel as `data.resolved.channels` gives it: with the invoker's permissions in it."""
        keep = ("id", "name", "type", "parent_id", "nsfw", "topic", "position", "flags",
                "rate_limit_per_user", "last_message_id")
        return {**{k: channel[k] for k in keep if k in channel}, "permissions": str(permissions)}

    # -- gateway ---------------------------------------------------------------------------------

    def ready_connection(self) -> GatewayConnection | None:
        """The newest open connection that was sent READY and GUILD_CREATE, if any."""
        live = [c for c in self.connections if c.ready and not c.socket.closed]
        return live[-1] if live else None

    async def dispatch(self, event: str, data: dict[str, Any], within: float = 10.0) -> None:
        """Send an event (op 0) once a connection is ready, so that it comes after GUILD_CREATE."""
        connection = await self.wait_for(self.ready_connection, within, "a ready gateway connection")
        await self._send_event(connection, event, data)

    async def _send(self, connection: GatewayConnection, payload: dict[str, Any]) -> None:
        async with connection.lock:
            # Text frames of plain JSON: discord.py only decompresses binary frames.
            await connection.socket.send_str(json.dumps(payload))

    async def _send_event(self, connection: GatewayConnection, event: str, data: dict[str, Any]) -> None:
        connection.sequence += 1
        await self._send(connection, {"op": DISPATCH, "t": event, "s": connection.sequence, "d": data})

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

    async def _record(self, request: web.Request) -> RecordedRequest:
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
        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        resource: dict[str, Any] = {"type": kind}
        message_id = None
        if kind in (4, 7):  # a message was sent or edited
            channel_id = interaction.get("channel_id", str(TEXT_CHANNEL_ID))
            message = self._message(channel_id, data, interaction=interaction)
            resource["message"] = message
            message_id = message["id"]
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
        return _json(self._message(str(TEXT_CHANNEL_ID), body))

    async def _edit_original(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        body = recorded.json if isinstance(recorded.json, dict) else {}
        return _json(self._message(str(TEXT_CHANNEL_ID), body))

    async def _create_message(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        if not self._authorized(request):
            return self._unauthorized()
        channel_id = request.match_info["channel_id"]
        if channel_id not in (str(TEXT_CHANNEL_ID), str(VOICE_CHANNEL_ID)):
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        body = recorded.json if isinstance(recorded.json, dict) else {}
        message = self._message(channel_id, body)
        message["guild_id"] = str(GUILD_ID)
        return _json(message)

    async def _catch_all(self, request: web.Request) -> web.Response:
        self.unhandled.append(await self._record(request))
        return _not_found()
