"""The French catalogue: complete, with the same placeholders as the English, and what `make messages` finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.core.text import Lang, placeholders
from bot.i18n import LOCALES, catalogue_path

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = [lang for lang in Lang if lang is not Lang.EN]


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale)


def _entries(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def _ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {message.id if isinstance(message.id, str) else tuple(message.id) for message in _entries(catalog)}


def _extract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Catalog:
    """Run `make messages`'s extraction (the same pybabel command and babel.cfg) into a scratch file."""
    monkeypatch.chdir(ROOT)
    out = tmp_path / "extracted.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", "babel.cfg", "-o", str(out), "."])
    return _read(out)


@pytest.mark.parametrize("lang", LANGUAGES, ids=lambda lang: lang.value)
def test_every_msgid_is_translated_and_not_fuzzy(lang: Lang) -> None:
    """No entry is left empty or fuzzy (either would show English to a reader of the language)."""
    catalog = _read(catalogue_path(lang), lang.value)
    untranslated = [m.id for m in _entries(catalog)
                    if m.fuzzy or not all(m.string if isinstance(m.string, tuple) else (m.string,))]
    assert untranslated == []
    assert not catalog.fuzzy, "the catalogue's header is still marked fuzzy"


@pytest.mark.parametrize("lang", LANGUAGES, ids=lambda lang: lang.value)
def test_translations_keep_exactly_the_named_placeholders(lang: Lang) -> None:
    """Each translation (each plural form) names the same placeholders as its msgid, no more, no fewer."""
    wrong = []
    for message in _entries(_read(catalogue_path(lang), lang.value)):
        if isinstance(message.id, str):
            assert isinstance(message.string, str)
            pairs = [(message.id, message.string)]
        else:
            singular, plural = message.id
            assert placeholders(singular) == placeholders(plural), singular
            pairs = [(plural, form) for form in message.string]
        wrong += [(msgid, msgstr) for msgid, msgstr in pairs if placeholders(msgid) != placeholders(msgstr)]
        if any(name.isdigit() for msgid, _ in pairs for name in placeholders(msgid)):
            wrong.append((message.id, "positional placeholder: name it"))
    assert wrong == []


@pytest.mark.parametrize("lang", LANGUAGES, ids=lambda lang: lang.value)
def test_plural_entries_have_every_form_of_the_language(lang: Lang) -> None:
    """The header carries Babel's plural rule for the language, and each plural entry has that many forms."""
    catalog = _read(catalogue_path(lang), lang.value)
    rule = get_plural(Locale.parse(lang.value))
    assert (catalog.num_plurals, catalog.plural_expr) == (rule.num_plurals, rule.plural_expr)
    plurals = [m for m in _entries(catalog) if not isinstance(m.id, str)]
    assert plurals, "the catalogue has plural entries to check"
    assert [m.id for m in plurals if len(m.string) != rule.num_plurals] == []


def test_extraction_finds_exactly_the_catalogued_msgids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`make messages` would add nothing and drop nothing: the .pot and every .po hold what the code marks."""
    extracted = _ids(_extract(tmp_path, monkeypatch))
    assert len(extracted) > 200, "the extraction sees the code"
    template = _ids(_read(LOCALES / "balint.pot"))
    assert sorted(map(str, extracted - template)) == [], "new msgids: run make messages"
    assert sorted(map(str, template - extracted)) == [], "msgids no longer in the code: run make messages"
    for lang in LANGUAGES:
        catalogued = _ids(_read(catalogue_path(lang), lang.value))
        assert sorted(map(str, extracted - catalogued)) == [], f"{lang.value}: run make messages, then translate"
        assert sorted(map(str, catalogued - extracted)) == [], f"{lang.value}: stale msgids: run make messages"
