"""A record as a CSV file: the summary per group, the progress per scheme, and every session that counted.

Its words (headers, roles, yes and no) are msgids written in the reader's language through
`render`; dates, times, minutes and hours stay in the forms spreadsheets read (2026-01-05,
19:00, 22.50). The same summary's cells are the record columns of /attendance's total rows.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.presence import LeaderRole
from bot.core.records import GroupRecord, Involvement, Presented
from bot.core.schemes import SchemeProgress, part_text, span_text
from bot.core.text import Render, Text


@dataclass(frozen=True)
class RecordSheet:
    """One group of a record, with where it is and the progress towards each scheme."""

    server: str
    group: str
    record: GroupRecord
    progress: tuple[SchemeProgress, ...] = ()
    server_id: int = 0


# Translators: the record CSV's and /attendance's columns of a member's record: sessions attended, sessions led,
# sessions co-led, hours, cases presented, the day of the first and of the last session attended.
SUMMARY_HEADERS = (Text("sessions attended"), Text("sessions led"), Text("sessions co-led"), Text("hours"),
                   Text("cases presented"), Text("first session"), Text("last session"))
# Translators: the record CSV's column of the cases presented anonymously (only in one's own record).
ANONYMOUS_HEADER = Text("of which anonymously")
# Translators: the record CSV's first columns: the server and the group a row is about.
PLACE_HEADERS = (Text("server"), Text("group"))
# Translators: the record CSV's columns of its schemes: the scheme, how far, whether it is met (yes or no).
SCHEME_HEADERS = (Text("scheme"), Text("progress"), Text("met"))
# Translators: the record CSV's columns of its sessions: the day, the time it began, its length in minutes, the
# minutes the member was in voice, whether it counts as attended (yes or no), their role (led, co-led), and
# whether they presented its case (named, anonymously).
SESSION_HEADERS = (Text("date"), Text("time"), Text("session minutes"), Text("minutes in voice"), Text("attended"),
                   Text("role"), Text("presented"))
# Translators: yes and no in the record CSV's cells.
YES, NO = Text("yes"), Text("no")
# Translators: a member's role in a session, in the record CSV's role column.
ROLE_WORDS = {LeaderRole.LED: Text("led"), LeaderRole.COLED: Text("co-led")}
# Translators: how a member presented a session's case, in the record CSV's presented column.
PRESENTED_WORDS = {Presented.NAMED: Text("named"), Presented.ANONYMOUS: Text("anonymously")}


def cell(text: str) -> str:
    """Defuse a cell a spreadsheet would run as a formula: names are people's to choose."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def hours_cell(hours: float) -> str:
    """Hours with two decimals, cut, never rounded up."""
    return f"{math.floor(hours * 100 + 1e-9) / 100:.2f}"


def summary_cells(record: GroupRecord) -> list[str]:
    """Write a record's summary as the cells under SUMMARY_HEADERS (dates as 2026-01-05, empty when none)."""
    return [str(record.attended), str(record.led), str(record.coled), hours_cell(record.hours),
            str(record.presented), f"{record.first:%Y-%m-%d}" if record.first else "",
            f"{record.last:%Y-%m-%d}" if record.last else ""]


def progress_cell(progress: SchemeProgress, render: Render) -> str:
    """How far a scheme is, in words: "14 of 20 sessions; 3 of 20 sessions co-led; over 4 of at least 6 months"."""
    pieces = [render(part_text(part)) for part in progress.parts]
    span = span_text(progress)
    if span is not None:
        pieces.append(render(span))
    return "; ".join(pieces)


def _session_row(entry: Involvement, record: GroupRecord, render: Render) -> list[str]:
    local = entry.facts.started_at.astimezone(record.zone)
    return [f"{local:%Y-%m-%d}", f"{local:%H:%M}", str(round(entry.facts.length.total_seconds() / 60)),
            str(round(entry.in_voice.total_seconds() / 60)), render(YES if entry.attended else NO),
            render(ROLE_WORDS[entry.role]) if entry.role else "",
            render(PRESENTED_WORDS[entry.presented]) if entry.presented else ""]


def record_csv(sheets: Sequence[RecordSheet], render: Render = str, *, own: bool = False) -> str:
    """Write a record as CSV in `render`'s language: three tables, apart by an empty line.

    The summary per group, the progress per scheme, then every session in which the person
    was in voice or presented. `own`: the person's own record, with the cases they presented
    anonymously; any other view leaves that column out, whatever the person did.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    summary = [render(h) for h in (*PLACE_HEADERS, *SUMMARY_HEADERS)]
    writer.writerow([*summary, render(ANONYMOUS_HEADER)] if own else summary)
    for sheet in sheets:
        row = [cell(sheet.server), cell(sheet.group), *summary_cells(sheet.record)]
        writer.writerow([*row, str(sheet.record.presented_anonymously)] if own else row)
    writer.writerow([])
    writer.writerow([render(h) for h in (*PLACE_HEADERS, *SCHEME_HEADERS)])
    for sheet in sheets:
        for progress in sheet.progress:
            writer.writerow([cell(sheet.server), cell(sheet.group), cell(progress.scheme.name),
                             progress_cell(progress, render), render(YES if progress.met else NO)])
    writer.writerow([])
    writer.writerow([render(h) for h in (*PLACE_HEADERS, *SESSION_HEADERS)])
    for sheet in sheets:
        for entry in sheet.record.entries:
            writer.writerow([cell(sheet.server), cell(sheet.group), *_session_row(entry, sheet.record, render)])
    return out.getvalue()
