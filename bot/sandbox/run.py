"""Run the offline sandbox: the real bot inside SimCord, as a browser page or as a scripted demo.

Nothing here talks to Discord or to any network but loopback: SimCord replaces discord.py's
HTTP client and gateway in-process, and its Preview serves the page on 127.0.0.1 only. The bot
gets a temporary database, so the sandbox never reads or changes real data.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord

from bot.app import BalintBot
from bot.config import Settings
from bot.core.clock import FunctionClock
from bot.discord_io.replies import refusal_in
from bot.sandbox.transcript import shown
from bot.sandbox.world import SandboxError
from bot.scheduling import LoopTimers

if TYPE_CHECKING:
    from simcord import Env
    from simcord.preview import Preview

    from bot.sandbox.world import SandboxWorld

log = logging.getLogger(__name__)

# How often the sandbox clock catches up with real time while the browser page is open.
TICK_SECONDS = 0.5

CONNECT_HINT = (
    "To connect to real Discord instead: set DISCORD_TOKEN (or discord.token in config.toml), "
    "then run `make run`."
)


class _EnvHolder:
    """The SimCord env, once made: the bot, and so its clock, must exist before the env."""

    env: Env | None = None

    def now(self) -> datetime:
        """Return SimCord's virtual time."""
        if self.env is None:
            raise RuntimeError("the sandbox clock was read before SimCord started")
        return self.env.now()


def _say(text: str = "") -> None:
    # Flushed, so that whoever reads a pipe (a test, a process manager) sees the address at once.
    print(text, flush=True)


async def run_sandbox(settings: Settings, *, demo: bool = False) -> int:
    """Run the real bot inside SimCord: serve the browser Preview, or play the demo; return the exit code."""
    # SimCord checks discord.py on import with a client that has no intents, and discord.py
    # warns about that client; the bot's own intents are fine, so that warning only misleads.
    state_log = logging.getLogger("discord.state")
    level = state_log.level
    state_log.setLevel(logging.ERROR)
    try:
        import simcord
    except ImportError:
        print("The offline sandbox needs SimCord: run `make install` (or pip install -e '.[sandbox]').\n"
              + CONNECT_HINT, file=sys.stderr)
        return 2
    finally:
        state_log.setLevel(level)
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
        # Timers on the event loop, which SimCord's virtual clock moves (and the pacer below
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


# ---------------------------------------------------------------------------------- demo


@dataclass(frozen=True)
class Step:
    """One part of the demo: a heading, and what people do in it."""

    title: str
    act: Callable[[SandboxWorld], Awaitable[object]]


async def _member_reads_info(world: SandboxWorld) -> None:
    await world.slash(world.members[0], "group info", {"group": world.group_name})


async def _member_reads_help(world: SandboxWorld) -> None:
    await world.slash(world.members[1], "balint help", fields=2)


async def _member_tries_config(world: SandboxWorld) -> None:
    await world.slash(world.members[2], "group config", {"group": world.group_name, "auto_advance": True})


async def _leader_adds_coleader(world: SandboxWorld) -> None:
    await world.slash(world.leader, "group coleader", {"group": world.group_name, "member": world.members[0]})


async def _coleader_configures(world: SandboxWorld) -> None:
    await world.slash(world.members[0], "group config", {"group": world.group_name, "auto_advance": False})


def _panel(world: SandboxWorld) -> discord.Message:
    panel = world.bot_message_with("balint:s:")
    if panel is None:
        raise SandboxError("the session panel is not in the channel")
    return panel


async def _press(world: SandboxWorld, action: str) -> None:
    """Press a panel button, as the leader."""
    panel = _panel(world)
    session = next(c.custom_id for c in shown(panel).controls if (c.custom_id or "").startswith("balint:s:"))
    prefix = ":".join((session or "").split(":")[:3]) + f":{action}"
    await world.click(world.leader, panel, prefix)


async def _presenter_comes_into_voice(world: SandboxWorld) -> None:
    await world.join_voice(world.members[0])


async def _leader_starts_the_session(world: SandboxWorld) -> None:
    await world.slash(world.leader, "session start", {"group": world.group_name, "presenter": world.members[0]})


async def _presentation(world: SandboxWorld) -> None:
    await world.wait(3)
    await world.wait(2)


async def _questions(world: SandboxWorld) -> None:
    await _press(world, "next")
    await world.wait(5)


async def _discussion(world: SandboxWorld) -> None:
    await _press(world, "next")
    await world.wait(10)
    await _press(world, "pause")
    await world.wait(2)
    await _press(world, "resume")
    await world.wait(13)
    await _press(world, "extend")
    await world.wait(2)


async def _return(world: SandboxWorld) -> None:
    await _press(world, "next")
    await world.wait(7)


async def _closing(world: SandboxWorld) -> None:
    await _press(world, "next")
    await world.wait(3)
    await _press(world, "end")


async def _feedback(world: SandboxWorld) -> None:
    closing = world.bot_message_with("balint:fb:")
    if closing is None:
        raise SandboxError("no closing message with the feedback buttons")
    for member, rating in zip(world.members[1:4], ("5", "4", "4"), strict=True):
        form = await world.click(member, closing, "balint:fb:")
        await world.submit(member, form, {"rating": [rating], "comment": ""})
    results = next(c.custom_id for c in shown(closing).controls if (c.custom_id or "").endswith(":results"))
    await world.click(world.leader, closing, results or "")


async def _anonymous_case(world: SandboxWorld) -> None:
    form = await world.slash(world.members[1], "case propose", {"group": world.group_name, "anonymous": True})
    await world.submit(world.members[1], form, {
        "title": "The patient I dread on Mondays", "story": "He shouts at the front desk, then is sweet with me.",
    })


async def _anonymous_session(world: SandboxWorld) -> None:
    leader = world.leader
    choices = await leader.autocomplete(world.text, "session start", "case", "", group=world.group_name)
    await world.slash(leader, "session start", {"group": world.group_name, "case": choices[0]["value"]})
    await world.dm(world.members[1], "He was my very first patient here, twelve years ago.")
    await _press(world, "next")
    await world.dm(world.members[1], "No, he always comes alone.")
    await _press(world, "next")
    await world.dm(world.members[1], "Can I add something?")
    await _press(world, "next")
    await world.dm(world.members[1], "What struck me is how much I dread him, and how much I like him.")
    await _press(world, "next")
    await _press(world, "end")


# The walk-through after the world is built; a step is a heading and a coroutine acting on
# the world.
DEMO_STEPS: Sequence[Step] = (
    Step("A member looks at the group", _member_reads_info),
    Step("A member asks for help (first sections)", _member_reads_help),
    Step("A member tries to change the group's settings", _member_tries_config),
    Step("The leader makes Dr Ada co-leader", _leader_adds_coleader),
    Step("The co-leader changes a setting back", _coleader_configures),
    Step("A classic session: Dr Ada, the presenter, comes into voice", _presenter_comes_into_voice),
    Step("The leader starts the session", _leader_starts_the_session),
    Step("Presentation (5 minutes)", _presentation),
    Step("Clarifying questions (5 minutes)", _questions),
    Step("Discussion: the presenter is pushed back and listens, muted (25 minutes)", _discussion),
    Step("The presenter returns (7 minutes)", _return),
    Step("Closing (3 minutes)", _closing),
    Step("Three members give anonymous feedback; the leader reads it", _feedback),
    Step("Dr Ben proposes a case anonymously", _anonymous_case),
    Step("A session on the anonymous case: the presenter speaks only through the bot", _anonymous_session),
)


async def play_demo(env: Env, steps: Sequence[Step] = DEMO_STEPS) -> int:
    """Build the demo group and play the steps, printing each action and what the bot showed."""
    from bot.sandbox.transcript import Transcript
    from bot.sandbox.world import build_world

    _say("balint-bot demo: the real bot inside SimCord, a simulated Discord. Offline: no Discord")
    _say("connection, nothing leaves this machine; a temporary database, deleted at the end.")
    _say(f"Sandbox time starts at {env.now():%Y-%m-%d %H:%M} UTC.")
    _say(CONNECT_HINT)
    transcript = Transcript(_say)
    world = await build_world(env, transcript)
    for step in steps:
        transcript.heading(step.title)
        await step.act(world)
    # A refusal is an answer the demo asks for on purpose (a member tries a leader's command).
    errors = [error for error in env.errors if refusal_in(error) is None]
    if errors:
        print(f"demo: the bot raised {len(errors)} error(s):", file=sys.stderr)
        for error in errors:
            print(f"  {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    transcript.heading(f"Demo finished: {len(steps)} steps after setting up the group.")
    return 0


# ---------------------------------------------------------------------------------- browser


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
    _say("=" * 78)
    _say("balint-bot OFFLINE SANDBOX: no Discord connection; nothing leaves this machine.")
    _say("The real bot runs inside SimCord, a simulated Discord, with a demo server:")
    _say(f'  group "{world.group_name}" in {world.channel_name}, led by {world.name(world.leader)};')
    _say(f"  members {members}.")
    _say("  Its data is in a temporary database, deleted when the sandbox stops.")
    _say(f"  Sandbox time started at {world.env.now():%Y-%m-%d %H:%M} UTC and runs {pace}.")
    _say(CONNECT_HINT)
    _say("")
    _say("Open this address in a browser on this machine (it answers on 127.0.0.1 only):")
    _say(f"  {url}")
    _say("Pick who you are in the page's viewer list (the leader or a member), then type / to run")
    _say("a command or click the bot's buttons. The address holds a key: whoever has it can act")
    _say("in the sandbox, so keep it to yourself.")
    _say('Stop with Ctrl-C, or with "End preview session" in the page.')
    _say("=" * 78)


async def serve_preview(env: Env, settings: Settings) -> int:
    """Build the demo group and serve SimCord's Preview of its channel until closed or stopped."""
    from simcord import SetupError

    from bot.sandbox.world import GROUP_TIMEZONE, build_world

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
    _say("Sandbox stopped: the page ended the session." if closed in done else "Sandbox stopped.")
    return 0
