"""The privacy core: the notice from the settings, its README copy, the languages, the export's shape, seals."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.cases import AuthorSeal, Case, CaseState
from bot.core.groups import GroupSettings
from bot.core.privacy import (
    CaseRecord,
    ExportData,
    Place,
    RetentionPolicy,
    Role,
    SealedMark,
    cases_by,
    export_document,
    marks_by,
    meeting_mark_context,
    privacy_markdown,
    privacy_notice,
)
from bot.core.text import Lang, lang_for_locale
from bot.i18n import translator

README = Path(__file__).parents[2] / "README.md"
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _rendered(lang: Lang, policy: RetentionPolicy) -> tuple[str, str, list[tuple[str, str]]]:
    t = translator(lang)
    notice = privacy_notice(policy)
    return t.render(notice.title), t.render(notice.intro), [(t.render(h), t.render(b)) for h, b in notice.sections]


def _text(lang: Lang, policy: RetentionPolicy) -> str:
    title, intro, sections = _rendered(lang, policy)
    return " ".join([title, intro, *(f"{h} {b}" for h, b in sections)])


def test_the_readme_says_what_the_notice_says_with_the_default_settings() -> None:
    """README's "What the bot stores" is the English notice, generated from the defaults, word for word."""
    defaults = Settings()
    policy = RetentionPolicy(message_retention_hours=defaults.message_retention_hours,
                             server_grace_days=defaults.server_grace_days)
    assert policy == RetentionPolicy()
    readme = README.read_text(encoding="utf-8")
    section = readme.split("## What the bot stores\n\n", 1)[1]
    assert section.startswith(privacy_markdown(policy)), "regenerate it with bot.core.privacy.privacy_markdown"


def test_the_defaults_are_the_ones_the_purges_use() -> None:
    """24 hours for messages, 30 days for a server, and a group's case retention as GroupSettings has it."""
    policy = RetentionPolicy()
    assert (policy.message_retention_hours, policy.server_grace_days) == (24, 30)
    assert (Settings().message_retention_hours, Settings().server_grace_days) == (24, 30), "one default, in core"
    assert policy.case_retention_hours == GroupSettings(timezone="UTC", template="classic").retention_hours == 0
    assert policy.messages_deleted_at(NOW) == NOW + timedelta(hours=24)
    assert policy.messages_due_for(NOW) == NOW - timedelta(hours=24)
    assert policy.server_deleted_at(NOW) == NOW + timedelta(days=30)
    assert RetentionPolicy(message_retention_hours=0).messages_deleted_at(NOW) is None


@pytest.mark.parametrize("lang", list(Lang), ids=lambda lang: lang.value)
def test_the_notice_changes_with_every_setting(lang: Lang) -> None:
    """Each figure of the policy is in the text: change the setting, the text changes."""
    base = _text(lang, RetentionPolicy())
    hour, day = ("heures", "jours") if lang is Lang.FR else ("hours", "days")
    assert f"24 {hour}" in base and f"30 {day}" in base and f"168 {hour}" in base
    assert f"48 {hour}" in _text(lang, RetentionPolicy(message_retention_hours=48))
    assert f"7 {day}" in _text(lang, RetentionPolicy(server_grace_days=7))
    kept = _text(lang, RetentionPolicy(message_retention_hours=0))
    assert "message_retention_hours" in kept and f"24 {hour}" not in kept
    assert f"12 {hour}" in _text(lang, RetentionPolicy(case_retention_hours=12))
    one_day = _text(lang, RetentionPolicy(server_grace_days=1))
    assert ("1 jour plus tard" if lang is Lang.FR else "1 day later") in one_day
    one_hour = _text(lang, RetentionPolicy(message_retention_hours=1))
    assert ("1 heure après la fin" if lang is Lang.FR else "1 hour after the session ends") in one_hour
    assert ("dès la fin de sa séance" if lang is Lang.FR else "as soon as its session ends") in base


def test_french_is_a_translation_and_both_fit_one_discord_embed() -> None:
    """Same sections in both languages; each body fits an embed field, the whole fits one embed."""
    en, fr = _rendered(Lang.EN, RetentionPolicy()), _rendered(Lang.FR, RetentionPolicy())
    assert len(en[2]) == len(fr[2]) and en[0] != fr[0]
    assert fr[0] == "Ce que balint-bot conserve à votre sujet"
    assert fr[2][0][0] == "Votre place dans les groupes"
    assert en == (str(privacy_notice(RetentionPolicy()).title), str(privacy_notice(RetentionPolicy()).intro),
                  [(str(h), str(b)) for h, b in privacy_notice(RetentionPolicy()).sections]), "English is str()"
    for title, intro, sections in (en, fr):
        assert len(title) <= 256 and len(intro) <= 4096
        assert all(len(heading) <= 256 and len(body) <= 1024 for heading, body in sections)
        assert len(title) + len(intro) + sum(len(h) + len(b) for h, b in sections) <= 6000


def test_the_french_notice_uses_the_catalogues_words() -> None:
    """Leaders are « animateurs », the presenter « la personne qui présente »: never the English words."""
    text = _text(Lang.FR, RetentionPolicy(message_retention_hours=0))
    assert "animateurs" in text and "la personne qui présente" in text and "charte" in text
    assert "leader" not in text.casefold() and "présentateur" not in text.casefold()
    assert "{" not in text, "every placeholder filled"


@pytest.mark.parametrize(("locale", "lang"), [
    ("fr", Lang.FR), ("fr-CA", Lang.FR), ("FR_fr", Lang.FR), ("en-US", Lang.EN), ("en-GB", Lang.EN), ("de", Lang.EN),
    ("", Lang.EN),
])
def test_french_for_any_french_locale(locale: str, lang: Lang) -> None:
    """Discord's "fr" and any French variant get French; everything else English."""
    assert lang_for_locale(locale) is lang


def test_an_empty_export_is_empty_and_says_what_it_leaves_out() -> None:
    """Nothing stored: every list empty; the notes still say that anonymous feedback is linked to no one."""
    document = export_document(ExportData(), NOW)
    assert ExportData().is_empty()
    assert all(document[key] == [] for key in document if key not in ("about", "exported_at", "notes"))
    assert any("Anonymous feedback is not linked to anyone" in note for note in document["notes"])
    assert json.loads(json.dumps(document)) == document


def test_the_export_writes_ids_as_strings_and_instants_as_iso() -> None:
    """Discord ids do not fit a JavaScript number: they are strings; every list of ExportData is in the file."""
    place = Place(server_id=1456074443980800010, group_id=3, group="Alpha")
    data = ExportData(memberships=[Role(place, NOW)],
                      cases=[CaseRecord(place, 7, "Title", None, True, "queued")])
    assert not data.is_empty()
    document = export_document(data, NOW, translator(Lang.FR).render)
    assert document["memberships"] == [{"server_id": "1456074443980800010", "group_id": 3, "group": "Alpha",
                                        "since": "2026-03-01T12:00:00+00:00"}]
    assert document["cases"][0]["anonymous"] is True
    assert document["about"].startswith("Tout ce que balint-bot conserve")
    assert document["notes"][1].startswith("Les avis anonymes ne sont liés à personne")
    assert document["notes"][2] == "/privacy forget-me efface tout cela."
    assert set(document) == set(export_document(data, NOW)), "the keys are the same in every language"
    assert document["cases"][0]["state"] == "queued", "codes stay codes"
    shaped = {"series_scheduled": "meeting_series_scheduled"}
    assert {shaped.get(f.name, f.name) for f in fields(ExportData)} <= set(document)


def test_seals_recognise_their_author_only() -> None:
    """Anonymous cases and "I have a case" marks are recognised for their author, nobody else."""
    seal = AuthorSeal(b"k" * 32)
    nonce, tag = seal.seal(100)
    mine = Case(id=1, group_id=1, title="t", story=None, anonymous=True, author_id=None, author_tag=tag,
                nonce=nonce, state=CaseState.QUEUED)
    named = Case(id=2, group_id=1, title="u", story=None, anonymous=False, author_id=100, author_tag=None,
                 nonce=None, state=CaseState.QUEUED)
    other_nonce, other_tag = seal.seal(200)
    theirs = Case(id=3, group_id=1, title="v", story=None, anonymous=True, author_id=None, author_tag=other_tag,
                  nonce=other_nonce, state=CaseState.QUEUED)
    assert cases_by(seal, [mine, named, theirs], 100) == [1, 2]
    assert cases_by(seal, [mine, named, theirs], 200) == [3]
    marks = [SealedMark(5, seal.mark(meeting_mark_context(5), 100)), SealedMark(6, seal.mark("meeting:6", 200))]
    assert marks_by(seal, marks, 100) == [marks[0]]
    assert marks_by(AuthorSeal(b"x" * 32), marks, 100) == [], "without the key, nobody is recognised"
