"""Languages: which one a reader gets, and each one's catalogue, plural rules, numbers, lists and dates.

The msgids are the English texts, written where they are used (`N_`, `Refusal`, `Text`, `Plural`,
`gettext`, `ngettext`, `locale_str`: babel.cfg names them for `pybabel extract`). The French
catalogue is `bot/locales/fr/LC_MESSAGES/balint.po`, the file translators edit; it is read
and compiled in memory the first time French is needed (`make messages` refreshes it).

Who reads decides the language: a private answer follows the caller's Discord language
(`lang_of(interaction.locale)`), a message in a group's channel the group's setting.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, tzinfo
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, Literal

import discord
from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from discord import app_commands

from bot.core.phases import Phase, builtin_phase
from bot.core.text import Amount, Lang, Param, Plural, Text, fill, lang_for_locale

LOCALES = Path(__file__).with_name("locales")
DOMAIN = "balint"


def catalogue_path(lang: Lang) -> Path:
    """Where a language's .po file lives (English has none: its msgids are the text)."""
    return LOCALES / lang.value / "LC_MESSAGES" / f"{DOMAIN}.po"


def lang_of(locale: object) -> Lang:
    """Return the language for a Discord locale: French for any French one (fr, fr-FR, fr-CA), else English."""
    return lang_for_locale(str(getattr(locale, "value", locale) or ""))


def compile_catalogue(po: BinaryIO, lang: Lang) -> stdlib_gettext.GNUTranslations:
    """Compile a .po in memory as gettext reads it, leaving out fuzzy and untranslated entries.

    Compiling at start rather than shipping a .mo keeps one file, the .po, in git and in the
    wheel: nothing to forget to rebuild, nothing that can be stale. It takes milliseconds.
    """
    catalog = read_po(po, locale=lang.value, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return stdlib_gettext.GNUTranslations(compiled)


def _catalogue(lang: Lang) -> stdlib_gettext.NullTranslations:
    if lang is Lang.EN:
        return stdlib_gettext.NullTranslations()
    with catalogue_path(lang).open("rb") as po:
        return compile_catalogue(po, lang)


ListStyle = Literal["standard", "or"]


# How many looked-up msgids and written numbers a translator remembers. Every interaction
# renders dozens of texts (a panel: its phases, minutes, headings), the same ones again and
# again; Babel takes some fifteen microseconds to write a number. The bound matters because a
# refusal's msgid may hold a value (a name), so the set of msgids seen is not closed.
REMEMBERED = 4096


class Translator:
    """One language's texts: gettext and ngettext with named placeholders, numbers, lists, dates."""

    def __init__(self, lang: Lang, catalogue: stdlib_gettext.NullTranslations) -> None:
        self.lang = lang
        self.locale = Locale.parse(lang.value)
        self._catalogue = catalogue
        self._found: dict[str, str] = {}
        self._numbers: dict[int, str] = {}

    def _lookup(self, msgid: str) -> str:
        found = self._found.get(msgid)
        if found is None:
            if len(self._found) >= REMEMBERED:
                self._found.clear()
            found = self._found[msgid] = self._catalogue.gettext(msgid)
        return found

    def gettext(self, msgid: str, /, **params: Param) -> str:
        """Return the msgid in this language, its placeholders filled."""
        return fill(self._lookup(msgid), self._values(params) if params else {})

    def ngettext(self, singular: str, plural: str, n: int, /, **params: Param) -> str:
        """Return the form for `n` (French: one for 0 and 1), its placeholders filled (`n` is not one of them)."""
        return fill(self._catalogue.ngettext(singular, plural, n), self._values(params))

    def render(self, text: Text) -> str:
        """Return a core `Text` in this language; placeholders that are texts themselves are translated too.

        A `Plural` takes the form its count calls for in this language, as `ngettext` does.
        """
        if isinstance(text, Plural):
            return fill(self._catalogue.ngettext(text.msgid, text.plural, text.n), self._values(text.params))
        return fill(self._lookup(text.msgid), self._values(text.params))

    def translation(self, msgid: str) -> str | None:
        """Return the catalogue's translation of a msgid, or None if it has none (English has none)."""
        found = self._lookup(msgid)
        return found if found != msgid else None

    def _values(self, params: Mapping[str, Param]) -> dict[str, str]:
        return {name: self._value(value) for name, value in params.items()}

    def _value(self, value: Param) -> str:
        if isinstance(value, Text):
            return self.render(value)
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int):
            return self.number(value)
        if isinstance(value, Amount):
            return format_decimal(value.value, format="#,##0." + "#" * value.places, locale=self.locale)
        return value

    def number(self, n: int) -> str:
        """Write a quantity with this language's digit grouping (1,500 / 1 500)."""
        written = self._numbers.get(n)
        if written is None:
            if len(self._numbers) >= REMEMBERED:
                self._numbers.clear()
            written = self._numbers[n] = format_decimal(n, locale=self.locale)
        return written

    def decimal(self, x: float, *, places: int) -> str:
        """Write a measure with exactly `places` decimals, as this language does (4.0 / 4,0)."""
        return format_decimal(x, format="#,##0." + "0" * places if places else "#,##0", locale=self.locale)

    def join(self, items: Iterable[str], style: ListStyle = "standard") -> str:
        """Join words as a sentence does: "A, B, and C" / "A, B et C" ("or": "ou")."""
        return format_list(list(items), style=style, locale=self.locale)

    def day(self, day: date | datetime, *, weekday: bool = True) -> str:
        """Write a day in full: "Tuesday, December 1, 2026" / "mardi 1 décembre 2026"."""
        return format_date(day, "full" if weekday else "long", locale=self.locale)

    def weekday(self, day: date | datetime) -> str:
        """Name the day of the week: "Tuesday" / "mardi"."""
        return format_date(day, "EEEE", locale=self.locale)

    def moment(self, moment: datetime) -> str:
        """Write a day and time briefly, in its own zone: "Fri 09 Jan 2026 19:00" / "ven. 09 janv. 2026 19:00"."""
        return format_datetime(moment, "EEE dd MMM y HH:mm", locale=self.locale)

    def time_of_day(self, moment: time | datetime, zone: tzinfo | None = None) -> str:
        """Write a time of day as this language does: "7:00 PM" / "19:00" (in `zone` if given)."""
        return format_time(moment, "short", tzinfo=zone, locale=self.locale)


@cache
def translator(lang: Lang) -> Translator:
    """Return the language's translator, its catalogue read once per process."""
    return Translator(lang, _catalogue(lang))


def translator_for(locale: object) -> Translator:
    """Return the translator for a Discord locale (`interaction.locale`): the reader's own language."""
    return translator(lang_of(locale))


def phase_name(phase: Phase, t: Translator) -> str:
    """Name a session's phase: a built-in one in the reader's language, a custom one as its author wrote it."""
    return t.gettext(phase.name) if builtin_phase(phase) else phase.name


def phase_guidance(phase: Phase, t: Translator) -> str:
    """Give a phase's guidance: a built-in one translated, a custom one as written."""
    return t.gettext(phase.guidance) if builtin_phase(phase) else phase.guidance


# Command, subcommand and option names stay English: people type them, and the guide, the
# help and other members' messages name them so. Everything a person reads is translated.
_KEPT = frozenset({
    app_commands.TranslationContextLocation.command_name,
    app_commands.TranslationContextLocation.group_name,
    app_commands.TranslationContextLocation.parameter_name,
})


class CommandTranslator(app_commands.Translator):
    """Gives the slash commands' descriptions and choice labels in every catalogued language."""

    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        """Return the catalogue's translation for this Discord locale, or None to show the English."""
        if context.location in _KEPT:
            return None
        lang = lang_of(locale)
        return None if lang is Lang.EN else translator(lang).translation(string.message)
