"""Privacy as data: what is stored, why and for how long, the export's shape, and the texts that say so.

The notice that /privacy info shows and the README's "What the bot stores" are both generated
here, from the same `RetentionPolicy` the purges read, so that what the bot says it does and
what it does cannot drift apart.
"""

from __future__ import annotations

import hmac
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from bot.core.cases import AuthorSeal, Case
from bot.core.groups import RETENTION_DEFAULT_HOURS, RETENTION_MAX_HOURS
from bot.core.language import Language

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
    """The privacy notice in one language: a title, an introduction, and (heading, body) sections."""

    title: str
    intro: str
    sections: tuple[tuple[str, str], ...]


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _hours(number: int, lang: Language) -> str:
    return _count(number, "heure", "heures") if lang == "fr" else _count(number, "hour", "hours")


def _days(number: int, lang: Language) -> str:
    return _count(number, "jour", "jours") if lang == "fr" else _count(number, "day", "days")


def _case_end(policy: RetentionPolicy, lang: Language) -> str:
    hours = policy.case_retention_hours
    if lang == "fr":
        after = "dès la fin de sa séance" if hours == 0 else f"{_hours(hours, lang)} après la fin de sa séance"
        return (
            f"{after} par défaut (les leaders d'un groupe peuvent aller jusqu'à "
            f"{_hours(policy.case_retention_max_hours, lang)} avec /group config retention_hours)"
        )
    after = "as soon as its session ends" if hours == 0 else f"{_hours(hours, lang)} after its session ends"
    return (
        f"{after} by default (a group's leaders may keep it up to "
        f"{_hours(policy.case_retention_max_hours, lang)} with /group config retention_hours)"
    )


def _messages(policy: RetentionPolicy, lang: Language) -> str:
    hours = policy.message_retention_hours
    if lang == "fr":
        if hours == 0:
            return (
                "Le bot garde ses propres messages de séance dans le salon (tableau de bord, annonces des phases, "
                "clôture) : ce serveur a réglé message_retention_hours sur 0. Les paroles relayées partent "
                "quand même avec le cas."
            )
        return (
            "Le bot efface du salon ses propres messages de séance (tableau de bord, annonces des phases, "
            f"paroles relayées, clôture) {_hours(hours, lang)} après la fin de la séance ; les paroles relayées "
            "partent plus tôt si le cas est effacé avant."
        )
    if hours == 0:
        return (
            "The bot keeps its own session messages (panel, phase notices, closing) in the channel: "
            "message_retention_hours is 0 here. Relayed words still go with the case."
        )
    return (
        "The bot deletes its own session messages (panel, phase notices, relayed words, closing) from the "
        f"channel {_hours(hours, lang)} after the session ends; relayed words go sooner if the case does."
    )


def privacy_notice(lang: Language, policy: RetentionPolicy) -> Notice:
    """Return what the bot stores, why and for how long, in `lang`, with `policy`'s figures."""
    grace = _days(policy.server_grace_days, lang)
    if lang == "fr":
        return Notice(
            title="Ce que balint-bot conserve à votre sujet",
            intro=(
                "Le bot garde le moins possible, le moins longtemps possible. Voici ce qu'il conserve, "
                "pourquoi, et combien de temps, avec les réglages de ce bot."
            ),
            sections=(
                ("Votre place dans les groupes", (
                    "Quoi : les groupes que vous avez rejoints et quand vous avez accepté leur charte ; ceux que "
                    "vous animez ou co-animez ; les séries de réunions que vous avez planifiées. Pourquoi : pour "
                    "que vous participiez et que les leaders animent. Combien de temps : jusqu'à ce que vous "
                    "quittiez le groupe ou le serveur, que le groupe soit supprimé, ou /privacy forget-me."
                )),
                ("Les cas", (
                    "Quoi : le titre et le récit de chaque cas, et s'il est anonyme ; un cas nominatif garde votre "
                    "identifiant Discord comme auteur, un cas anonyme seulement un sceau (voir Anonymat). "
                    "Pourquoi : pour que le groupe choisisse un cas et voie son titre. Combien de temps : tant "
                    "qu'il attend ; un cas retiré est effacé aussitôt ; un cas présenté est effacé "
                    f"{_case_end(policy, lang)}. Les paroles relayées ne sont jamais conservées, seulement les "
                    "identifiants des messages « Présentateur : » du bot, effacés avec le cas, comme ces messages."
                )),
                ("Les séances", (
                    "Quoi : quand chaque séance a eu lieu, son modèle et ses phases, et, pour un cas nominatif, "
                    "l'identifiant du présentateur. Pourquoi : les archives du groupe, et couper puis rendre le "
                    "micro du présentateur pendant la discussion. Combien de temps : tant que le groupe existe ; "
                    "/privacy forget-me en retire votre identifiant."
                )),
                ("Les messages du salon", _messages(policy, lang)),
                ("Réunions et présence", (
                    "Quoi : votre réponse à chaque réunion (je viens, je ne peux pas) et vos temps dans son salon "
                    "vocal ; « J'ai un cas » n'est gardé que sous un sceau, compté une fois. Pourquoi : les "
                    "décomptes des rappels, et les relevés de présence pour la formation continue. Combien de "
                    "temps : tant que le groupe existe ; si vous quittez le serveur, vos réponses aux réunions à "
                    "venir partent, et votre présence reste pour les archives des leaders jusqu'à /privacy "
                    "forget-me."
                )),
                ("Les avis", (
                    "Qui a répondu à l'avis d'une séance (pour répondre une fois) et les réponses elles-mêmes sont "
                    "gardés à part, sans rien pour les relier : une réponse n'est liée à personne, donc elle n'est "
                    "ni exportée ni effacée par /privacy forget-me. Les réponses restent tant que le groupe existe ; "
                    "le fait que vous avez répondu aussi, sauf /privacy forget-me."
                )),
                ("Les micros coupés", (
                    "Quand le bot coupe le micro d'un présentateur pendant la discussion, il le note, jusqu'à ce "
                    "qu'il le lui ait rendu."
                )),
                ("Quand vous ou le bot partez", (
                    "Un membre qui quitte un serveur quitte ses groupes : ses adhésions, ses rôles de leader, ses "
                    "cas en attente et ses réponses aux réunions à venir sont effacés. Quand le bot est retiré "
                    f"d'un serveur, tout ce qui concerne ce serveur est effacé {grace} plus tard, sauf si le bot "
                    "y est réinvité d'ici là."
                )),
                ("Anonymat", (
                    "L'auteur d'un cas anonyme n'est gardé que sous un sceau : un HMAC-SHA256 de son identifiant "
                    "Discord avec un nonce aléatoire par cas, sous une clé secrète rangée dans un fichier à part "
                    "de la base. Le bot s'en sert pour vous reconnaître (relayer vos paroles, vous laisser "
                    "retirer le cas, le mettre dans votre export) ; la base seule, ou une sauvegarde, ne dit pas "
                    "qui a écrit un cas, et la clé seule ne contient aucune donnée."
                )),
                ("Effacé veut dire effacé", (
                    "Un texte effacé ne reste pas dans les fichiers de la base : secure_delete l'écrase, et après "
                    "chaque effacement le journal (WAL) est reporté puis vidé. Les journaux du bot ne portent que "
                    "des identifiants, jamais le texte d'un cas, des paroles relayées ni des noms."
                )),
                ("Vos droits", (
                    "/privacy export vous envoie, en privé, un fichier JSON de tout ce qui est conservé à votre "
                    "sujet dans tous les serveurs, cas anonymes compris. /privacy forget-me efface tout cela, "
                    "après confirmation."
                )),
            ),
        )
    return Notice(
        title="What balint-bot stores about you",
        intro=(
            "The bot keeps as little as it can, for as short as it can. This is what it stores, why, and for "
            "how long, with this bot's settings."
        ),
        sections=(
            ("Your place in groups", (
                "What: the groups you joined and when you accepted their agreement; the groups you lead or "
                "co-lead; the meeting series you scheduled as a leader. Why: so that you can take part, and "
                "leaders can lead. How long: until you leave the group or the server, the group is deleted, or you use "
                "/privacy forget-me."
            )),
            ("Cases", (
                "What: each case's title and story, and whether it is anonymous; a named case stores your "
                "Discord id as its author, an anonymous one only a seal (see Anonymity). Why: so that the group "
                "can choose a case and see its title. How long: while it is queued; a withdrawn case is deleted "
                f"at once; a presented case is deleted {_case_end(policy, lang)}. Relayed words are never "
                "stored, only the ids of the bot's \"Presenter:\" messages, deleted with the case, as are those "
                "messages."
            )),
            ("Sessions", (
                "What: when each session ran, its template and phases, and, for a named case, the presenter's "
                "Discord id. Why: the group's records, and muting and unmuting a named presenter in the "
                "discussion. How long: as long as the group exists; /privacy forget-me removes your id."
            )),
            ("Messages in the channel", _messages(policy, lang)),
            ("Meetings and attendance", (
                "What: your answer to each meeting (going, can't come) and your time in its voice channel; \"I "
                "have a case\" is stored only as a seal, counted once. Why: the reminders' counts, and "
                "attendance records for CME and accreditation. How long: as long as the group exists; when you "
                "leave the server your answers to coming meetings go, and your attendance stays for the "
                "leaders' records until you use /privacy forget-me."
            )),
            ("Feedback", (
                "Who answered a session's feedback (so that each answers once) and the answers themselves are "
                "stored apart, with nothing to join them: an answer is not linked to anyone, so it is neither "
                "exported nor deleted by /privacy forget-me. The answers stay as long as the group exists; the "
                "record that you answered, too, unless you use /privacy forget-me."
            )),
            ("Server mutes", (
                "When the bot server-mutes a presenter in the discussion, it stores that it did, until it has "
                "lifted the mute."
            )),
            ("When you or the bot leave", (
                "A member who leaves a server leaves its groups: their memberships, leaderships, queued cases "
                "and answers to coming meetings are deleted. When the bot is removed from a server, everything "
                f"about that server is deleted {grace} later, unless the bot is added back before."
            )),
            ("Anonymity", (
                "The author of an anonymous case is stored only as a seal: an HMAC-SHA256 of their Discord id "
                "with a random nonce per case, under a secret key kept in a file apart from the database. The "
                "bot uses the key to recognise you (to relay your words, let you withdraw, and list the case in "
                "your export); the database alone, or a backup of it, cannot tell who wrote a case, and the key "
                "alone holds no data."
            )),
            ("Deleted means deleted", (
                "Deleted text does not linger in the database's files: secure_delete overwrites it, and after "
                "each deletion the write-ahead log is checkpointed and emptied. The bot's logs carry ids only, "
                "never case text, relayed words or names."
            )),
            ("Your rights", (
                "/privacy export sends you, privately, a JSON file of everything stored about you in every "
                "server, anonymous cases you wrote included. /privacy forget-me deletes all of it, once you "
                "confirm."
            )),
        ),
    )


def privacy_markdown(lang: Language, policy: RetentionPolicy, width: int = 100) -> str:
    """Return the notice as Markdown paragraphs wrapped at `width` (the README's "What the bot stores")."""
    notice = privacy_notice(lang, policy)
    paragraphs = [notice.intro, *(f"**{heading}.** {body}" for heading, body in notice.sections)]
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
class SeriesRecord:
    """A meeting series the user scheduled."""

    place: Place
    series_id: int
    created_at: datetime


@dataclass(frozen=True)
class ExportData:
    """Everything stored about one person, across every server."""

    memberships: list[Role] = field(default_factory=list)
    leaderships: list[Role] = field(default_factory=list)
    cases: list[CaseRecord] = field(default_factory=list)
    sessions_presented: list[SessionRecord] = field(default_factory=list)
    feedback_answered: list[SessionRecord] = field(default_factory=list)
    rsvps: list[MeetingRecord] = field(default_factory=list)
    cases_announced: list[MeetingRecord] = field(default_factory=list)
    attendance: list[MeetingRecord] = field(default_factory=list)
    mutes: list[MuteRecord] = field(default_factory=list)
    series_scheduled: list[SeriesRecord] = field(default_factory=list)

    def is_empty(self) -> bool:
        """Whether nothing at all is stored about the person."""
        return not any(getattr(self, f.name) for f in fields(self))


_EXPORT_TEXT: dict[Language, dict[str, str]] = {
    "en": {
        "about": "Everything balint-bot stores about you, in every server, when this file was made.",
        "anonymous": (
            "Your anonymous cases are here because the bot recognised you through their seal; nobody else is "
            "shown them as yours, and their records name no one."
        ),
        "feedback": (
            "Anonymous feedback is not linked to anyone: the bot stores that you answered a session's feedback, "
            "not which answer was yours, so the answers are neither in this file nor deleted by /privacy forget-me."
        ),
        "forget": "/privacy forget-me deletes all of this.",
    },
    "fr": {
        "about": "Tout ce que balint-bot conserve à votre sujet, dans tous les serveurs, au moment de ce fichier.",
        "anonymous": (
            "Vos cas anonymes figurent ici parce que le bot vous a reconnu par leur sceau ; personne d'autre ne "
            "les voit comme les vôtres, et leurs enregistrements ne nomment personne."
        ),
        "feedback": (
            "Les avis anonymes ne sont liés à personne : le bot garde que vous avez répondu à l'avis d'une "
            "séance, pas quelle réponse était la vôtre ; les réponses ne sont donc ni dans ce fichier ni effacées "
            "par /privacy forget-me."
        ),
        "forget": "/privacy forget-me efface tout cela.",
    },
}


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


def export_document(data: ExportData, lang: Language, now: datetime) -> dict[str, Any]:
    """Shape the export as the JSON the user receives; it names no one but through what they wrote."""
    text = _EXPORT_TEXT[lang]
    return {
        "about": text["about"],
        "exported_at": _iso(now),
        "notes": [text["anonymous"], text["feedback"], text["forget"]],
        "memberships": [_role(r) for r in data.memberships],
        "leaderships": [_role(r) for r in data.leaderships],
        "cases": [
            {**_place(c.place), "case_id": c.case_id, "title": c.title, "story": c.story,
             "anonymous": c.anonymous, "state": c.state}
            for c in data.cases
        ],
        "sessions_presented": [_session(s) for s in data.sessions_presented],
        "feedback_answered": [_session(s) for s in data.feedback_answered],
        "rsvps": [{**_meeting(m, "answer"), "answered_at": _iso(m.at)} for m in data.rsvps],
        "cases_announced": [_meeting(m) for m in data.cases_announced],
        "attendance": [{**_meeting(m), "joined_at": _iso(m.at), "left_at": _iso(m.until)} for m in data.attendance],
        "mutes": [{"server_id": str(m.server_id), "session_id": m.session_id, "muted_at": _iso(m.muted_at)}
                  for m in data.mutes],
        "meeting_series_scheduled": [{**_place(s.place), "series_id": s.series_id, "created_at": _iso(s.created_at)}
                                     for s in data.series_scheduled],
    }


# ---------------------------------------------------------------- forget-me


@dataclass(frozen=True)
class Orphan:
    """A group left with no leader: it stays, and its server's admins are told."""

    server_id: int
    group_id: int
    name: str
    text_channel_id: int


@dataclass(frozen=True)
class Forgotten:
    """What forgetting someone left behind: groups without a leader, and mutes still to lift."""

    orphans: list[Orphan]
    mutes_kept: list[int]


_ANSWERS: dict[Language, dict[str, str]] = {
    "en": {
        "export": "Everything balint-bot stores about you, in every server: only you see this file.",
        "export_empty": "balint-bot stores nothing about you, in any server. The file says so too.",
        "ask": (
            "This deletes everything balint-bot stores about you, in every server: memberships, co-leaderships, "
            "your cases (anonymous ones too) and their relayed messages, your meeting answers, attendance and "
            "mutes, and the record that you answered feedback. A session in which you present ends first. A group "
            "you alone lead stays, with no leader, and its server's admins are told. Anonymous feedback is not "
            "linked to you, so it stays. This cannot be undone."
        ),
        "confirm": "Forget me",
        "cancel": "Keep my data",
        "kept": "Nothing was deleted.",
        "done": "Done: balint-bot no longer stores anything about you. /privacy export shows it.",
        "orphans": (
            " These groups, which you alone led, stay with no leader, and their servers' admins are told: {names}."
        ),
        "mutes": (
            " The bot lifts the server mute it put on you when you next join voice in that server; until then it "
            "keeps only that it muted you there."
        ),
    },
    "fr": {
        "export": "Tout ce que balint-bot conserve à votre sujet, dans tous les serveurs : vous seul voyez ce fichier.",
        "export_empty": "balint-bot ne conserve rien à votre sujet, dans aucun serveur. Le fichier le dit aussi.",
        "ask": (
            "Ceci efface tout ce que balint-bot conserve à votre sujet, dans tous les serveurs : adhésions, rôles "
            "de co-leader, vos cas (anonymes compris) et leurs messages relayés, vos réponses aux réunions, votre "
            "présence, les micros coupés, et le fait que vous avez donné un avis. Une séance où vous présentez se "
            "termine d'abord. Un groupe que vous animez seul reste, sans leader, et les administrateurs de son "
            "serveur sont prévenus. Les avis anonymes ne sont pas liés à vous : ils restent. C'est définitif."
        ),
        "confirm": "Oubliez-moi",
        "cancel": "Garder mes données",
        "kept": "Rien n'a été effacé.",
        "done": "C'est fait : balint-bot ne conserve plus rien à votre sujet. /privacy export le montre.",
        "orphans": (
            " Ces groupes, que vous animiez seul, restent sans leader, et les administrateurs de leurs serveurs "
            "sont prévenus : {names}."
        ),
        "mutes": (
            " Le bot vous rendra le micro qu'il vous avait coupé la prochaine fois que vous rejoindrez un salon "
            "vocal de ce serveur ; d'ici là il garde seulement qu'il vous l'a coupé."
        ),
    },
}


def privacy_answer(lang: Language, key: str) -> str:
    """Return one of the /privacy answers in `lang`."""
    return _ANSWERS[lang][key]


def forgotten_answer(lang: Language, forgotten: Forgotten) -> str:
    """Say what forget-me did, privately, to the person forgotten."""
    text = _ANSWERS[lang]
    answer = text["done"]
    if forgotten.orphans:
        answer += text["orphans"].format(names=", ".join(o.name for o in forgotten.orphans))
    if forgotten.mutes_kept:
        answer += text["mutes"]
    return answer


def orphan_notice(group_name: str) -> str:
    """Tell a server's admins that a group has no leader any more, naming nobody."""
    return (
        f"**{group_name}** has no leader any more. Server admins (Manage Server): add one with "
        "`/group coleader`; until then nobody can start its sessions or schedule its meetings."
    )
