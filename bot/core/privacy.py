"""Privacy as data: what is stored, why and for how long, the export's shape, and the texts that say so.

The notice that /privacy info shows and the README's "What the bot stores" are both generated
here, from the same `RetentionPolicy` the purges read, so that what the bot says it does and
what it does cannot drift apart. Its texts are English msgids (bot/core/text.py): the README is
their English, and each reader gets them in their language through the catalogue.
"""

from __future__ import annotations

import hmac
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

from bot.core.cases import AuthorSeal, Case
from bot.core.groups import RETENTION_DEFAULT_HOURS, RETENTION_MAX_HOURS
from bot.core.records import GroupRecord
from bot.core.text import Lang, Plural, Render, Text

MESSAGE_RETENTION_HOURS = 24
MESSAGE_RETENTION_MAX_HOURS = 8760
SERVER_GRACE_DAYS = 30
SERVER_GRACE_MAX_DAYS = 365


@dataclass(frozen=True)
class RetentionPolicy:
    """How long things are kept: the settings the purges use and the notice describes."""

    message_retention_hours: int = MESSAGE_RETENTION_HOURS
    server_grace_days: int = SERVER_GRACE_DAYS
    case_retention_hours: int = RETENTION_DEFAULT_HOURS
    case_retention_max_hours: int = RETENTION_MAX_HOURS

    def messages_deleted_at(self, ended_at: datetime) -> datetime | None:
        """When the bot's messages of a session that ended then leave the channel; None keeps them."""
        if self.message_retention_hours == 0:
            return None
        return ended_at + timedelta(hours=self.message_retention_hours)

    def messages_due_for(self, now: datetime) -> datetime:
        """Return the instant at or before which a session must have ended for its messages to go now."""
        return now - timedelta(hours=self.message_retention_hours)

    def server_deleted_at(self, left_at: datetime) -> datetime:
        """When a server's data goes, once the bot was removed from it then."""
        return left_at + timedelta(days=self.server_grace_days)


# ---------------------------------------------------------------- recognising someone by the seal


@dataclass(frozen=True)
class SealedMark:
    """An "I have a case" seal, with the meeting it counts for."""

    meeting_id: int
    tag: bytes


def meeting_mark_context(meeting_id: int) -> str:
    """Return what an "I have a case" seal is made for: one meeting (the meeting runner seals with it)."""
    return f"meeting:{meeting_id}"


def cases_by(seal: AuthorSeal, cases: Iterable[Case], user_id: int) -> list[int]:
    """Return the ids of the cases this user wrote, anonymous ones recognised through their seal."""
    return [case.id for case in cases if seal.is_author(case, user_id)]


def marks_by(seal: AuthorSeal, marks: Iterable[SealedMark], user_id: int) -> list[SealedMark]:
    """Return the "I have a case" seals this user made."""
    return [m for m in marks
            if hmac.compare_digest(m.tag, seal.mark(meeting_mark_context(m.meeting_id), user_id))]


# ---------------------------------------------------------------- the notice


@dataclass(frozen=True)
class Notice:
    """The privacy notice as msgids: a title, an introduction, and (heading, body) sections."""

    title: Text
    intro: Text
    sections: tuple[tuple[Text, Text], ...]


def _hours(number: int) -> Plural:
    return Plural("{count} hour", "{count} hours", number, count=number)


def _days(number: int) -> Plural:
    return Plural("{count} day", "{count} days", number, count=number)


def _case_end(policy: RetentionPolicy) -> Text:
    most = _hours(policy.case_retention_max_hours)
    if policy.case_retention_hours == 0:
        # Translators: completes "a presented case is deleted …" in the privacy notice.
        return Text("as soon as its session ends by default (a group's leaders may keep it up to {most} with "
                    "/group config retention_hours)", most=most)
    # Translators: completes "a presented case is deleted …" in the privacy notice; {hours} is "24 hours".
    return Text("{hours} after its session ends by default (a group's leaders may keep it up to {most} with "
                "/group config retention_hours)", hours=_hours(policy.case_retention_hours), most=most)


def _messages(policy: RetentionPolicy) -> Text:
    hours = policy.message_retention_hours
    if hours == 0:
        return Text(
            "The bot keeps its own session messages (panel, phase notices, closing) in the channel: "
            "message_retention_hours is 0 here. Relayed words still go with the case."
        )
    return Text(
        "The bot deletes its own session messages (panel, phase notices, relayed words, closing) from the "
        "channel {hours} after the session ends; relayed words go sooner if the case does.", hours=_hours(hours),
    )


def privacy_notice(policy: RetentionPolicy) -> Notice:
    """Return what the bot stores, why and for how long, with `policy`'s figures (English: `str()` of each)."""
    return Notice(
        title=Text("What balint-bot stores about you"),
        intro=Text(
            "The bot keeps as little as it can, for as short as it can. This is what it stores, why, and for "
            "how long, with this bot's settings."
        ),
        sections=(
            # Translators: the privacy notice (/privacy info): this heading and those after it, each before its section.
            (Text("Your place in groups"), Text(
                "What: the groups you joined and when you accepted their agreement; the groups you lead or "
                "co-lead; the meeting series you scheduled as a leader. Why: so that you can take part, and "
                "leaders can lead. How long: until you leave the group or the server, the group is deleted, or you use "
                "/privacy forget-me."
            )),
            (Text("Cases"), Text(
                "What: each case's title and story, and whether it is anonymous; a named case stores your "
                "Discord id as its author, an anonymous one only a seal (see Anonymity). Why: so that the group "
                "can choose a case and see its title. How long: while it is queued; a withdrawn case is deleted "
                "at once; a presented case is deleted {case_end}. Relayed words are never "
                "stored, only the ids of the bot's \"Presenter:\" messages, deleted with the case, as are those "
                "messages.", case_end=_case_end(policy),
            )),
            (Text("Sessions"), Text(
                "What: when each session ran, its template and phases; who was in its voice channel and when, and "
                "who led and co-led it; for a named case, the presenter's Discord id, for an anonymous one only a "
                "seal (see Anonymity). Why: the records that /balint record shows you for CME and accreditation, "
                "and muting and unmuting a named presenter in the discussion. How long: as long as the group "
                "exists, also after you leave the server, so that your record stays yours; /privacy forget-me "
                "removes your id, your times in voice, your roles and the seal."
            )),
            (Text("Messages in the channel"), _messages(policy)),
            (Text("Meetings and attendance"), Text(
                "What: your answer to each meeting (going, can't come) and your time in its voice channel; \"I "
                "have a case\" is stored only as a seal, counted once. Why: the reminders' counts, and "
                "attendance records for CME and accreditation. How long: as long as the group exists; when you "
                "leave the server your answers to coming meetings go, and your attendance stays for the "
                "leaders' records until you use /privacy forget-me."
            )),
            (Text("Feedback"), Text(
                "Who answered a session's feedback (so that each answers once) and the answers themselves are "
                "stored apart, with nothing to join them: an answer is not linked to anyone, so it is neither "
                "exported nor deleted by /privacy forget-me. The answers stay as long as the group exists; the "
                "record that you answered, too, unless you use /privacy forget-me."
            )),
            (Text("Server mutes"), Text(
                "When the bot server-mutes a presenter in the discussion, it stores that it did, until it has "
                "lifted the mute."
            )),
            (Text("Raised hands"), Text(
                "When you raise a hand on a session's panel, the bot stores that you did and when, until you "
                "lower it, a leader gives you the floor, or the phase changes. An anonymous presenter's hand is "
                "never raised, so nothing is stored."
            )),
            (Text("Dropouts and debriefs"), Text(
                "When a session's named presenter, or its last leader in voice, leaves the voice channel during "
                "the session, the bot stores who and since when, until they are back or the session ends. Each "
                "leader of a session is sent its debrief: the report is not stored (it is counted again from the "
                "session's times, which hold no names), only when it was sent to whom, as long as the group exists."
            )),
            (Text("When you or the bot leave"), Text(
                "A member who leaves a server leaves its groups: their memberships, leaderships, queued cases "
                "and answers to coming meetings are deleted; their record stays (/balint record in a direct "
                "message shows it). A group deleted by its leaders takes its sessions and everyone's records of it "
                "with it. When the bot is removed from a server, everything about that server is deleted {grace} "
                "later, unless the bot is added back before.",
                grace=_days(policy.server_grace_days),
            )),
            (Text("Anonymity"), Text(
                "The author of an anonymous case is stored only as a seal: an HMAC-SHA256 of their Discord id "
                "with a random nonce per case, under a secret key kept in a file apart from the database; the "
                "session that presented it keeps a copy, which outlives the case. The bot uses the key to "
                "recognise you (to relay your words, let you withdraw, count the presentation in your own record "
                "and nobody else's, and list the case in your export); the database alone, or a backup of it, "
                "cannot tell who wrote a case, and the key alone holds no data."
            )),
            (Text("Deleted means deleted"), Text(
                "Deleted text does not linger in the database's files: secure_delete overwrites it, and after "
                "each deletion the write-ahead log is checkpointed and emptied. The bot's logs carry ids only, "
                "never case text, relayed words or names."
            )),
            (Text("Your rights"), Text(
                "/privacy export sends you, privately, a JSON file of everything stored about you in every "
                "server, anonymous cases you wrote and your records included. /privacy forget-me deletes all of "
                "it, once you confirm."
            )),
        ),
    )


def privacy_markdown(policy: RetentionPolicy, width: int = 100) -> str:
    """Return the English notice as Markdown paragraphs wrapped at `width` (the README's "What the bot stores")."""
    notice = privacy_notice(policy)
    paragraphs = [str(notice.intro), *(f"**{heading}.** {body}" for heading, body in notice.sections)]
    return "\n\n".join(textwrap.fill(p, width=width, break_long_words=False, break_on_hyphens=False)
                       for p in paragraphs) + "\n"


# ---------------------------------------------------------------- the export


@dataclass(frozen=True)
class Place:
    """Where something is stored: a server and one of its groups."""

    server_id: int
    group_id: int
    group: str


@dataclass(frozen=True)
class Role:
    """A membership (since the agreement) or a leadership (since it was given)."""

    place: Place
    since: datetime


@dataclass(frozen=True)
class CaseRecord:
    """A case the user wrote; an anonymous one was recognised through its seal."""

    place: Place
    case_id: int
    title: str
    story: str | None
    anonymous: bool
    state: str


@dataclass(frozen=True)
class SessionRecord:
    """A session the user presented under their name, or whose feedback they answered."""

    place: Place
    session_id: int
    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class MeetingRecord:
    """A meeting the user answered, announced a case for, or was present at (with the stay)."""

    place: Place
    meeting_id: int
    starts_at: datetime
    detail: str = ""
    at: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class MuteRecord:
    """A server mute the bot made and has not lifted yet."""

    server_id: int
    session_id: int | None
    muted_at: datetime


@dataclass(frozen=True)
class HandRecord:
    """A hand the user raised on a session's panel, still up (it goes when the phase changes)."""

    server_id: int
    session_id: int
    raised_at: datetime


@dataclass(frozen=True)
class DropoutRecord:
    """A wait for the user, who left a session's voice channel as its presenter or leader (until they are back)."""

    server_id: int
    session_id: int
    left_at: datetime


@dataclass(frozen=True)
class DebriefRecord:
    """Which parts of a session's debrief were sent to the user, a leader of it (the report itself is not kept)."""

    server_id: int
    session_id: int
    report_at: datetime | None
    feedback_at: datetime | None


@dataclass(frozen=True)
class SeriesRecord:
    """A meeting series the user scheduled."""

    place: Place
    series_id: int
    created_at: datetime


@dataclass(frozen=True)
class StayRecord:
    """A stay in a session's voice channel: the roll the records count from."""

    place: Place
    session_id: int
    joined_at: datetime
    left_at: datetime | None


@dataclass(frozen=True)
class LeadRecord:
    """A session the user led or co-led (as the group's leaders were when it started)."""

    place: Place
    session_id: int
    role: str


@dataclass(frozen=True)
class CountedRecord:
    """One group's record as /balint record counts it, with the sessions it counted as attended."""

    place: Place
    attended: int
    led: int
    coled: int
    hours: float
    presented: int
    presented_anonymously: int
    first: date | None
    last: date | None
    sessions_attended: tuple[int, ...]


@dataclass(frozen=True)
class ExportData:
    """Everything stored about one person, across every server."""

    memberships: list[Role] = field(default_factory=list)
    leaderships: list[Role] = field(default_factory=list)
    cases: list[CaseRecord] = field(default_factory=list)
    sessions_presented: list[SessionRecord] = field(default_factory=list)
    # Recognised through the seal the session keeps: shown to its presenter only.
    sessions_presented_anonymously: list[SessionRecord] = field(default_factory=list)
    session_stays: list[StayRecord] = field(default_factory=list)
    session_roles: list[LeadRecord] = field(default_factory=list)
    records: list[CountedRecord] = field(default_factory=list)
    feedback_answered: list[SessionRecord] = field(default_factory=list)
    rsvps: list[MeetingRecord] = field(default_factory=list)
    cases_announced: list[MeetingRecord] = field(default_factory=list)
    attendance: list[MeetingRecord] = field(default_factory=list)
    mutes: list[MuteRecord] = field(default_factory=list)
    series_scheduled: list[SeriesRecord] = field(default_factory=list)
    raised_hands: list[HandRecord] = field(default_factory=list)
    dropout_waits: list[DropoutRecord] = field(default_factory=list)
    debriefs: list[DebriefRecord] = field(default_factory=list)

    def is_empty(self) -> bool:
        """Whether nothing at all is stored about the person."""
        return not any(getattr(self, f.name) for f in fields(self))


# The export's own words, for the person in their language (the file's keys and codes stay as they are).
EXPORT_ABOUT = Text("Everything balint-bot stores about you, in every server, when this file was made.")
EXPORT_NOTES = (
    Text(
        "Your anonymous cases are here because the bot recognised you through their seal; nobody else is "
        "shown them as yours, and their records name no one."
    ),
    Text(
        "Anonymous feedback is not linked to anyone: the bot stores that you answered a session's feedback, "
        "not which answer was yours, so the answers are neither in this file nor deleted by /privacy forget-me."
    ),
    Text("/privacy forget-me deletes all of this."),
)


def _iso(instant: datetime | None) -> str | None:
    return None if instant is None else instant.isoformat()


def _place(place: Place) -> dict[str, Any]:
    # Ids as strings: Discord ids do not fit in a JavaScript number.
    return {"server_id": str(place.server_id), "group_id": place.group_id, "group": place.group}


def _role(role: Role) -> dict[str, Any]:
    return {**_place(role.place), "since": _iso(role.since)}


def _session(record: SessionRecord) -> dict[str, Any]:
    return {**_place(record.place), "session_id": record.session_id, "started_at": _iso(record.started_at),
            "ended_at": _iso(record.ended_at)}


def _meeting(record: MeetingRecord, detail: str | None = None) -> dict[str, Any]:
    shaped: dict[str, Any] = {**_place(record.place), "meeting_id": record.meeting_id,
                              "meeting_starts_at": _iso(record.starts_at)}
    if detail is not None:
        shaped[detail] = record.detail
    return shaped


def counted_record(place: Place, record: GroupRecord) -> CountedRecord:
    """Return a group's record as the export lists it."""
    return CountedRecord(place, record.attended, record.led, record.coled, record.hours, record.presented,
                         record.presented_anonymously, record.first, record.last,
                         tuple(e.facts.session_id for e in record.entries if e.attended))


def _counted(record: CountedRecord) -> dict[str, Any]:
    return {**_place(record.place), "sessions_attended": record.attended, "sessions_led": record.led,
            "sessions_coled": record.coled, "hours": round(record.hours, 2), "cases_presented": record.presented,
            "cases_presented_anonymously": record.presented_anonymously,
            "first_session": record.first.isoformat() if record.first else None,
            "last_session": record.last.isoformat() if record.last else None,
            "sessions_counted": list(record.sessions_attended)}


def export_document(data: ExportData, now: datetime, render: Render = str) -> dict[str, Any]:
    """Shape the export as the JSON the user receives, its notes in their language (`render`).

    It names no one but through what they wrote. The keys, and the codes of states and answers,
    are the same in every language: what reads the file need not know which one it is in.
    """
    return {
        "about": render(EXPORT_ABOUT),
        "exported_at": _iso(now),
        "notes": [render(note) for note in EXPORT_NOTES],
        "memberships": [_role(r) for r in data.memberships],
        "leaderships": [_role(r) for r in data.leaderships],
        "cases": [
            {**_place(c.place), "case_id": c.case_id, "title": c.title, "story": c.story,
             "anonymous": c.anonymous, "state": c.state}
            for c in data.cases
        ],
        "sessions_presented": [_session(s) for s in data.sessions_presented],
        "sessions_presented_anonymously": [_session(s) for s in data.sessions_presented_anonymously],
        "session_stays": [{**_place(s.place), "session_id": s.session_id, "joined_at": _iso(s.joined_at),
                           "left_at": _iso(s.left_at)} for s in data.session_stays],
        "session_roles": [{**_place(r.place), "session_id": r.session_id, "role": r.role} for r in data.session_roles],
        "records": [_counted(r) for r in data.records],
        "feedback_answered": [_session(s) for s in data.feedback_answered],
        "rsvps": [{**_meeting(m, "answer"), "answered_at": _iso(m.at)} for m in data.rsvps],
        "cases_announced": [_meeting(m) for m in data.cases_announced],
        "attendance": [{**_meeting(m), "joined_at": _iso(m.at), "left_at": _iso(m.until)} for m in data.attendance],
        "mutes": [{"server_id": str(m.server_id), "session_id": m.session_id, "muted_at": _iso(m.muted_at)}
                  for m in data.mutes],
        "meeting_series_scheduled": [{**_place(s.place), "series_id": s.series_id, "created_at": _iso(s.created_at)}
                                     for s in data.series_scheduled],
        "raised_hands": [{"server_id": str(h.server_id), "session_id": h.session_id, "raised_at": _iso(h.raised_at)}
                         for h in data.raised_hands],
        "dropout_waits": [{"server_id": str(d.server_id), "session_id": d.session_id, "left_at": _iso(d.left_at)}
                          for d in data.dropout_waits],
        "debriefs": [{"server_id": str(d.server_id), "session_id": d.session_id, "report_sent_at": _iso(d.report_at),
                      "feedback_sent_at": _iso(d.feedback_at)} for d in data.debriefs],
    }


# ---------------------------------------------------------------- forget-me


@dataclass(frozen=True)
class Orphan:
    """A group left with no leader: it stays, and its server's admins are told, in the group's language."""

    server_id: int
    group_id: int
    name: str
    text_channel_id: int
    language: Lang = Lang.EN


@dataclass(frozen=True)
class Forgotten:
    """What forgetting someone left behind: groups without a leader, and mutes still to lift."""

    orphans: list[Orphan]
    mutes_kept: list[int]
