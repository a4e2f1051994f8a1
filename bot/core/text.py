"""Texts a person reads, as gettext msgids: written and marked here in core, translated where they are shown.

The core never translates: it has no idea who reads. A sentence it produces is its English
msgid with named placeholders ("Only the leaders of {group} {doing}; {then}."), kept with its
values as a `Text`; `bot.i18n` looks the msgid up in the reader's catalogue and fills it in.
A quantity that decides the words ("1 hour", "24 hours") is a `Plural`, a `Text` with both
English forms and its count, which the reader's language picks from with its plural rule.
`N_` marks a msgid kept in a constant, so that `pybabel extract` finds it (see babel.cfg).

Where the core writes a whole file for someone (an export, a calendar, a CSV), it is given a
`Render`: the reader's `bot.i18n.translator(lang).render`, or `str` for English.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Mapping
from enum import Enum
from typing import TypeAlias


class Lang(Enum):
    """A language the bot speaks; a group has one for its channel, a person has their Discord's."""

    EN = "en"
    FR = "fr"


def lang_for_locale(code: str) -> Lang:
    """Return the language for a Discord locale code: French for any French one (fr, fr-FR, fr-CA), else English."""
    return Lang.FR if code.strip().replace("_", "-").split("-")[0].casefold() == "fr" else Lang.EN


def N_(msgid: str) -> str:
    """Mark a msgid for extraction and return it unchanged: it is translated where it is shown."""
    return msgid


class Text:
    """A msgid and the values of its named placeholders: English as `str()`, translated by `bot.i18n`."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, /, **params: Param) -> None:
        self.msgid = msgid
        self.params: Mapping[str, Param] = params

    def __str__(self) -> str:
        return fill(self.msgid, {name: english(value) for name, value in self.params.items()})

    def __repr__(self) -> str:
        return f"Text({self.msgid!r}, **{dict(self.params)!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and isinstance(other, Text) and (
            (self.msgid, dict(self.params)) == (other.msgid, dict(other.params)))

    def __hash__(self) -> int:
        return hash(self.msgid)


class Plural(Text):
    """A msgid with its plural, and the count that picks the form: as `ngettext`, kept as a value.

    `Plural("{count} hour", "{count} hours", n, count=n)`: English takes the singular for 1
    and the plural otherwise; `bot.i18n` asks the reader's catalogue, whose plural rule may
    have more forms (French: one for 0 and 1). The count is not a placeholder by itself: name
    it among the params if the sentence shows it.
    """

    __slots__ = ("n", "plural")

    def __init__(self, singular: str, plural: str, n: int, /, **params: Param) -> None:
        super().__init__(singular, **params)
        self.plural = plural
        self.n = n

    def __str__(self) -> str:
        template = self.msgid if self.n == 1 else self.plural
        return fill(template, {name: english(value) for name, value in self.params.items()})

    def __repr__(self) -> str:
        return f"Plural({self.msgid!r}, {self.plural!r}, {self.n!r}, **{dict(self.params)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Plural) and super().__eq__(other) and (self.plural, self.n) == (other.plural, other.n)

    def __hash__(self) -> int:
        return hash((self.msgid, self.n))


class Amount:
    """A measure with decimals (22.5 hours), written with the reader's decimal sign (22.5 / 22,5).

    At most `places` decimals are shown, and none that are zero: 30 hours read "30", not "30.0".
    The value is cut, never rounded up: a record never claims more than was counted.
    """

    __slots__ = ("places", "value")

    def __init__(self, value: float, places: int = 1) -> None:
        scale = 10 ** places
        self.value = math.floor(value * scale + 1e-9) / scale
        self.places = places

    def __str__(self) -> str:
        return f"{self.value:,.{self.places}f}".rstrip("0").rstrip(".")

    def __repr__(self) -> str:
        return f"Amount({self.value!r}, {self.places!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Amount) and (self.value, self.places) == (other.value, other.places)

    def __hash__(self) -> int:
        return hash((self.value, self.places))


# A value a placeholder takes: text as it is (a name, a mention), a quantity (written with the
# reader's digit grouping: never an id, pass ids as mentions), a measure with decimals, or
# another msgid to translate.
Param: TypeAlias = str | int | Amount | Text

# How a reader's language writes a core `Text`: `bot.i18n.translator(lang).render`; `str` is English.
Render: TypeAlias = Callable[[Text], str]


def english(value: Param) -> str:
    """Write one placeholder's value in English: a quantity with thousands separators, a msgid as it is."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def fill(template: str, values: Mapping[str, str]) -> str:
    """Fill a msgid's or a translation's named placeholders; one without any is returned as it is.

    A sentence with no placeholder may have been built before this module existed (an
    f-string holding a user's text with braces in it): formatting it again could fail.
    """
    return template.format(**values) if values else template


def placeholders(template: str) -> frozenset[str]:
    """Return the names of a msgid's placeholders, as a translation must keep them."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)
