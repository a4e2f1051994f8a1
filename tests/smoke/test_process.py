"""`python -m bot` as a real process: it boots against a loopback Discord and answers /group create."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.smoke.loopback_discord import (
    ADMIN_ROLE_PERMISSIONS,
    EPHEMERAL,
    EVERYONE_PERMISSIONS,
    TEXT_CHANNEL_ID,
    VOICE_CHANNEL_ID,
    LoopbackDiscord,
    RecordedRequest,
)
from tests.support.bot_process import (
    BOOT_TIMEOUT,
    EXIT_TIMEOUT,
    ROOT,
    STEP_TIMEOUT,
    TOKEN,
    bot_env,
    start_bot,
)


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
    """BALINT_TIME_SCALE=60: the 3-minute opening (never warned) times out after 3 s."""
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
            phase = await bot.wait(server.wait_for(lambda: posted(server, "**Phase 1 of 6") or None, STEP_TIMEOUT,
                                                   "the first phase"), "the first phase")
            assert "Opening" in phase[0].json["content"]
            await bot.wait(server.wait_for(lambda: posted(server, "⏰") or None, STEP_TIMEOUT, "the time-up"),
                           "the time-up")
            timed_up = loop.time() - started
            # 3 minutes of the bot's clock at 60x are 3 real seconds.
            assert 2.7 <= timed_up <= 5.5, timed_up
            assert len(posted(server, "⏳")) == 0 and len(posted(server, "⏰")) == 1
            await bot.stop_cleanly()
        finally:
            await bot.kill()
    assert "Traceback" not in bot.output(), bot.output()
    assert [(r.method, r.path) for r in server.unhandled] == []
