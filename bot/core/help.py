"""The /balint help text and the group's agreement, as msgids: the method in short, the phases, the commands."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.phases import BUILTIN_TEMPLATES
from bot.core.text import N_, Text


@dataclass(frozen=True)
class HelpPage:
    """The help as a title and sections of (heading, lines), each a text to show in the reader's language."""

    title: Text
    sections: tuple[tuple[Text, tuple[Text, ...]], ...]


# Every command the bot may have, with what it is for. The help lists only those the running
# bot registered, so it never promises a command that is not there.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("group create", N_("create a group (server admins)")),
    ("group config", N_("change a group's settings (leaders)")),
    ("group coleader", N_("add or remove a co-leader (leaders)")),
    ("group info", N_("see a group")),
    ("group delete", N_("delete a group (leaders)")),
    ("group join", N_("read the agreement and join")),
    ("group leave", N_("leave a group")),
    ("case propose", N_("propose a case, anonymously if you wish")),
    ("case list", N_("see the queued cases")),
    ("case withdraw", N_("withdraw your case")),
    ("session start", N_("start a case in timed phases (leaders)")),
    ("session status", N_("see where the session is")),
    ("meeting schedule", N_("schedule meetings (leaders)")),
    ("meeting list", N_("see the coming meetings")),
    ("meeting cancel", N_("cancel a meeting or its series (leaders)")),
    ("meeting calendar", N_("the meetings as a calendar file (.ics)")),
    ("attendance", N_("attendance records (leaders)")),
    ("privacy info", N_("what is stored, and for how long")),
    ("privacy export", N_("a file of everything stored about you")),
    ("privacy forget-me", N_("delete everything stored about you")),
    ("balint record", N_("your record for accreditation; leaders: a member's")),
    ("balint check", N_("the bot's permissions for each group (server admins)")),
    ("balint help", N_("this help")),
)

METHOD = N_(
    "A Balint group is a small, closed group of doctors who meet regularly with a trained leader "
    "to talk about a patient relationship that troubles one of them: the feelings in the "
    "doctor-patient relationship, not diagnosis or management. What is said in the group stays "
    "in the group, and patients are never named."
)
PHASES_NOTE = N_(
    "During the discussion the presenter listens in silence. When the group speaks, members ask for "
    "the floor with the panel's Raise hand. Templates: classic (45 min), residency (60), double (90), "
    "psychodrama (85), each after a 3-minute opening that the leader can skip with Next."
)


def help_page(available: set[str]) -> HelpPage:
    """Return the help, listing the `available` commands and the classic template's phases."""
    phases = tuple(
        Text("{number}. {phase}: {minutes} min", number=number, phase=Text(phase.name), minutes=phase.minutes)
        for number, phase in enumerate(BUILTIN_TEMPLATES["classic"].phases, start=1)
    )
    commands = tuple(
        Text("`/{command}`: {what}", command=name, what=Text(what)) for name, what in COMMANDS if name in available
    )
    return HelpPage(
        title=Text("Balint groups with balint-bot"),
        sections=(
            (Text("The method"), (Text(METHOD),)),
            (Text("The phases (classic template)"), (*phases, Text(PHASES_NOTE))),
            (Text("Commands"), commands),
        ),
    )


AGREEMENT = N_(
    "By joining you agree to the group's frame:\n"
    "• **Confidentiality**: what is said in the group stays in the group.\n"
    "• **No patient names** and nothing that identifies a patient, in voice or in writing.\n"
    "• During the discussion the presenter listens in silence; no advice, no blame, no speculation "
    "about the presenter's life.\n"
    "• Come on time, and tell the leader if you cannot come."
)
