"""The language machinery: who reads in which language, msgids with named placeholders, and Babel's forms."""

from __future__ import annotations

from datetime import date, datetime, time
from io import BytesIO
from zoneinfo import ZoneInfo

import discord
import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from bot.core.errors import Refusal
from bot.core.phases import BUILTIN_TEMPLATES, Phase, Speaker, builtin_phase
from bot.core.text import Lang, Plural, Text, placeholders
from bot.i18n import Translator, compile_catalogue, lang_of, phase_guidance, phase_name, translator

EN = translator(Lang.EN)


def _french(entries: dict[str | tuple[str, str], str | tuple[str, ...]], *, fuzzy: tuple[str, ...] = ()) -> Translator:
    """A French translator over a catalogue written for the test, as a translator would write it."""
    catalog = Catalog(locale="fr", domain="balint")
    for msgid, msgstr in entries.items():
        catalog.add(msgid, msgstr, flags=("fuzzy",) if msgid in fuzzy else ())
    po = BytesIO()
    write_po(po, catalog)
    po.seek(0)
    return Translator(Lang.FR, compile_catalogue(po, Lang.FR))


@pytest.mark.parametrize("locale", ["fr", "fr-FR", "fr-CA", "FR_ca", discord.Locale.french])
def test_any_french_locale_reads_french(locale: object) -> None:
    """fr, fr-FR, fr-CA (however written) and discord.py's Locale.french are French."""
    assert lang_of(locale) is Lang.FR


@pytest.mark.parametrize("locale", ["en-US", "en-GB", "de", "frisian", "", None, discord.Locale.american_english])
def test_every_other_locale_reads_english(locale: object) -> None:
    """Anything else, or nothing, is English."""
    assert lang_of(locale) is Lang.EN


def test_a_refusal_is_its_english_sentence_and_keeps_its_msgid() -> None:
    """str() is the English sentence, quantities grouped; the msgid and values travel with it."""
    refusal = Refusal("A story can have at most {most} characters; this one has {count}.", most=1500, count=1501)
    assert str(refusal) == refusal.message == "A story can have at most 1,500 characters; this one has 1,501."
    assert refusal.text.msgid == "A story can have at most {most} characters; this one has {count}."
    assert dict(refusal.text.params) == {"most": 1500, "count": 1501}
    assert EN.render(refusal.text) == str(refusal)


def test_a_sentence_without_placeholders_is_never_formatted() -> None:
    """A sentence built before (an f-string with a user's braces in it) is shown as it is."""
    refusal = Refusal("Alpha {x} already has a session running; end it before starting another.")
    assert str(refusal) == "Alpha {x} already has a session running; end it before starting another."
    assert EN.render(refusal.text) == str(refusal)
    assert _french({}).render(refusal.text) == str(refusal)


def test_values_are_never_read_as_placeholders() -> None:
    """A group called "{group}" is a name, not a placeholder."""
    text = Text("You are already a member of {group}.", group="{group} {0}")
    assert str(text) == "You are already a member of {group} {0}."


def test_nested_texts_and_numbers_are_translated_in_french() -> None:
    """A placeholder that is a msgid is translated too; a quantity takes French digit grouping."""
    fr = _french({
        "Only the leaders of {group} {doing}; {then}.":
            "Seuls les animateurs du groupe {group} peuvent {doing} ; {then}.",
        "control its sessions": "piloter ses séances",
        "ask a leader": "demandez à un animateur",
        "At most {most} characters.": "Au plus {most} caractères.",
    })
    text = Text("Only the leaders of {group} {doing}; {then}.", group="Alpha", doing=Text("control its sessions"),
                then=Text("ask a leader"))
    assert fr.render(text) == (
        "Seuls les animateurs du groupe Alpha peuvent piloter ses séances ; demandez à un animateur."
    )
    assert str(text) == "Only the leaders of Alpha control its sessions; ask a leader."
    assert fr.gettext("At most {most} characters.", most=1500) == "Au plus 1\u202f500 caractères."


def test_a_missing_or_fuzzy_translation_shows_the_english() -> None:
    """Untranslated and fuzzy entries are left out when the catalogue is compiled: English shows."""
    fr = _french({"Rating": "Note", "Comments": "Commentaires?"}, fuzzy=("Comments",))
    assert fr.gettext("Rating") == "Note"
    assert fr.gettext("Comments") == "Comments"
    assert fr.gettext("Never catalogued, {name}.", name="Ada") == "Never catalogued, Ada."
    assert fr.translation("Rating") == "Note"
    assert fr.translation("Comments") is None
    assert EN.translation("Rating") is None


def test_plurals_follow_each_language() -> None:
    """English: one for 1 only; French: one for 0 and 1 (Babel's French rule, with its form for millions)."""
    singular, plural = "{count} answer", "{count} answers"
    fr = _french({(singular, plural): ("{count} réponse", "{count} de réponses", "{count} réponses")})
    assert [EN.ngettext(singular, plural, n, count=n) for n in (0, 1, 2)] == ["0 answers", "1 answer", "2 answers"]
    assert [fr.ngettext(singular, plural, n, count=n) for n in (0, 1, 2, 1_000_000)] == [
        "0 réponse", "1 réponse", "2 réponses", "1\u202f000\u202f000 de réponses",
    ]


def test_lists_dates_and_weekdays_come_from_babel() -> None:
    """Lists join with "and"/"et" ("or"/"ou"); days, weekdays and times as each language writes them."""
    fr = _french({})
    assert EN.join(["Ada", "Ben", "Chloe"]) == "Ada, Ben, and Chloe"
    assert fr.join(["Ada", "Ben", "Chloe"]) == "Ada, Ben et Chloe"
    assert fr.join(["Ada", "Ben"], style="or") == "Ada ou Ben"
    assert fr.join(["Ada"]) == "Ada"
    day = date(2026, 12, 1)
    assert EN.day(day) == "Tuesday, December 1, 2026"
    assert fr.day(day) == "mardi 1 décembre 2026"
    assert fr.day(day, weekday=False) == "1 décembre 2026"
    assert (EN.weekday(day), fr.weekday(day)) == ("Tuesday", "mardi")
    assert fr.time_of_day(time(19, 0)) == "19:00"
    evening = datetime(2026, 12, 1, 18, 0, tzinfo=ZoneInfo("UTC"))
    assert fr.time_of_day(evening, ZoneInfo("America/Toronto")) == "13:00"
    assert (EN.decimal(4.0, places=1), fr.decimal(4.0, places=1)) == ("4.0", "4,0")


def test_placeholders_are_named_fields() -> None:
    """The names a translation must keep, whatever their order."""
    assert placeholders("**Phase {number} of {count}: {phase}**") == {"number", "count", "phase"}
    assert placeholders("No placeholder.") == frozenset()


def test_built_in_phases_are_recognised_by_key_and_text() -> None:
    """A stored copy of a built-in phase is built-in; a custom phase that reuses a key is not."""
    presentation = BUILTIN_TEMPLATES["classic"].phases[1]
    assert presentation.key == "presentation"
    every = [phase for template in BUILTIN_TEMPLATES.values() for phase in template.phases]
    assert all(builtin_phase(phase) is not None for phase in every)
    stored = Phase(presentation.key, presentation.name, 12, presentation.guidance, presentation.speaker)
    assert builtin_phase(stored) is not None, "a built-in phase with other minutes is still built-in"
    custom = Phase("presentation", "Presentation", 5, "Tell it your way.", Speaker.PRESENTER)
    assert builtin_phase(custom) is None
    fr = _french({"Presentation": "Présentation", presentation.guidance: "La personne qui présente raconte."})
    assert (phase_name(stored, fr), phase_guidance(stored, fr)) == ("Présentation", "La personne qui présente raconte.")
    assert (phase_name(custom, fr), phase_guidance(custom, fr)) == ("Presentation", "Tell it your way.")


@pytest.mark.parametrize(("n", "english", "french"), [
    (0, "0 hours", "0 heure"), (1, "1 hour", "1 heure"), (2, "2 hours", "2 heures"),
    (8760, "8,760 hours", "8\u202f760 heures"), (1_000_000, "1,000,000 hours", "1\u202f000\u202f000 d'heures"),
])
def test_a_plural_text_takes_the_form_its_count_calls_for(n: int, english: str, french: str) -> None:
    """English: one for 1; French: one for 0 and 1, « de » after exact millions; inside a sentence too."""
    hours = Plural("{count} hour", "{count} hours", n, count=n)
    assert str(hours) == translator(Lang.EN).render(hours) == english
    assert translator(Lang.FR).render(hours) == french
    sentence = Text("The bot deletes its own session messages (panel, phase notices, relayed words, closing) from "
                    "the channel {hours} after the session ends; relayed words go sooner if the case does.",
                    hours=hours)
    assert f"clôture) {french} après la fin de la séance" in translator(Lang.FR).render(sentence)
    assert f"from the channel {english} after" in str(sentence)
    assert hours != Text("{count} hour", count=n) and hours == Plural("{count} hour", "{count} hours", n, count=n)
