"""Start-up as a person meets it: the invite link, and one clear line with exit code 2 for each fixable failure."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from bot.__main__ import INTENT_MISSING, NO_TOKEN, TOKEN_REFUSED, USAGE
from bot.discord_io.permissions import invite_permissions
from tests.smoke.loopback_discord import APP_ID, LoopbackDiscord

ROOT = Path(__file__).resolve().parents[2]
EXIT_TIMEOUT = 30.0


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "BALINT_"))}
    config = tmp_path / "empty.toml"
    config.write_text("", encoding="utf-8")
    env.update({"BALINT_DB": str(tmp_path / "bot.db"), "BALINT_CONFIG": str(config), "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


async def _run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), EXIT_TIMEOUT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return process.returncode or 0, out.decode(), err.decode()


def _last_line(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


async def test_discord_mode_without_a_token_says_so(tmp_path: Path) -> None:
    """`python -m bot --discord` (what a host runs) never starts the sandbox: one line, exit 2."""
    code, out, err = await _run(_env(tmp_path), "--discord")
    assert (code, out, err.strip()) == (2, "", NO_TOKEN)


async def test_a_compatible_server_without_a_token_says_so(tmp_path: Path) -> None:
    """DISCORD_API_BASE set means "connect": without a token that is the same one line."""
    code, _, err = await _run(_env(tmp_path, DISCORD_API_BASE="http://127.0.0.1:9/api/v10"))
    assert (code, err.strip()) == (2, NO_TOKEN)


async def test_an_unknown_argument_gives_the_usage(tmp_path: Path) -> None:
    code, _, err = await _run(_env(tmp_path), "--nope")
    assert (code, err.strip()) == (2, USAGE)


async def _run_against(server: LoopbackDiscord, tmp_path: Path, token: str) -> tuple[int, str]:
    """Run `python -m bot --discord` with `token` against the loopback server; return its exit code and stderr."""
    await server.start()
    try:
        env = _env(tmp_path, DISCORD_TOKEN=token, DISCORD_API_BASE=server.api_base,
                   DISCORD_GATEWAY_URL=server.gateway_url)
        code, _, err = await _run(env, "--discord")
    finally:
        await server.stop()
    assert code == 2 and "Traceback" not in err, err
    return code, err


async def test_a_rejected_token_is_one_line(tmp_path: Path) -> None:
    """Discord answers 401 to the login: the token is named, with where to make a new one."""
    _, err = await _run_against(LoopbackDiscord(token="the-right-token"), tmp_path, "a-wrong-token")
    assert _last_line(err) == TOKEN_REFUSED


async def test_a_missing_privileged_intent_is_one_line_and_the_invite_link_is_logged(tmp_path: Path) -> None:
    """Gateway close 4014: the Server Members Intent is named with where to turn it on; the invite link came first."""
    server = LoopbackDiscord(token="smoke-token")
    server.identify_close_code = 4014
    _, err = await _run_against(server, tmp_path, "smoke-token")
    assert _last_line(err) == INTENT_MISSING
    permissions = invite_permissions().value
    assert (f"invite link: https://discord.com/oauth2/authorize?client_id={APP_ID}"
            f"&scope=bot+applications.commands&permissions={permissions}") in err


async def test_a_bad_scheme_stops_the_bot_with_one_line_naming_it(tmp_path: Path) -> None:
    """A scheme the records cannot count gives one line with its key and what is allowed, and exit code 2."""
    config = tmp_path / "schemes.toml"
    config.write_text('[records]\nschemes = [{ name = "ABFM", unit = "sessions", target = 8, out_of = 6 }]\n',
                      encoding="utf-8")
    code, out, err = await _run(_env(tmp_path, BALINT_CONFIG=str(config)))
    assert (code, out) == (2, "")
    assert err.strip() == ("config error: records.schemes[0].out_of: 6 is fewer than the target 8; it can never be"
                           " met")
