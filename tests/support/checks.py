"""What the fuzz and permission tests check after each action: a private answer, an unchanged database.

A refusal must leave every row as it was, so the whole database is read before and after (it is
small in these tests), straight from the file, as an outsider would. Errors are collected from the
root logger, where the bot's own `log.error` and discord.py's both arrive.
"""

from __future__ import annotations

import logging
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import simcord

from bot.discord_io.replies import refusal_in

Rows = dict[str, list[tuple[Any, ...]]]


def database_rows(path: Path) -> Rows:
    """Every row of every table, sorted, keyed by table name."""
    with sqlite3.connect(path) as conn:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )]
        # Sorted by repr: rows mix None, numbers, text and bytes, which do not compare with each other.
        return {table: sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr) for table in tables}


def changed_tables(before: Rows, after: Rows) -> list[str]:
    """Name the tables whose rows differ."""
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


def answered_privately(result: simcord.InteractionResult) -> bool:
    """Whether the interaction was answered, and only the person who acted saw the answer.

    A form (modal) is private by nature; a message answer, and every follow-up, must be ephemeral.
    """
    if not result.acknowledged:
        return False
    if result.modal is not None:
        return True
    return result.ephemeral and all(followup.ephemeral for followup in result.followups)


def answer_text(result: simcord.InteractionResult) -> str:
    """The text of the last private answer, whether it came at once or after deferring."""
    if result.followups:
        return result.followups[-1].content
    return result.response.content if result.response is not None else ""


def one_line(text: str) -> bool:
    """Whether a refusal is one plain line: no line break, no control or invisible character."""
    return bool(text) and not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


def pings(requests: list[Any]) -> list[str]:
    """The new messages among REST calls whose text would be let to ping @everyone, @here or a role.

    Any text the bot posts may hold user text (a group's name, a case title), so each new message
    with content must carry `allowed_mentions` that parse neither everyone nor roles. Embeds never
    ping, and neither does an edit, so only POSTs with content are looked at.
    """
    found = []
    for request in requests:
        body = request.json
        if request.method.upper() != "POST" or not isinstance(body, dict):
            continue
        message = body.get("data") if isinstance(body.get("data"), dict) else body
        if not message.get("content"):
            continue
        allowed = message.get("allowed_mentions")
        if allowed is None or {"everyone", "roles"} & set(allowed.get("parse", [])) or allowed.get("roles"):
            found.append(f"{request.method} {request.path}: allowed_mentions {allowed!r}")
    return found


def refusals_since(env: simcord.Env, cursor: int) -> list[BaseException]:
    """The refusals the bot raised (and answered) since an error cursor."""
    return [error for error in env.errors_since(cursor) if refusal_in(error) is not None]


def failures_since(env: simcord.Env, cursor: int) -> list[BaseException]:
    """The errors that reached an error handler since a cursor and were not refusals."""
    return [error for error in env.errors_since(cursor) if refusal_in(error) is None]


class ErrorRecords(logging.Handler):
    """Collects every record at ERROR or above, from any logger."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def since(self, cursor: int) -> list[str]:
        """Describe the records logged since a cursor (the length of `records` then)."""
        return [f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" if r.exc_info else f"{r.name}: {r.getMessage()}"
                for r in self.records[cursor:]]


@contextmanager
def logged_errors() -> Iterator[ErrorRecords]:
    """Collect the errors logged anywhere while the block runs."""
    handler = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
