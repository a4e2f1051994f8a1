"""Errors the core raises on purpose."""

from __future__ import annotations

from bot.core.text import Param, Text


class Refusal(Exception):
    """A request the bot declines, with the one-sentence reason and what to do instead.

    The text is shown to the person who asked, privately: it must never name anyone but
    that person. `message` is an English msgid with named placeholders, filled from `params`
    ("There is no group called '{name}'…", name=...); `str()` is that English sentence, and
    `bot.discord_io.replies.answer_failure` shows it in the reader's language.
    """

    def __init__(self, message: str, /, **params: Param) -> None:
        self.text = Text(message, **params)
        self.message = str(self.text)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message
