"""Reading what a leader types: a start ("next tuesday 19:00") and a calendar day ("2026-12-31")."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.errors import Refusal
from bot.core.text import N_, Text
from bot.core.typed import shown

TEXT_MAX = 100

WEEKDAY_NAMES = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
                 N_("Sunday"))

_WEEKDAYS = {
    **{name.casefold(): index for index, name in enumerate(WEEKDAY_NAMES)},
    **{name: index for index, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    "tues": 1, "thur": 3, "thurs": 3,
    **{name: index for index, name in enumerate(
        ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"))},
}
_EXAMPLES = N_("write it like 2026-12-01 19:00, tomorrow 19:00 or next tuesday 19:00")

_DATE = r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
_TIME = (
    r"(?:(?P<h>\d{1,2}):(?P<mi>\d{2})\s*(?P<ampm>am|pm)?"
    r"|(?P<h2>\d{1,2})\s*(?P<ampm2>am|pm)"
    r"|(?P<h3>\d{1,2})h(?P<mi3>\d{2})?)"
)
_DAY_WORDS = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_RELATIVE = (
    rf"(?P<rel>today|tomorrow|aujourd'hui|demain"
    rf"|(?P<next>next\s+|this\s+)?(?P<wd>{_DAY_WORDS})(?P<prochain>\s+prochain)?)"
)
_START = re.compile(rf"(?:{_DATE}|{_RELATIVE})(?:\s*t\s*|\s*,?\s+(?:at\s+|à\s+)?){_TIME}")
_DAY_ONLY = re.compile(_DATE)


def _clean(text: str) -> str:
    normal = unicodedata.normalize("NFKC", text).replace("’", "'")
    return " ".join(normal.casefold().split())


def _time_of_day(match: re.Match[str]) -> time:
    if match["h"] is not None:
        hour, minute, ampm = int(match["h"]), int(match["mi"]), match["ampm"]
    elif match["h2"] is not None:
        hour, minute, ampm = int(match["h2"]), 0, match["ampm2"]
    else:
        hour, minute, ampm = int(match["h3"]), int(match["mi3"] or 0), None
    if ampm is not None:
        if not 1 <= hour <= 12 or minute > 59:
            raise Refusal("{time} is not a time of day; use 1-12 with am or pm, or 0-23.",
                          time=f"{hour}:{minute:02d} {ampm}")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        raise Refusal("{time} is not a time of day; use hours 0-23 and minutes 0-59.",
                      time=f"{hour}:{minute:02d}")
    return time(hour, minute)


def _calendar_day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise Refusal("{day} is not a day of the calendar; check the month and day.",
                      day=f"{year:04d}-{month:02d}-{day:02d}") from None


def parse_start(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """Read a start typed by a leader as a wall-clock time in `zone` (naive), or refuse.

    "tuesday 19:00" is the soonest Tuesday at 19:00 still to come (today, if it is Tuesday and
    19:00 has not passed); "next tuesday 19:00" is the first Tuesday after today.
    """
    cleaned = _clean(text[: TEXT_MAX * 2])
    if not cleaned:
        raise Refusal("The start is empty; {examples}.", examples=Text(_EXAMPLES))
    match = _START.fullmatch(cleaned) if len(cleaned) <= TEXT_MAX else None
    if match is None:
        raise Refusal("I cannot read '{typed}' as a day and time; {examples}.", typed=shown(text),
                      examples=Text(_EXAMPLES))
    at = _time_of_day(match)
    today = now.astimezone(zone).date()
    if match["y"] is not None:
        day = _calendar_day(int(match["y"]), int(match["mo"]), int(match["d"]))
    elif match["rel"] in ("today", "aujourd'hui"):
        day = today
    elif match["rel"] in ("tomorrow", "demain"):
        day = today + timedelta(days=1)
    else:
        ahead = (_WEEKDAYS[match["wd"]] - today.weekday()) % 7
        strictly_after = bool(match["next"] and match["next"].startswith("next")) or bool(match["prochain"])
        if ahead == 0 and (strictly_after or datetime.combine(today, at, zone) <= now):
            ahead = 7
        day = today + timedelta(days=ahead)
    return datetime.combine(day, at)


def parse_day(text: str, what: str) -> date:
    """Read a calendar day written as YYYY-MM-DD, or refuse naming the option."""
    cleaned = _clean(text[: TEXT_MAX * 2])
    match = _DAY_ONLY.fullmatch(cleaned)
    if match is None:
        raise Refusal("I cannot read '{typed}' as a day for {option}; write it like 2026-12-31.", typed=shown(text),
                      option=what)
    return _calendar_day(int(match["y"]), int(match["mo"]), int(match["d"]))
