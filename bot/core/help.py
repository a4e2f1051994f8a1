"""The /balint help text: the method in short, the phases, the commands; English and French."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.phases import BUILTIN_TEMPLATES


@dataclass(frozen=True)
class HelpPage:
    """One language's help, as a title and sections of (heading, body)."""

    title: str
    sections: tuple[tuple[str, str], ...]


def _phase_list(lang: str) -> str:
    classic = BUILTIN_TEMPLATES["classic"]
    names_fr = {
        "presentation": "Présentation",
        "questions": "Questions de clarification",
        "discussion": "Discussion (le présentateur se met en retrait)",
        "return": "Retour du présentateur",
        "closing": "Clôture",
    }
    lines = []
    for number, phase in enumerate(classic.phases, start=1):
        name = names_fr.get(phase.key, phase.name) if lang == "fr" else phase.name
        lines.append(f"{number}. {name}: {phase.minutes} min")
    return "\n".join(lines)


# Every command the bot may have, described in both languages. The help lists only
# those the running bot registered, so it never promises a command that is not there.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("group create", "create a group (server admins)", "créer un groupe (administrateurs)"),
    ("group config", "change a group's settings (leaders)", "régler un groupe (leaders)"),
    ("group coleader", "add or remove a co-leader (leaders)", "ajouter ou retirer un co-leader (leaders)"),
    ("group info", "see a group", "voir un groupe"),
    ("group delete", "delete a group (leaders)", "supprimer un groupe (leaders)"),
    ("group join", "read the agreement and join", "lire la charte et rejoindre le groupe"),
    ("group leave", "leave a group", "quitter un groupe"),
    ("case propose", "propose a case, anonymously if you wish", "proposer un cas, anonymement si vous voulez"),
    ("case list", "see the queued cases", "voir les cas en attente"),
    ("case withdraw", "withdraw your case", "retirer votre cas"),
    ("session start", "start a case in timed phases (leaders)", "lancer un cas en phases minutées (leaders)"),
    ("session status", "see where the session is", "voir où en est la séance"),
    ("meeting schedule", "schedule meetings (leaders)", "planifier les réunions (leaders)"),
    ("meeting list", "see the coming meetings", "voir les prochaines réunions"),
    ("meeting cancel", "cancel a meeting or its series (leaders)", "annuler une réunion ou sa série (leaders)"),
    ("meeting calendar", "the meetings as a calendar file (.ics)", "les réunions en fichier d'agenda (.ics)"),
    ("attendance", "attendance records (leaders)", "registre de présence (leaders)"),
    ("privacy info", "what is stored, and for how long", "ce qui est conservé, et combien de temps"),
    ("privacy export", "a file of everything stored about you", "un fichier de tout ce qui est conservé sur vous"),
    ("privacy forget-me", "delete everything stored about you", "effacer tout ce qui est conservé sur vous"),
    ("balint help", "this help", "cette aide"),
)

_TEXT = {
    "en": {
        "title": "Balint groups with balint-bot",
        "method_heading": "The method",
        "method": (
            "A Balint group is a small, closed group of doctors who meet regularly with a trained leader "
            "to talk about a patient relationship that troubles one of them: the feelings in the "
            "doctor-patient relationship, not diagnosis or management. What is said in the group stays "
            "in the group, and patients are never named."
        ),
        "phases_heading": "The phases (classic template)",
        "phases_note": (
            "During the discussion the presenter listens in silence. "
            "Templates: classic (45 min), residency (60), double (90), psychodrama."
        ),
        "commands_heading": "Commands",
    },
    "fr": {
        "title": "Les groupes Balint avec balint-bot",
        "method_heading": "La méthode",
        "method": (
            "Un groupe Balint est un petit groupe fermé de médecins qui se réunit régulièrement avec un "
            "leader formé pour parler d'une relation avec un patient qui préoccupe l'un d'eux : les "
            "sentiments dans la relation médecin-malade, pas le diagnostic ni la prise en charge. Ce qui "
            "se dit dans le groupe reste dans le groupe, et les patients ne sont jamais nommés."
        ),
        "phases_heading": "Les phases (modèle classique)",
        "phases_note": (
            "Pendant la discussion, le présentateur écoute en silence. "
            "Modèles : classic (45 min), residency (60), double (90), psychodrama."
        ),
        "commands_heading": "Commandes",
    },
}


def help_page(lang: str, available: set[str]) -> HelpPage:
    """Return the help in `lang` ("fr", else English), listing the `available` commands."""
    lang = lang if lang in _TEXT else "en"
    text = _TEXT[lang]
    commands = "\n".join(
        f"`/{name}`: {fr if lang == 'fr' else en}" for name, en, fr in COMMANDS if name in available
    )
    return HelpPage(
        title=text["title"],
        sections=(
            (text["method_heading"], text["method"]),
            (text["phases_heading"], _phase_list(lang) + "\n" + text["phases_note"]),
            (text["commands_heading"], commands),
        ),
    )


AGREEMENT_EN = (
    "By joining you agree to the group's frame:\n"
    "• **Confidentiality**: what is said in the group stays in the group.\n"
    "• **No patient names** and nothing that identifies a patient, in voice or in writing.\n"
    "• During the discussion the presenter listens in silence; no advice, no blame, no speculation "
    "about the presenter's life.\n"
    "• Come on time, and tell the leader if you cannot come."
)
