"""Accreditation schemes: what one asks for (sessions attended, sessions co-led, hours, over a span), and the progress.

A scheme is a name, one or more requirements, and an optional minimum span in months:

- a requirement is a unit (`sessions` attended, sessions `co-led`, `hours`) and a whole target;
  a `sessions` one may be "`target` of `out_of`": at least that many sessions attended among
  some `out_of` consecutive sessions of the group (the ABFM's "6 of 8"), the best run so far
  being the progress;
- the span is the whole months from the first session attended to the last (the German
  chambers' "30 hours over at least six months").

A scheme is met when every requirement and the span are. Schemes are counted per group: each
group keeps its own register, and a scheme's names are shown as the bot's operator wrote them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from bot.core.records import GroupRecord
from bot.core.text import Amount, Plural, Text


class Unit(Enum):
    """What a requirement counts."""

    SESSIONS = "sessions"
    COLED = "co-led"
    HOURS = "hours"


@dataclass(frozen=True)
class Requirement:
    """One thing a scheme asks for: a target in a unit; for sessions, maybe among `out_of` in a row."""

    unit: Unit
    target: int
    out_of: int | None = None


@dataclass(frozen=True)
class Scheme:
    """A scheme members follow: its name as the operator wrote it, its requirements, a minimum span."""

    name: str
    requires: tuple[Requirement, ...]
    min_months: int | None = None


# The three the issue names; config.example.toml ships them, and they are the defaults.
DEFAULT_SCHEMES: tuple[Scheme, ...] = (
    Scheme("UK Balint Society (leader accreditation)",
           (Requirement(Unit.SESSIONS, 20), Requirement(Unit.COLED, 20))),
    Scheme("German medical chambers (Balint group)", (Requirement(Unit.HOURS, 30),), min_months=6),
    Scheme("ABFM (Balint attendance)", (Requirement(Unit.SESSIONS, 6, out_of=8),)),
)

SCHEME_NAME_MAX = 80
SCHEMES_MAX = 10
REQUIREMENTS_MAX = 4
TARGET_MAX = 10_000
MONTHS_MAX = 120


class SchemeError(ValueError):
    """A scheme in config that cannot be used; `where` names the offending key."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


def _whole(where: str, value: object, top: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
        raise SchemeError(where, f"{value!r} is not allowed; use a whole number from 1 to {top:,}")
    return value


_REQUIREMENT_KEYS = frozenset({"unit", "target", "out_of"})
_SCHEME_KEYS = frozenset({"name", "requires", "min_months"}) | _REQUIREMENT_KEYS


def _requirement(where: str, raw: Mapping[str, object]) -> Requirement:
    units = {unit.value: unit for unit in Unit}
    unit_text = raw.get("unit")
    if unit_text not in units:
        raise SchemeError(f"{where}.unit", f"{unit_text!r} is not a unit; use one of {', '.join(units)}")
    unit = units[str(unit_text)]
    if "target" not in raw:
        raise SchemeError(f"{where}.target", "is missing; give a whole number, such as 20")
    target = _whole(f"{where}.target", raw["target"], TARGET_MAX)
    out_of = None
    if "out_of" in raw:
        if unit is not Unit.SESSIONS:
            raise SchemeError(f"{where}.out_of", "only a unit of sessions can be counted among some in a row")
        out_of = _whole(f"{where}.out_of", raw["out_of"], TARGET_MAX)
        if out_of < target:
            raise SchemeError(f"{where}.out_of", f"{out_of} is fewer than the target {target}; it can never be met")
    return Requirement(unit, target, out_of)


def parse_scheme(where: str, raw: object) -> Scheme:
    """Validate one scheme from config: a table with name, and unit and target or requires, and min_months."""
    if not isinstance(raw, Mapping):
        raise SchemeError(where, "expected a table such as { name = \"...\", unit = \"hours\", target = 30 }")
    unknown = sorted(set(raw) - _SCHEME_KEYS)
    if unknown:
        raise SchemeError(f"{where}.{unknown[0]}", f"is not a scheme setting; use {', '.join(sorted(_SCHEME_KEYS))}")
    name = raw.get("name")
    if not isinstance(name, str) or not 1 <= len(" ".join(name.split())) <= SCHEME_NAME_MAX:
        raise SchemeError(f"{where}.name", f"expected a name of 1-{SCHEME_NAME_MAX} characters")
    if "requires" in raw:
        if set(raw) & _REQUIREMENT_KEYS:
            raise SchemeError(f"{where}.requires", "give either unit and target, or requires, not both")
        parts = raw["requires"]
        if not isinstance(parts, list) or not 1 <= len(parts) <= REQUIREMENTS_MAX:
            raise SchemeError(f"{where}.requires", f"expected a list of 1-{REQUIREMENTS_MAX} tables with unit and"
                                                   " target")
        requires = []
        for number, part in enumerate(parts):
            if not isinstance(part, Mapping) or set(part) - _REQUIREMENT_KEYS:
                raise SchemeError(f"{where}.requires[{number}]", "expected a table with unit, target and maybe out_of")
            requires.append(_requirement(f"{where}.requires[{number}]", part))
    else:
        requires = [_requirement(where, raw)]
    units = [r.unit for r in requires]
    if len(set(units)) != len(units):
        raise SchemeError(f"{where}.requires", "two requirements count the same unit")
    months = _whole(f"{where}.min_months", raw["min_months"], MONTHS_MAX) if "min_months" in raw else None
    return Scheme(" ".join(name.split()), tuple(requires), months)


def parse_schemes(where: str, raw: object) -> tuple[Scheme, ...]:
    """Validate the list of schemes from config; two schemes may not share a name."""
    if not isinstance(raw, list) or len(raw) > SCHEMES_MAX:
        raise SchemeError(where, f"expected a list of at most {SCHEMES_MAX} schemes")
    schemes = tuple(parse_scheme(f"{where}[{number}]", item) for number, item in enumerate(raw))
    names = [s.name.casefold() for s in schemes]
    if len(set(names)) != len(names):
        raise SchemeError(where, "two schemes have the same name")
    return schemes


# ---------------------------------------------------------------- progress


@dataclass(frozen=True)
class PartProgress:
    """How far one requirement is: sessions or co-led sessions as a count, hours as hours."""

    requirement: Requirement
    done: int | float
    met: bool


@dataclass(frozen=True)
class SchemeProgress:
    """How far a person is in one scheme, in one group."""

    scheme: Scheme
    parts: tuple[PartProgress, ...]
    months: int
    met: bool


def months_between(first: date | None, last: date | None) -> int:
    """Whole months from one day to another (January 31 to July 30 is five); 0 without both."""
    if first is None or last is None or last < first:
        return 0
    # A month is complete on the same day of the month (or later), as a calendar counts it.
    return (last.year - first.year) * 12 + last.month - first.month - (1 if last.day < first.day else 0)


def best_run(held: tuple[bool, ...], length: int) -> int:
    """Return the most sessions attended among any `length` in a row (all of them while there are fewer)."""
    if len(held) <= length:
        return held.count(True)
    run = best = held[:length].count(True)
    for leaving, coming in zip(held, held[length:], strict=False):
        run += int(coming) - int(leaving)
        best = max(best, run)
    return best


def _part(requirement: Requirement, record: GroupRecord) -> PartProgress:
    if requirement.unit is Unit.HOURS:
        return PartProgress(requirement, record.hours, record.time >= timedelta(hours=requirement.target))
    if requirement.unit is Unit.COLED:
        done = record.coled
    elif requirement.out_of is not None:
        done = best_run(record.held, requirement.out_of)
    else:
        done = record.attended
    return PartProgress(requirement, done, done >= requirement.target)


def progress(scheme: Scheme, record: GroupRecord) -> SchemeProgress:
    """Return how far the record is in the scheme."""
    parts = tuple(_part(r, record) for r in scheme.requires)
    months = months_between(record.first, record.last)
    span_met = scheme.min_months is None or months >= scheme.min_months
    return SchemeProgress(scheme, parts, months, span_met and all(p.met for p in parts))


def part_text(part: PartProgress) -> Text:
    """Say how far a requirement is: "14 of 20 sessions", "22.5 of 30 hours"."""
    requirement = part.requirement
    target = requirement.target
    if requirement.unit is Unit.HOURS:
        # Translators: progress towards a scheme's hours; {done} has decimals ("22.5"), the form follows {target}.
        return Plural("{done} of {target} hour", "{done} of {target} hours", target,
                      done=Amount(part.done), target=target)
    done = int(part.done)
    if requirement.unit is Unit.COLED:
        # Translators: progress towards a scheme's sessions co-led: "3 of 20 sessions co-led"; the form follows
        # {target}.
        return Plural("{done} of {target} session co-led", "{done} of {target} sessions co-led", target,
                      done=done, target=target)
    if requirement.out_of is not None:
        # Translators: progress towards "6 of 8 sessions": the most attended among any {window} sessions of the
        # group in a row; the form follows {target}.
        return Plural("{done} of {target} session within {window} in a row",
                      "{done} of {target} sessions within {window} in a row", target,
                      done=done, target=target, window=requirement.out_of)
    # Translators: progress towards a scheme's sessions attended: "14 of 20 sessions"; the form follows {target}.
    return Plural("{done} of {target} session", "{done} of {target} sessions", target, done=done, target=target)


def span_text(progress: SchemeProgress) -> Text | None:
    """Say how far the span is ("over 4 of at least 6 months"), if the scheme asks for one."""
    least = progress.scheme.min_months
    if least is None:
        return None
    # Translators: completes a scheme's progress: "22.5 of 30 hours, over 4 of at least 6 months".
    return Plural("over {months} of at least {least} month", "over {months} of at least {least} months", least,
                  months=progress.months, least=least)
