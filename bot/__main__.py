"""`python -m bot`: read the settings, then connect to Discord, or start the offline sandbox."""

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


def main(argv: list[str] | None = None) -> int:
    """Run the bot; return the process exit code."""
    args = sys.argv[1:] if argv is None else argv
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    discord.utils.setup_logging(level=getattr(logging, settings.log_level))
    try:
        if settings.offline:
            from bot.sandbox.run import run_sandbox

            demo = "--demo" in args
            return asyncio.run(run_sandbox(settings, demo=demo))
        asyncio.run(run_discord(settings))
    except KeyboardInterrupt:
        log.info("stopped")
    except discord.LoginFailure:
        print("error: Discord refused the token; check DISCORD_TOKEN", file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print(
            "error: enable the Server Members intent for this bot in the Discord developer portal",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
