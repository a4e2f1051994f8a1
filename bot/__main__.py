"""`python -m bot`: read the settings, then connect to Discord, or start the offline sandbox.

`python -m bot --discord` (what a host runs) only ever connects: without a token it stops with
one line instead of starting a sandbox on a server. Every start-up failure a person can fix is
one line on stderr and exit code 2.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import discord

from bot.config import ConfigError, Settings, load_settings

log = logging.getLogger("bot")


def point_discord_py_at(settings: Settings) -> None:
    """Send REST and gateway traffic to a Discord-compatible server when one is configured."""
    import yarl
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    if settings.api_base:
        # Route.BASE is a class attribute read on every request; API v10 lives under /api/v10.
        Route.BASE = settings.api_base
    if settings.gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


async def run_discord(settings: Settings) -> None:
    """Connect to Discord (or the configured compatible server) until stopped."""
    from bot.app import BalintBot

    point_discord_py_at(settings)
    assert settings.token is not None
    async with BalintBot(settings) as bot:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            # A host stops a worker with SIGTERM: close the gateway and the database
            # cleanly inside its grace window instead of dying mid-write.
            loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
        await bot.start(settings.token)


USAGE = "usage: python -m bot [--discord | --demo]"
NO_TOKEN = (
    "error: no Discord token: set DISCORD_TOKEN (or discord.token in config.toml); "
    "without one, `python -m bot` alone starts the offline sandbox"
)
TOKEN_REFUSED = (
    "error: Discord refused the token (401 Unauthorized): check DISCORD_TOKEN, or make a new one in the "
    "Developer Portal → your application → Bot → Reset Token"
)
INTENT_MISSING = (
    "error: Discord refused the connection (close code 4014): turn on the Server Members Intent in the "
    "Developer Portal → your application → Bot → Privileged Gateway Intents"
)


def fail(line: str) -> int:
    """Print one line a person can act on, and return the exit code for it."""
    print(line, file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Run the bot; return the process exit code."""
    args = sys.argv[1:] if argv is None else argv
    if any(arg not in ("--discord", "--demo") for arg in args) or len(set(args)) > 1:
        return fail(USAGE)
    try:
        settings = load_settings()
    except ConfigError as error:
        return fail(str(error))
    # A host runs --discord; a configured Discord-compatible server also means "connect".
    connect = "--discord" in args or bool(settings.api_base or settings.gateway_url)
    if settings.offline and connect:
        return fail(NO_TOKEN)
    discord.utils.setup_logging(level=getattr(logging, settings.log_level))
    try:
        if settings.offline:
            from bot.sandbox.run import run_sandbox

            return asyncio.run(run_sandbox(settings, demo="--demo" in args))
        asyncio.run(run_discord(settings))
    except KeyboardInterrupt:
        log.info("stopped")
    except discord.LoginFailure:
        return fail(TOKEN_REFUSED)
    except discord.PrivilegedIntentsRequired:
        return fail(INTENT_MISSING)
    return 0


if __name__ == "__main__":
    sys.exit(main())
