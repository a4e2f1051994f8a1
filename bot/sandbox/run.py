"""Run the offline sandbox: the real bot inside SimCord, as a browser page or as a scripted demo.

Nothing here talks to Discord or to any network but loopback: SimCord replaces discord.py's
HTTP client and gateway in-process, and its Preview serves the page on 127.0.0.1 only. The bot
gets a temporary database, so the sandbox never reads or changes real data. SimCord, and the
modules that need it (`demo`, `preview`, `world`), are imported only once it is known to be there.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.app import BalintBot
from bot.config import Settings
from bot.core.clock import FunctionClock
from bot.scheduling import LoopTimers

if TYPE_CHECKING:
    from simcord import Env

NO_SIMCORD = (
    "error: the offline sandbox needs SimCord: run `make run` (which installs it) or "
    "pip install 'balint-bot[sandbox]'; to connect to Discord instead, set DISCORD_TOKEN"
)


class _EnvHolder:
    """The SimCord env, once made: the bot, and so its clock, must exist before the env."""

    env: Env | None = None

    def now(self) -> datetime:
        """Return SimCord's virtual time."""
        if self.env is None:
            raise RuntimeError("the sandbox clock was read before SimCord started")
        return self.env.now()


async def run_sandbox(settings: Settings, *, demo: bool = False) -> int:
    """Run the real bot inside SimCord: serve the browser Preview, or play the demo; return the exit code."""
    # SimCord checks discord.py on import with a client that has no intents, and discord.py
    # warns about that client; the bot's own intents are fine, so that warning only misleads.
    state_log = logging.getLogger("discord.state")
    level = state_log.level
    state_log.setLevel(logging.ERROR)
    try:
        import simcord
    except ModuleNotFoundError as error:
        if error.name != "simcord":
            raise  # SimCord is there but broken: its own traceback says more than a hint would
        print(NO_SIMCORD, file=sys.stderr)
        return 2
    finally:
        state_log.setLevel(level)
    from bot.sandbox.demo import play_demo
    from bot.sandbox.preview import serve_preview
    from bot.sandbox.world import SandboxError

    with tempfile.TemporaryDirectory(prefix="balint-sandbox-") as scratch:
        # Throwaway storage: a configured key_file must not be read, or created, by the sandbox
        # either. Commands sync globally: a `discord.sync = "guild:<id>"` meant for a real
        # development server names a guild that does not exist in SimCord.
        sandbox_settings = dataclasses.replace(
            settings, token=None, database=Path(scratch) / "sandbox.db",
            key_file=Path(scratch) / "sandbox.key", sync_guild_id=None,
        )
        holder = _EnvHolder()
        clock = FunctionClock(holder.now)
        # Timers on the event loop, which SimCord's virtual clock moves (and the preview's pacer
        # moves with real time); APScheduler would read the wall clock instead.
        bot = BalintBot(sandbox_settings, clock=clock, timers=LoopTimers(clock))
        # `simcord.run(bot)` makes its Env only once entered, but the bot reads its clock while
        # it logs in (setup_hook starts its timers): so the Env comes first, and the steps of
        # simcord.run follow by hand. Errors the bot swallowed are already logged by its
        # handlers and, in the browser, shown by the Preview: no check turns them into a
        # traceback at the end (check_errors=False).
        env = holder.env = simcord.Env(bot, check_errors=False)
        try:
            await env.start()
            with env.time_context():
                try:
                    return await (play_demo(env) if demo else serve_preview(env, settings))
                finally:
                    await env.shutdown()
        except SandboxError as error:
            print(f"sandbox: could not set up the demo group: {error}", file=sys.stderr)
            return 1
        finally:
            # SimCord detaches the bot but does not close it; closing stops the database's
            # worker thread, which would otherwise keep the process alive.
            await bot.close()
