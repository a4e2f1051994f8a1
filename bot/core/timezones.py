"""IANA timezone names: validation with suggestions, and completion."""

from __future__ import annotations

import difflib
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from bot.core.errors import Refusal
from bot.core.typed import shown


@cache
def _zones() -> dict[str, str]:
    # Keyed by lower case so that "europe/paris" is understood; the legacy upper-case
    # aliases ("EST5EDT", "GB") are left out of suggestions but still accepted.
    return {name.casefold(): name for name in available_timezones()}


def _region_zones() -> list[str]:
    return sorted(name for name in _zones().values() if "/" in name and not name.startswith("Etc/"))


def resolve_timezone(text: str) -> str:
    """Return the canonical IANA name for `text`, or refuse with close suggestions."""
    wanted = text.strip()
    found = _zones().get(wanted.casefold())
    if found is not None:
        ZoneInfo(found)
        return found
    city = wanted.replace(" ", "_").casefold()
    by_city = [name for name in _region_zones() if name.casefold().rsplit("/", 1)[-1] == city]
    suggestions = by_city or difflib.get_close_matches(wanted, _region_zones(), n=3, cutoff=0.6)
    if suggestions:
        # Zone names are identifiers to type, listed as such (commas) in every language.
        raise Refusal(
            "'{zone}' is not an IANA timezone name. Did you mean {suggestions}? "
            "Use a name like Europe/Paris or America/Toronto.",
            zone=shown(wanted), suggestions=", ".join(suggestions),
        )
    raise Refusal("'{zone}' is not an IANA timezone name. Use a name like Europe/Paris or America/Toronto.",
                  zone=shown(wanted))


def complete_timezone(current: str, limit: int = 25) -> list[str]:
    """Return up to `limit` zone names containing what was typed, best first."""
    needle = current.strip().casefold().replace(" ", "_")
    zones = _region_zones()
    if not needle:
        return zones[:limit]
    starts = [z for z in zones if z.casefold().startswith(needle)]
    contains = [z for z in zones if needle in z.casefold() and z not in starts]
    return (starts + contains)[:limit]
