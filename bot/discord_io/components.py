"""The base of every persistent button and form: one custom-id format each, and one answer to failures.

A persistent button keeps its state in its custom id, so that it answers after a restart. Each
kind declares that id once, as a `CustomId` ("balint:s:{session}:{action}" with a type per
field): the regex discord.py matches and the id written on the button both come from it, and
the fields come back typed. Refusals raised by a button or a form are answered privately here,
in the clicker's language, and anything else gets one private apology before discord.py logs it.
A button's label is given in the language of whoever will see it; a button rebuilt from a click
keeps the label it was posted with, so its constructor takes the language as an optional extra.
"""

from __future__ import annotations

import abc
import re
import string
from enum import Enum
from typing import Any, ClassVar

import discord

from bot.discord_io.replies import answer_failure

# What a field of a custom id may be: a whole number, an enum (by value), or a regex for text.
FieldType = type[int] | type[Enum] | str


class CustomId:
    """One custom-id format: "balint:s:{session}:{action}" with a type for each field."""

    def __init__(self, layout: str, **fields: FieldType) -> None:
        self.layout = layout
        self.fields = fields
        parts = []
        for literal, name, _, _ in string.Formatter().parse(layout):
            parts.append(re.escape(literal))
            if name is not None:
                parts.append(f"(?P<{name}>{self._regex(fields[name])})")
        self.pattern = "".join(parts)

    @staticmethod
    def _regex(kind: FieldType) -> str:
        if kind is int:
            return r"\d{1,20}"
        if isinstance(kind, type) and issubclass(kind, Enum):
            return "|".join(re.escape(str(member.value)) for member in kind)
        assert isinstance(kind, str)
        return kind

    def format(self, **values: Any) -> str:
        """Write the custom id of one button (an enum field is written as its value)."""
        return self.layout.format(**{k: v.value if isinstance(v, Enum) else v for k, v in values.items()})

    def parse(self, match: re.Match[str]) -> dict[str, Any]:
        """Read the fields back from a matched custom id, typed."""
        values: dict[str, Any] = {}
        for name, kind in self.fields.items():
            text = match[name]
            if kind is int:
                values[name] = int(text)
            elif isinstance(kind, type) and issubclass(kind, Enum):
                values[name] = kind(text)
            else:
                values[name] = text
        return values


class PersistentButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"(?!)"):
    """A button whose state lives in its custom id; subclasses declare `custom=CustomId(...)`.

    A subclass's constructor takes the custom id's fields as keyword arguments, so that the
    button rebuilds itself from a click after a restart; it acts in `press`.
    """

    custom: ClassVar[CustomId]

    def __init_subclass__(cls, *, custom: CustomId) -> None:
        cls.custom = custom
        super().__init_subclass__(template=custom.pattern)

    def __init__(self, *, label: str, style: discord.ButtonStyle = discord.ButtonStyle.secondary,
                 **fields: Any) -> None:
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=self.custom.format(**fields)))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> PersistentButton:
        """Rebuild the button from its custom id, also after a restart."""
        return cls(**cls.custom.parse(match))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Act; answer a refusal privately, and apologise once for anything else."""
        try:
            await self.press(interaction)
        except Exception as error:
            if not await answer_failure(interaction, error):
                raise

    @abc.abstractmethod
    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Do what the button is for."""


class PrivateModal(discord.ui.Modal):
    """A form whose refusals are answered privately, and whose failures get one apology."""

    # discord.py types a modal's on_error without the item its views pass: the same override it makes.
    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, /) -> None:  # type: ignore[override]
        """Answer a refusal, or apologise and let discord.py log the failure."""
        if not await answer_failure(interaction, error):
            await super().on_error(interaction, error)
