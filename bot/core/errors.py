"""Errors the core raises on purpose."""


class Refusal(Exception):
    """A request the bot declines, with the one-sentence reason and what to do instead.

    The text is shown to the person who asked, privately, as it is: it must never
    name anyone but that person.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
