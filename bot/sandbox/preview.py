"""The browser sandbox (`python -m bot` without a token): SimCord's Preview of the demo group's channel.

The page answers on 127.0.0.1 only. A pacer moves SimCord's virtual clock along with real time
(times `BALINT_TIME_SCALE`) while the page is open, so phase timers and reminders fire as they
would on Discord. It runs until the page ends the session, or Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.sandbox import CONNECT_HINT, say
from bot.sandbox.world import GROUP_TIMEZONE, SandboxWorld, build_world

if TYPE_CHECKING:
    from simcord import Env
    from simcord.preview import Preview

log = logging.getLogger(__name__)

# How often the sandbox clock catches up with real time while the browser page is open.
TICK_SECONDS = 0.5


class _RealTimePacer:
    """Move SimCord's virtual clock along with real time while the Preview is open.

    SimCord's clock only moves when told to, so without this a phase timer would never end in
    the browser. SimCord runs `advance_time` and every browser action as guarded "operations"
    and refuses one that overlaps another: a page action arriving during an advance fails with
    HTTP 400, which the page shows as an uncertain outcome it will not retry. So advances and
    browser actions take turns through one lock (`guard`, wrapped around the Preview's action
    entry point); a tick that finds an action running is skipped and its time carried over.
    """

    def __init__(self, env: Env, preview: Preview, scale: float) -> None:
        self.env = env
        self.preview = preview
        self.scale = scale
        self.lock = asyncio.Lock()
        self._seen = len(env.http_requests)

    def guard(self) -> None:
        """Make the Preview's browser actions take the lock the clock takes."""
        # Preview exposes no hook around actions; its HTTP handler calls this method by name.
        original: Callable[[str | None, Mapping[str, Any]], Awaitable[dict[str, Any]]] = self.preview._action

        async def action(context_id: str | None, body: Mapping[str, Any]) -> dict[str, Any]:
            async with self.lock:
                result = await original(context_id, body)
                # The action published what it changed to its page; only changes made
                # outside actions (timers) need the republish below.
                self._seen = len(self.env.http_requests)
                return result

        setattr(self.preview, "_action", action)  # noqa: B010 - an instance override, not a typo

    async def run(self) -> None:
        """Advance the clock every tick by the real time elapsed, times the time scale."""
        from simcord import SetupError

        last = time.perf_counter()  # not time.monotonic, which SimCord virtualises for the bot
        while True:
            await asyncio.sleep(TICK_SECONDS)
            if self.lock.locked():
                continue
            async with self.lock:
                now = time.perf_counter()
                elapsed, last = now - last, now
                try:
                    await self.env.advance_time(elapsed * self.scale)
                    # The page shows a published snapshot: republish when the bot called
                    # Discord on its own (a timer fired), so every open page sees it.
                    if len(self.env.http_requests) != self._seen:
                        await self.preview.refresh()
                except (TimeoutError, SetupError) as error:
                    log.warning("the sandbox clock skipped a tick: %s", error)
                self._seen = len(self.env.http_requests)


def _stop_on_signals(stop: asyncio.Event) -> Callable[[], None]:
    """Set `stop` on the first Ctrl-C or SIGTERM; return what undoes the handlers."""
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []

    def undo() -> None:
        while installed:
            loop.remove_signal_handler(installed.pop())

    def first_signal() -> None:
        stop.set()
        # Python's own handling comes back, so a second Ctrl-C interrupts a shutdown that hangs.
        undo()

    if sys.platform == "win32":
        # No loop signal handlers there: Ctrl-C still ends asyncio.run, and `python -m bot`
        # turns that into a clean exit.
        return undo
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, first_signal)
        installed.append(signum)
    return undo


def _banner(world: SandboxWorld, url: str, settings: Settings) -> None:
    members = ", ".join(world.name(member) for member in world.members)
    scale = settings.time_scale
    pace = "as real time" if scale == 1 else f"{scale:g} times faster than real time"
    say("=" * 78)
    say("balint-bot OFFLINE SANDBOX: no Discord connection; nothing leaves this machine.")
    say("The real bot runs inside SimCord, a simulated Discord, with a demo server:")
    say(f'  group "{world.group_name}" in {world.channel_name}, led by {world.name(world.leader)};')
    say(f"  members {members}.")
    say("  Its data is in a temporary database, deleted when the sandbox stops.")
    say(f"  Sandbox time started at {world.env.now():%Y-%m-%d %H:%M} UTC and runs {pace}.")
    say(CONNECT_HINT)
    say("")
    say("Open this address in a browser on this machine (it answers on 127.0.0.1 only):")
    say(f"  {url}")
    say("Pick who you are in the page's viewer list (the leader or a member), then type / to run")
    say("a command or click the bot's buttons. The address holds a key: whoever has it can act")
    say("in the sandbox, so keep it to yourself.")
    say('Stop with Ctrl-C, or with "End preview session" in the page.')
    say("=" * 78)


async def serve_preview(env: Env, settings: Settings) -> int:
    """Build the demo group and serve SimCord's Preview of its channel until closed or stopped."""
    from simcord import SetupError

    stop = asyncio.Event()
    undo_signals = _stop_on_signals(stop)
    try:
        # SimCord's clock starts on a fixed date (shown in the banner) rather than today's: catching
        # up months at start would step through every periodic bot timer, which takes too long,
        # and the page draws relative times ("in 5 minutes") against the sandbox clock anyway.
        world = await build_world(env)
        async with contextlib.AsyncExitStack() as stack:
            try:
                # port 0 (the default setting) lets the system pick a free port.
                preview = await stack.enter_async_context(env.preview(
                    world.text, viewers=list(world.people), layout="channel",
                    timezone=GROUP_TIMEZONE, port=settings.sandbox_port or None,
                ))
            except SetupError as error:
                print(f"sandbox: cannot serve the page: {error}. Set sandbox.port in config.toml "
                      "(or BALINT_SANDBOX_PORT) to a free port, or to 0 for any.", file=sys.stderr)
                return 1
            return await _serve(env, preview, world, settings, stop)
    finally:
        undo_signals()


async def _serve(env: Env, preview: Preview, world: SandboxWorld, settings: Settings,
                 stop: asyncio.Event) -> int:
    pacer = _RealTimePacer(env, preview, settings.time_scale)
    pacer.guard()
    _banner(world, preview.url, settings)
    clock = asyncio.create_task(pacer.run(), name="sandbox clock")
    closed = asyncio.create_task(preview.wait_closed(), name="preview closed")
    stopped = asyncio.create_task(stop.wait(), name="stop signal")
    try:
        done, _ = await asyncio.wait((clock, closed, stopped), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (clock, closed, stopped):
            task.cancel()
        outcomes = await asyncio.gather(clock, closed, stopped, return_exceptions=True)
    if isinstance(outcomes[0], Exception):
        log.error("the sandbox clock stopped", exc_info=outcomes[0])
        return 1
    say("Sandbox stopped: the page ended the session." if closed in done else "Sandbox stopped.")
    return 0
