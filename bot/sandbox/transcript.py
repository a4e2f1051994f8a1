"""Readable lines of what people did in the sandbox and what the bot showed them."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import discord

if TYPE_CHECKING:
    # Types only: SimCord is optional, and run_sandbox checks it is there before it is used.
    from simcord import ResponseMessage

WIDTH = 100
INDENT = "    "
EMBED_BAR = "▌ "
DESCRIPTION_LINES = 6
FIELD_LINES = 4
# A message body longer than this many lines is written once; the same again reads "as above".
REPEAT_AFTER = 3

_MENTION = re.compile(r"<(@!?|@&|#)(\d+)>")
_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::[tTdDfFR])?>")
# Bold and underline markers only: backticks stay, they read well around command names.
_EMPHASIS = re.compile(r"\*\*|__")
_ESCAPE = re.compile(r"\\([\\*_~`|>#\-\[\]()])")


@dataclass(frozen=True)
class Control:
    """A button or select menu under a message: what it says, and the id the bot gave it."""

    label: str
    custom_id: str | None


@dataclass(frozen=True)
class Shown:
    """What a person sees of one bot message: its text, embeds and controls."""

    content: str
    embeds: tuple[discord.Embed, ...]
    controls: tuple[Control, ...]


_SELECTS = frozenset(kind.value for kind in (
    discord.ComponentType.string_select, discord.ComponentType.user_select,
    discord.ComponentType.role_select, discord.ComponentType.mentionable_select,
    discord.ComponentType.channel_select,
))


def _controls(components: Iterable[Mapping[str, Any]]) -> list[Control]:
    found: list[Control] = []
    for component in components:
        kind = component.get("type")
        custom_id = component.get("custom_id")
        if kind == discord.ComponentType.button.value:
            emoji = component.get("emoji") or {}
            found.append(Control(str(component.get("label") or emoji.get("name") or "?"), custom_id))
        elif kind in _SELECTS:
            found.append(Control(f"{component.get('placeholder') or 'Choose'} ▾", custom_id))
        found += _controls(component.get("components", ()))
        accessory = component.get("accessory")
        if isinstance(accessory, Mapping):
            found += _controls((accessory,))
    return found


def shown(message: discord.Message | ResponseMessage) -> Shown:
    """Return what a person sees of a message, whether SimCord or discord.py produced the object."""
    if isinstance(message, discord.Message):
        raw: Sequence[Mapping[str, Any]] = [component.to_dict() for component in message.components]
    else:
        raw = message.components
    return Shown(message.content, tuple(message.embeds), tuple(_controls(raw)))


class Transcript:
    """Lines of a sandbox run: headings, people's actions and the bot's visible answers.

    Every line is kept in `lines`; with `write` (such as `print`) each is also emitted as it
    comes, so a long demo shows progress. Mentions are written as the names people see.
    """

    def __init__(self, write: Callable[[str], None] | None = None, *, width: int = WIDTH) -> None:
        self.lines: list[str] = []
        self._write = write
        self._width = width
        self._users: dict[int, str] = {}
        self._channels: dict[int, str] = {}
        self._roles: dict[int, str] = {}
        self._written: set[str] = set()

    def know_user(self, user_id: int, name: str) -> None:
        """Write mentions of this user as @name."""
        self._users[user_id] = name

    def know_channel(self, channel_id: int, name: str) -> None:
        """Write mentions of this channel as #name."""
        self._channels[channel_id] = name

    def know_role(self, role_id: int, name: str) -> None:
        """Write mentions of this role as @name."""
        self._roles[role_id] = name

    def user(self, user_id: int) -> str:
        """Return the name a person sees for a user."""
        return self._users.get(user_id, f"user {user_id}")

    def channel(self, channel_id: int) -> str:
        """Return a channel as its mention reads, #name."""
        return f"#{self._channels.get(channel_id, channel_id)}"

    def _emit(self, line: str) -> None:
        self.lines.append(line)
        if self._write is not None:
            self._write(line)

    def plain(self, text: str) -> str:
        """Return text as a client shows it: names for mentions, dates for timestamps, no markup."""

        def mention(match: re.Match[str]) -> str:
            kind, ident = match[1], int(match[2])
            if kind == "#":
                return self.channel(ident)
            if kind == "@&":
                return f"@{self._roles.get(ident, ident)}"
            return f"@{self.user(ident)}"

        def timestamp(match: re.Match[str]) -> str:
            moment = datetime.fromtimestamp(int(match[1]), UTC)
            return moment.strftime("%Y-%m-%d %H:%M UTC")

        text = _MENTION.sub(mention, text)
        text = _TIMESTAMP.sub(timestamp, text)
        text = _EMPHASIS.sub("", text)
        return _ESCAPE.sub(r"\1", text)

    def _wrap(self, text: str, prefix: str, limit: int | None = None) -> list[str]:
        lines: list[str] = []
        for paragraph in self.plain(text).splitlines() or [""]:
            lines += textwrap.wrap(paragraph, self._width - len(prefix)) or [""]
        if limit is not None and len(lines) > limit:
            lines = [*lines[: limit - 1], lines[limit - 1].rstrip() + " …"]
        return [prefix + line for line in lines]

    def value(self, value: object) -> str:
        """Return a command option's value as a person typed or picked it."""
        if isinstance(value, bool | str | int | float):
            return str(value)
        ident = getattr(value, "id", None)
        if isinstance(ident, int):
            if ident in self._users:
                return f"@{self._users[ident]}"
            if ident in self._channels:
                return self.channel(ident)
            if ident in self._roles:
                return f"@{self._roles[ident]}"
        return str(value)

    def heading(self, title: str) -> None:
        """Start a part of the transcript."""
        if self.lines:
            self._emit("")
        self._emit(f"── {title}")

    def note(self, text: str) -> None:
        """Say something that happened outside Discord, such as how the demo server was set up."""
        first, *rest = self._wrap(text, INDENT)
        self._emit("  · " + first.removeprefix(INDENT))
        for line in rest:
            self._emit(line)

    def person(self, text: str) -> None:
        """Record what a person did."""
        self._emit(self.plain(text))

    def command(self, who: str, command: str, options: Mapping[str, object]) -> None:
        """Record a person running a slash command, with its options as typed."""
        typed = " ".join(f"{name}:{self.value(value)}" for name, value in options.items())
        self.person(f"{who} ran /{command}" + (f" {typed}" if typed else ""))

    def bot(self, where: str, message: Shown, *, fields: int | None = None) -> None:
        """Record a bot message as seen by whoever can see it; `where` says who that is.

        `fields` caps the embed fields shown, for long help pages; the rest are counted. A long
        message already written in full (the same agreement shown to each member) is not repeated.
        """
        header = f"bot {where}:"
        body: list[str] = []
        paragraphs = self.plain(message.content).splitlines() if message.content else []
        for number, paragraph in enumerate(paragraphs):
            first = f"{header} " if number == 0 else INDENT
            body += textwrap.wrap(paragraph, self._width, initial_indent=first,
                                  subsequent_indent=INDENT) or [first.rstrip()]
        if not body:
            body.append(header)
        for embed in message.embeds:
            body += self._embed(embed, fields)
        if len(body) > REPEAT_AFTER:
            key = repr((message.content, [embed.to_dict() for embed in message.embeds]))
            if key in self._written:
                body = [f"{header} the same message as above"]
            self._written.add(key)
        for line in body:
            self._emit(line)
        if message.controls:
            self._emit(INDENT + "  ".join(f"[{control.label}]" for control in message.controls))

    def _embed(self, embed: discord.Embed, fields: int | None) -> list[str]:
        bar = INDENT + EMBED_BAR
        lines: list[str] = []
        if embed.title:
            lines.append(bar + self.plain(embed.title))
        if embed.description:
            lines += self._wrap(embed.description, bar, DESCRIPTION_LINES)
        shown_fields: Sequence[Any] = embed.fields if fields is None else embed.fields[:fields]
        for field in shown_fields:
            name, value = self.plain(field.name or ""), field.value or ""
            one_line = self.plain(value)
            if "\n" not in one_line and len(bar) + len(name) + len(one_line) + 2 <= self._width:
                lines.append(f"{bar}{name}: {one_line}")
                continue
            lines.append(f"{bar}{name}:")
            lines += self._wrap(value, bar + "  ", FIELD_LINES)
        hidden = len(embed.fields) - len(shown_fields)
        if hidden:
            lines.append(f"{bar}… and {hidden} more section{'s' if hidden > 1 else ''}")
        if embed.footer.text:
            lines.append(bar + self.plain(embed.footer.text))
        return lines
