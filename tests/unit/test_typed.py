"""Reading an id picked from a list, and quoting typed text back in a refusal."""

from __future__ import annotations

import pytest

from bot.core.typed import picked_id, shown


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("12", 12), (" 12 ", 12), ("007", 7), ("9" * 18, int("9" * 18)), ("9" * 19, None), ("", None), ("-1", None),
     ("1e3", None), ("²", None), ("٣", None), ("߁", None), ("１２", None), ("1٣", None)],
)
def test_only_ascii_digits_are_an_id(typed: str, expected: int | None) -> None:
    """Digits of other scripts are no id: int() reads some of them and chokes on others."""
    assert picked_id(typed) == expected


def test_shown_is_one_short_line() -> None:
    """Line breaks, control and invisible characters and backticks never reach the refusal."""
    assert shown("Alpha\nBeta\x00\u200b `x`") == "Alpha Beta 'x'"
    assert shown("x" * 80) == "x" * 39 + "…"
