"""`python -m bot` as a real process: it boots against a loopback Discord and answers /group create."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.smoke.loopback_discord import (
    ADMIN_ROLE_PERMISSIONS,
    EPHEMERAL,
    EVERYONE_PERMISSIONS,
    TEXT_CHANNEL_ID,
    VOICE_CHANNEL_ID,
    LoopbackDiscord,
    RecordedRequest,
)

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "smoke-token"
BOOT_TIMEOUT = 20.0
STEP_TIMEOUT = 10.0
EXIT_TIMEOUT = 10.0
# Nothing may reach the internet: a refused port on the loopback, for runs that should never connect.
NOWHERE_API = "http://127.0.0.1:9/api/v10"
NOWHERE_GATEWAY = "ws://127.0.0.1:9/gateway"


def bot_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of the bot process: this one, minus any bot setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "BALINT_"))}
    config = tmp_path / "empty.toml"
    if not config.exists():
        config.write_text("", encoding="utf-8")
    env.update({
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE": NOWHERE_API,
        "DISCORD_GATEWAY_URL": NOWHERE_GATEWAY,
        "BALINT_DB": str(tmp_path / "smoke.db"),
        "BALINT_CONFIG": str(config),
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


class BotProcess:
    """A `python -m bot` subprocess whose output goes to a file."""

    def __init__(self, process: asyncio.subprocess.Process, log: Path) -> None:
        self.process = process
        self.log = log

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    async def stop_cleanly(self) -> None:
        """Send SIGTERM, as a host does, and expect a clean exit (code 0) in time."""
        self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), EXIT_TIMEOUT)
        except TimeoutError:
            pytest.fail(f"no exit {EXIT_TIMEOUT:g} s after SIGTERM\n--- bot output ---\n{self.output()}")
        assert code == 0, self.output()

    async def kill(self) -> None:
        """Make sure the process is gone, whatever the test did."""
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    async def wait(self, awaitable: Awaitable[T], what: str) -> T:
        """Await `awaitable`, but fail at once, with the bot's output, if the process exits first."""
        task = asyncio.ensure_future(awaitable)
        exited = asyncio.ensure_future(self.process.wait())
        try:
            await asyncio.wait({task, exited}, return_when=asyncio.FIRST_COMPLETED)
            if task.done():
                try:
                    return task.result()
                except TimeoutError:
                    pytest.fail(f"{what}: timed out\n--- bot output ---\n{self.output()}")
            pytest.fail(f"{what}: the bot exited with {self.process.returncode}\n"
                        f"--- bot output ---\n{self.output()}")
        finally:
            for pending in (task, exited):
                if not pending.done():
                    pending.cancel()
            await asyncio.gather(task, exited, return_exceptions=True)


async def start_bot(env: dict[str, str], log: Path) -> BotProcess:
    with log.open("wb") as sink:  # the child keeps its own descriptor
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=ROOT, env=env,
            stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT,
        )
    return BotProcess(process, log)


def has_bot_token(request: RecordedRequest) -> bool:
    return request.headers.get("Authorization") == f"Bot {TOKEN}"


def command_names(request: RecordedRequest) -> set[str]:
    return {c["name"] for c in request.json or [] if isinstance(c, dict) and "name" in c}


def group_create_interaction(server: LoopbackDiscord, name: str) -> dict[str, Any]:
    """/group create name:<name> text_channel:#balint-group voice_channel:Balint room, by the admin."""
    admin_permissions = EVERYONE_PERMISSIONS | ADMIN_ROLE_PERMISSIONS
    text, voice = server.text_channel(), server.voice_channel()
    options = [{"type": 1, "name": "create", "options": [
        {"name": "name", "type": 3, "value": name},
        {"name": "text_channel", "type": 7, "value": text["id"]},
        {"name": "voice_channel", "type": 7, "value": voice["id"]},
    ]}]
    resolved = {"channels": {
        text["id"]: server.resolved_channel(text, admin_permissions),
        voice["id"]: server.resolved_channel(voice, admin_permissions),
    }}
    return server.command_interaction("group", options, resolved=resolved, permissions=admin_permissions)


def custom_ids(components: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for component in components:
        if "custom_id" in component:
            found.append(component["custom_id"])
        found += custom_ids(component.get("components", []))
    return found


async def test_bot_boots_against_loopback_discord_and_creates_a_group(tmp_path: Path) -> None:
    """The process logs in, syncs, identifies, answers /group create, posts the panel and stops on SIGTERM."""
    database = tmp_path / "smoke.db"
    async with LoopbackDiscord(token=TOKEN) as server:
        env = bot_env(tmp_path, DISCORD_API_BASE=server.api_base, DISCORD_GATEWAY_URL=server.gateway_url,
                      BALINT_DB=str(database))
        bot = await start_bot(env, tmp_path / "bot.log")
        try:
            # 1. Login on our REST API, with the token from the environment.
            await bot.wait(server.wait_for(
                lambda: server.find_request("GET", "/users/@me", has_bot_token),
                BOOT_TIMEOUT, "GET /users/@me"), "login")
            # 2. The commands synced globally (no sync setting in the config).
            app_path = f"/applications/{server.ready()['application']['id']}/commands"
            sync = await bot.wait(server.wait_for(
                lambda: server.find_request("PUT", app_path, has_bot_token), STEP_TIMEOUT, "command sync"),
                "command sync")
            assert {"group", "balint"} <= command_names(sync)
            # 3. IDENTIFY on our gateway, with the same token.
            identify = await bot.wait(server.wait_for(
                lambda: next(iter(server.gateway_payloads(2)), None), STEP_TIMEOUT, "IDENTIFY"), "IDENTIFY")
            assert identify["d"]["token"] == TOKEN
            assert server.connections[0].query.get("encoding") == "json"

            # /group create, as an admin would run it in the text channel.
            interaction = group_create_interaction(server, "Smoke")
            await server.dispatch("INTERACTION_CREATE", interaction)
            callback_path = f"/interactions/{interaction['id']}/{interaction['token']}/callback"
            callback = await bot.wait(server.wait_for(
                lambda: server.find_request("POST", callback_path), STEP_TIMEOUT, "interaction callback"),
                "interaction callback")
            assert callback.query.get("with_response") == "1"
            assert callback.json["type"] == 4, callback.json
            answer = callback.json["data"]
            assert answer["flags"] & EPHEMERAL
            assert answer["content"].startswith("Created **Smoke**"), answer["content"]
            assert "still needs" not in answer["content"], answer["content"]

            announce = await bot.wait(server.wait_for(
                lambda: server.find_request("POST", f"/channels/{TEXT_CHANNEL_ID}/messages"),
                STEP_TIMEOUT, "the announcement"), "announcement")
            assert has_bot_token(announce)
            assert "Smoke" in announce.json["content"]
            ids = custom_ids(announce.json.get("components", []))
            assert any(i.startswith("balint:join:") for i in ids), announce.json
            assert server.find_request("POST", f"/channels/{VOICE_CHANNEL_ID}/messages") is None

            # A host stops the worker with SIGTERM: a clean exit, database closed.
            await bot.stop_cleanly()
        finally:
            await bot.kill()

    assert "Traceback" not in bot.output(), bot.output()
    # The bot asked for nothing this server does not know.
    assert [(r.method, r.path) for r in server.unhandled] == []
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT name FROM groups").fetchall() == [("Smoke",)]


def run_bot_expecting_config_error(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=EXIT_TIMEOUT, check=False,
    )
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout == "", result.stdout
    return result


def test_bad_time_scale_stops_with_one_line_naming_it(tmp_path: Path) -> None:
    """BALINT_TIME_SCALE=fast: exit code 2 and one stderr line naming the variable."""
    result = run_bot_expecting_config_error(bot_env(tmp_path, BALINT_TIME_SCALE="fast"))
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "BALINT_TIME_SCALE" in lines[0]


def test_unknown_config_key_stops_with_one_line_naming_it(tmp_path: Path) -> None:
    """An unknown key in config.toml: exit code 2 and one stderr line naming `discord.sharding`."""
    config = tmp_path / "config.toml"
    config.write_text("[discord]\nsharding = 3\n", encoding="utf-8")
    result = run_bot_expecting_config_error(bot_env(tmp_path, BALINT_CONFIG=str(config)))
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "discord.sharding" in lines[0]


def session_start_interaction(server: LoopbackDiscord, group: str) -> dict[str, Any]:
    """/session start group:<group>, by the admin who leads it."""
    options = [{"type": 1, "name": "start", "options": [{"name": "group", "type": 3, "value": group}]}]
    return server.command_interaction("session", options)


def posted(server: LoopbackDiscord, prefix: str) -> list[RecordedRequest]:
    return [r for r in server.requests if r.method == "POST" and r.path == f"/channels/{TEXT_CHANNEL_ID}/messages"
            and isinstance(r.json, dict) and str(r.json.get("content") or "").startswith(prefix)]


async def test_a_session_runs_in_real_time_at_balint_time_scale(tmp_path: Path) -> None:
    """BALINT_TIME_SCALE=60: the 5-minute presentation warns after 3 s and times out after 5 s."""
    async with LoopbackDiscord(token=TOKEN) as server:
        env = bot_env(tmp_path, DISCORD_API_BASE=server.api_base, DISCORD_GATEWAY_URL=server.gateway_url,
                      BALINT_TIME_SCALE="60")
        bot = await start_bot(env, tmp_path / "bot.log")
        try:
            await bot.wait(server.wait_for(lambda: next(iter(server.gateway_payloads(2)), None), BOOT_TIMEOUT,
                                           "IDENTIFY"), "IDENTIFY")
            await server.dispatch("INTERACTION_CREATE", group_create_interaction(server, "Timed"))
            await bot.wait(server.wait_for(lambda: posted(server, "This channel now hosts") or None, STEP_TIMEOUT,
                                           "the group"), "the group")
            loop = asyncio.get_running_loop()
            await server.dispatch("INTERACTION_CREATE", session_start_interaction(server, "Timed"))
            started = loop.time()
            phase = await bot.wait(server.wait_for(lambda: posted(server, "**Phase 1 of 5") or None, STEP_TIMEOUT,
                                                   "the first phase"), "the first phase")
            assert "Presentation" in phase[0].json["content"]
            await bot.wait(server.wait_for(lambda: posted(server, "⏳") or None, STEP_TIMEOUT, "the warning"),
                           "the warning")
            warned = loop.time() - started
            await bot.wait(server.wait_for(lambda: posted(server, "⏰") or None, STEP_TIMEOUT, "the time-up"),
                           "the time-up")
            timed_up = loop.time() - started
            # 3 and 5 minutes of the bot's clock at 60x are 3 and 5 real seconds.
            assert 2.7 <= warned <= 5.5, warned
            assert 4.7 <= timed_up <= 7.5, timed_up
            assert len(posted(server, "⏳")) == 1 and len(posted(server, "⏰")) == 1
            await bot.stop_cleanly()
        finally:
            await bot.kill()
    assert "Traceback" not in bot.output(), bot.output()
    assert [(r.method, r.path) for r in server.unhandled] == []
