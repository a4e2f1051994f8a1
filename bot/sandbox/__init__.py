"""The offline sandbox: the real bot inside SimCord, a simulated Discord, with a demo group.

`python -m bot` without a token serves SimCord's browser Preview of the demo group's channel
(`preview`); `python -m bot --demo` plays a scripted walk-through (`demo`) and prints what each
person did and what the bot showed them (`transcript`). `world` builds the demo server by acting
as its people through the real bot, never by writing to the database. `run.run_sandbox` is the
entry to both. SimCord is optional (the `sandbox` extra): no module of this package imports it
at load time, so a missing SimCord is told in one line rather than a traceback.
"""

from __future__ import annotations

CONNECT_HINT = (
    "To connect to real Discord instead: set DISCORD_TOKEN (or discord.token in config.toml), "
    "then run `make run`."
)


def say(text: str = "") -> None:
    """Print a line of the sandbox's own output at once."""
    # Flushed, so that whoever reads a pipe (a test, a process manager) sees the address at once.
    print(text, flush=True)
