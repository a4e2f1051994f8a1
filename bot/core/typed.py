"""What people type: quoting it back in a refusal, and reading an id picked from a list."""

from __future__ import annotations

import re
import unicodedata

# Snowflakes and row ids as autocompletion gives them: ASCII digits only. str.isdigit() is no test:
# it takes "²" (which int() refuses) and "٣" or "߁" (which int() reads as 3 and 1).
_PICKED_ID = re.compile(r"[0-9]{1,18}")


def shown(text: str) -> str:
    """Quote what was typed in a refusal: shortened, and without what could break the message."""
    flat = "".join(ch for ch in " ".join(text.split()) if unicodedata.category(ch)[0] != "C")
    flat = flat.replace("`", "'")
    return flat if len(flat) <= 40 else flat[:39] + "…"


def picked_id(text: str) -> int | None:
    """Return the id an option picked from a list carries, or None for anything typed instead."""
    value = text.strip()
    return int(value) if _PICKED_ID.fullmatch(value) else None
