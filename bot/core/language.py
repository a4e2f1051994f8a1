"""Which of the bot's languages a Discord locale gets: French for any French locale, English otherwise."""

from __future__ import annotations

from typing import Literal

Language = Literal["en", "fr"]


def language_of(locale: str) -> Language:
    """Return "fr" for "fr", "fr-CA" and the like, else "en"."""
    return "fr" if locale.strip().lower().replace("_", "-").split("-")[0] == "fr" else "en"
