"""A `python -m bot` process for the smoke and reliability tests: its environment, its output, its end."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

import pytest

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
