"""The reliability rig: a loopback Discord, and `python -m bot` processes run against it one at a time.

The processes share one database and one sped-up clock (BALINT_TIME_SCALE with a common
BALINT_TIME_ORIGIN), so that a bot killed and started again finds its sessions where they are.
The rig acts as the users do (slash commands, buttons) and reads what they would see (the
channel's messages, the voice states) and the database.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.smoke.loopback_discord import (
    ADMIN_ID,
    ADMIN_ROLE_PERMISSIONS,
    EVERYONE_PERMISSIONS,
    MEMBERS,
    LoopbackDiscord,
    RecordedRequest,
)
from tests.support.bot_process import BOOT_TIMEOUT, STEP_TIMEOUT, BotProcess, bot_env, start_bot

RESTORED = "restored: sessions, meetings and retention reconciled"
QUICK_TEMPLATE = """
[templates.quick]
title = "Quick case"
phases = [
  { name = "Presentation", minutes = 2, speaker = "presenter", guidance = "Tell it." },
  { name = "Questions", minutes = 1, speaker = "group-and-presenter", guidance = "Facts only." },
  { name = "Discussion", minutes = 2, speaker = "group", pushback = true, guidance = "The presenter listens." },
  { name = "Return", minutes = 1, speaker = "group-and-presenter", guidance = "What struck you?" },
  { name = "Closing", minutes = 1, speaker = "leader", guidance = "It stays here." },
]
"""
QUICK_PHASES = ("Presentation", "Questions", "Discussion", "Return", "Closing")
QUICK_MINUTES = (2, 1, 2, 1, 1)
DEADLINE = re.compile(r"ends <t:(\d+):R>")


def presenter_of(room: int) -> int:
    """The member who sits in room `room`'s voice channel and presents there."""
    return MEMBERS[room][0]


@dataclass
class Rig:
    """A loopback server, the bot processes run against it, and when each was up."""

    tmp_path: Path
    server: LoopbackDiscord
    scale: float = 1.0
    config: str = ""
    origin: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    bots: list[BotProcess] = field(default_factory=list)
    # Real times: when each process was killed, and when its successor had restored.
    killed_at: list[float] = field(default_factory=list)
    restored_at: list[float] = field(default_factory=list)

    @property
    def database(self) -> Path:
        return self.tmp_path / "smoke.db"

    @property
    def bot(self) -> BotProcess:
        return self.bots[-1]

    def env(self) -> dict[str, str]:
        config = self.tmp_path / "config.toml"
        config.write_text(self.config, encoding="utf-8")
        extra = {"DISCORD_API_BASE": self.server.api_base, "DISCORD_GATEWAY_URL": self.server.gateway_url,
                 "BALINT_DB": str(self.database), "BALINT_CONFIG": str(config)}
        if self.scale != 1:
            extra |= {"BALINT_TIME_SCALE": str(self.scale), "BALINT_TIME_ORIGIN": self.origin.isoformat()}
        return bot_env(self.tmp_path, **extra)

    # -- time ------------------------------------------------------------------------------------

    def bot_now(self) -> datetime:
        """The bot's clock now (sped up from the origin)."""
        real = datetime.now(UTC)
        return self.origin + (real - self.origin) * self.scale

    def real_of(self, bot_instant: datetime) -> float:
        """The real Unix time at which the bot's clock reads `bot_instant`."""
        return (self.origin + (bot_instant - self.origin) / self.scale).timestamp()

    # -- processes -------------------------------------------------------------------------------

    async def start(self, *, wait_restored: bool = True) -> BotProcess:
        """Start a bot process and wait until its gateway is ready (and, by default, its restore done)."""
        known = len(self.server.connections)
        bot = await start_bot(self.env(), self.tmp_path / f"bot-{len(self.bots) + 1}.log")
        self.bots.append(bot)
        await bot.wait(self.server.wait_for(
            lambda: next((c for c in self.server.connections[known:] if c.ready), None), BOOT_TIMEOUT,
            "a ready gateway connection"), "boot")
        if wait_restored:
            await self.wait_restored()
        return bot

    async def wait_restored(self) -> None:
        """Wait until the running bot has reconciled the database after its start."""
        bot = self.bot
        await bot.wait(self.server.wait_for(lambda: True if RESTORED in bot.output() else None, BOOT_TIMEOUT,
                                            "the restore"), "restore")
        self.restored_at.append(time.time())

    def kill_now(self) -> None:
        """SIGKILL the running bot, at once: nothing of it runs after this call."""
        if self.bots and self.bot.process.returncode is None:
            self.bot.process.kill()
            self.killed_at.append(time.time())

    async def kill(self) -> None:
        """SIGKILL the running bot and wait for it to be gone."""
        self.kill_now()
        if self.bots:
            await self.bot.process.wait()

    async def restart(self, downtime: float = 0.0, *, wait_restored: bool = True) -> BotProcess:
        """Kill the bot (if it runs), stay down a while, start another."""
        await self.kill()
        if downtime:
            await asyncio.sleep(downtime)
        return await self.start(wait_restored=wait_restored)

    async def close(self) -> None:
        """Stop whatever still runs."""
        for bot in self.bots:
            await bot.kill()

    def output(self) -> str:
        """Every bot process's output, in order."""
        return "\n".join(f"--- bot {n} ---\n{bot.output()}" for n, bot in enumerate(self.bots, start=1))

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the database file directly, as an outsider would."""
        with sqlite3.connect(self.database, timeout=30) as conn:
            return conn.execute(sql, params).fetchall()

    # -- acting as users -------------------------------------------------------------------------

    def _answer_of(self, token: str) -> RecordedRequest | None:
        """The interaction's visible answer: an immediate message or edit, else a follow-up."""
        for request in self.server.requests:
            if request.status != 200:
                continue
            body = request.json if isinstance(request.json, dict) else {}
            if request.method == "POST" and request.path.endswith(f"/{token}/callback") and body.get("type") in (4, 7):
                return request
            if request.method in ("POST", "PATCH") and "/webhooks/" in request.path and f"/{token}" in request.path:
                return request
        return None

    def answer_of(self, payload: dict[str, Any]) -> RecordedRequest | None:
        """The answer the bot gave an interaction, if it has."""
        return self._answer_of(payload["token"])

    async def interact(self, payload: dict[str, Any], what: str) -> dict[str, Any]:
        """Send an interaction, wait for its answer and return its body (content, embeds, components)."""
        await self.server.dispatch("INTERACTION_CREATE", payload)
        answer = await self.bot.wait(self.server.wait_for(lambda: self._answer_of(payload["token"]), STEP_TIMEOUT,
                                                          what), what)
        body = answer.json if isinstance(answer.json, dict) else {}
        return dict(body.get("data") or body) if "type" in body else dict(body)

    async def command(self, name: str, sub: str, options: dict[str, Any], *, user_id: int = ADMIN_ID,
                      room: int = 0, resolved: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run /name sub with options (strings, booleans, integers, or ("user"/"channel", id))."""
        built = []
        for key, value in options.items():
            if isinstance(value, bool):
                built.append({"name": key, "type": 5, "value": value})
            elif isinstance(value, int):
                built.append({"name": key, "type": 4, "value": value})
            elif isinstance(value, tuple):
                built.append({"name": key, "type": 6 if value[0] == "user" else 7, "value": str(value[1])})
            else:
                built.append({"name": key, "type": 3, "value": value})
        payload = self.server.command_interaction(name, [{"type": 1, "name": sub, "options": built}],
                                                  resolved=resolved, user_id=user_id, room=room)
        return await self.interact(payload, f"/{name} {sub}")

    async def make_group(self, room: int, name: str, *, template: str | None = None,
                         auto_advance: bool = False) -> None:
        """Create a group in a room (led by the admin), and have its presenter join."""
        server = self.server
        admin = EVERYONE_PERMISSIONS | ADMIN_ROLE_PERMISSIONS
        text, voice = server.text_channel(room), server.voice_channel(room)
        resolved = {"channels": {text["id"]: server.resolved_channel(text, admin),
                                 voice["id"]: server.resolved_channel(voice, admin)}}
        options: dict[str, Any] = {"name": name, "text_channel": ("channel", text["id"]),
                                   "voice_channel": ("channel", voice["id"])}
        if template:
            options["template"] = template
        created = await self.command("group", "create", options, room=room, resolved=resolved)
        assert str(created.get("content", "")).startswith("Created"), created
        if auto_advance:
            await self.command("group", "config", {"group": name, "auto_advance": True}, room=room)
        presenter = presenter_of(room)
        shown = await self.command("group", "join", {"group": name}, user_id=presenter, room=room)
        agree = next(c["custom_id"] for row in shown["components"] for c in row["components"])
        message = next(m for m in server.messages if m.get("components") == shown["components"])
        welcome = await self.interact(server.button_interaction(message, agree, user_id=presenter, room=room),
                                      "I agree")
        assert str(welcome.get("content", "")).startswith("Welcome"), welcome

    async def start_session(self, room: int, group: str) -> dict[str, Any]:
        """Start a session in a room's group, its voice member presenting."""
        presenter = presenter_of(room)
        answer = await self.command("session", "start", {"group": group, "presenter": ("user", presenter)},
                                    room=room, resolved=self.server.resolved_member(presenter))
        assert "The session started" in str(answer.get("content", "")), answer
        return answer

    # -- reading the channel ---------------------------------------------------------------------

    def notices(self, room: int) -> list[dict[str, Any]]:
        """The bot's own messages in a room's text channel, oldest first (the panel excepted)."""
        return [m for m in self.server.channel_messages(self.server.rooms[room][0]) if not m.get("embeds")]

    def panel(self, room: int) -> dict[str, Any]:
        """The room's newest session panel, as it is now."""
        panels = [m for m in self.server.channel_messages(self.server.rooms[room][0])
                  if m.get("embeds") and str(m["embeds"][0].get("title", "")).startswith("Balint session")]
        return self.server.message(panels[-1]["id"])


def when_posted(message: dict[str, Any]) -> float:
    """The real Unix time a message was created."""
    return datetime.fromisoformat(message["timestamp"]).timestamp()


def deadline_in(message: dict[str, Any]) -> datetime:
    """The bot-clock deadline a phase notice announces ("ends <t:…:R>")."""
    found = DEADLINE.search(message["content"])
    assert found is not None, message["content"]
    return datetime.fromtimestamp(int(found[1]), UTC)


def minute_ahead(instant: datetime, minutes: int) -> datetime:
    """The start of the minute `minutes` after the one `instant` is in."""
    return instant.replace(second=0, microsecond=0) + timedelta(minutes=minutes)
