"""Which of the bot's languages a Discord locale gets: French for any French locale, English otherwise."""

from __future__ import annotations

from typing import Literal

from bot.core.text import Lang, lang_for_locale

# The privacy texts' key for a language (they predate the catalogue: see bot/core/privacy.py).
Language = Literal["en", "fr"]


def language_of(locale: str) -> Language:
    """Return "fr" for "fr", "fr-CA" and the like, else "en" (the rule is `lang_for_locale`)."""
    return "fr" if lang_for_locale(locale) is Lang.FR else "en"
