"""The patient-identifier check: each kind, its measured recall and false alarms, and its worst-case speed."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.identifiers import (
    DATE,
    DATE_OF_BIRTH,
    EMAIL,
    HEALTH_NUMBER,
    KINDS,
    NAME,
    PHONE,
    POSTCODE,
    STREET,
    Finding,
    describe,
    find_identifiers,
)
from bot.core.text import Lang
from bot.i18n import translator
from tests.unit.identifier_cases import CASES, score


def found(text: str) -> list[tuple[str, str]]:
    return [(finding.kind, finding.text) for finding in find_identifiers(text)]


def kinds_in(text: str) -> set[str]:
    return {finding.kind for finding in find_identifiers(text)}


# ------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("seen on 12/03/2019 in clinic", "12/03/2019"),
        ("seen on 3.4.21 in clinic", "3.4.21"),
        ("the US letter says 5/23/2020", "5/23/2020"),
        ("scan on 2023-04-17", "2023-04-17"),
        ("the letter of 12 March 2020", "12 March 2020"),
        ("on the 5th of June 2018", "5th of June 2018"),
        ("on March 12, 2020", "March 12, 2020"),
        ("le 12 mars 2020", "12 mars 2020"),
        ("le 1er janvier 2001", "1er janvier 2001"),
        ("le 3 févr. 2022", "3 févr. 2022"),
    ],
)
def test_dates_are_found(text: str, date: str) -> None:
    assert found(text) == [(DATE, date)]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("DOB 12/03/1954", "12/03/1954"),
        ("d.o.b. 3.4.61, lives alone", "3.4.61"),
        ("date of birth: 1954-03-12", "1954-03-12"),
        ("she was born on 12 March 1954", "12 March 1954"),
        ("née le 3 mars 1950", "3 mars 1950"),
        ("né(e) le 03/04/1950", "03/04/1950"),
        ("his birthday is on 5 June", "5 June"),
        ("born in March 1954 in Leeds", "March 1954"),
        ("12/03/1954 (DOB)", "12/03/1954"),
        ("date de naissance 23/11/1939", "23/11/1939"),
    ],
)
def test_a_birth_cue_makes_a_date_of_birth(text: str, date: str) -> None:
    assert found(text) == [(DATE_OF_BIRTH, date)]


def test_a_birth_cue_in_an_earlier_sentence_does_not_count() -> None:
    assert found("She was born in Leeds. On 12/03/2019 she moved to Bristol.") == [(DATE, "12/03/2019")]


@pytest.mark.parametrize(
    "text",
    [
        "a 54-year-old man",
        "for 3 years",
        "in 2019 and again in 2021",
        "born in 1962",
        "at 19:00, or 19h30",
        "5 mg twice a day, 2x/day",
        "BP 140/90",
        "pain 7/10, MMSE 24/30",
        "tension à 14/9",
        "half, 1/2, of the dose",
        "the audit of 2018-2020",
        "on 12 March, a Tuesday",
        "version 1.2.3 of the app",
        "seen on 31/31/2019",
    ],
)
def test_things_that_are_not_dates(text: str) -> None:
    assert not kinds_in(text) & {DATE, DATE_OF_BIRTH}


# ------------------------------------------------------------------ phone numbers


@pytest.mark.parametrize(
    "number",
    [
        "07700 900123",
        "020 7946 0018",
        "06 12 34 56 78",
        "+33 6 12 34 56 78",
        "(212) 555-0143",
        "416-555-0199",
        "030 1234567",
        "+49 30 1234567",
        "0412 345 678",
        "(02) 9876 5432",
        "+61 412 345 678",
        "0033 1 42 68 53 00",
    ],
)
def test_phone_numbers_of_six_countries(number: str) -> None:
    assert found(f"she rang from {number} last night") == [(PHONE, number)]


def test_an_nhs_shaped_number_with_dashes_reads_as_a_phone_number() -> None:
    assert found("call 943-476-5919") == [(PHONE, "943-476-5919")]


def test_a_number_found_for_several_regions_is_reported_once() -> None:
    assert found("+44 7700 900982 and +44 7700 900982") == [(PHONE, "+44 7700 900982")] * 2


@pytest.mark.parametrize(
    "text",
    ["called 999, then 111", "dial 15 for the SAMU", "extension 4521", "1500 mg", "12000 patients", "HbA1c 58"],
)
def test_short_numbers_are_not_phone_numbers(text: str) -> None:
    assert PHONE not in kinds_in(text)


# ------------------------------------------------------------------ e-mail addresses


@pytest.mark.parametrize(
    "address",
    ["sarah.whitlock72@gmail.com", "k.mensah@nhs.net", "J.Smith+nhs@mail.example.org", "marie.dupont@orange.fr"],
)
def test_email_addresses(address: str) -> None:
    assert found(f"write to {address}.") == [(EMAIL, address)]


@pytest.mark.parametrize("text", ["meet @ 9", "a@b", "user@localhost", "@everyone", "x@y.", "the .com era"])
def test_things_that_are_not_email_addresses(text: str) -> None:
    assert EMAIL not in kinds_in(text)


# ------------------------------------------------------------------ street addresses and postcodes


@pytest.mark.parametrize(
    "address",
    [
        "14 Elm Street",
        "221B Baker St",
        "Flat 2, 10 Downing Street",
        "42 Wallaby Way",
        "1600 Pennsylvania Avenue",
        "12 rue de la Paix",
        "3 avenue Foch",
        "8 bis boulevard Saint-Michel",
        "25 chemin des Vignes",
        "14 Rue du Faubourg Saint-Honoré",
        "Hauptstraße 12",
        "Berliner Str. 3",
    ],
)
def test_street_addresses(address: str) -> None:
    assert found(f"she lives at {address} with her son") == [(STREET, address)]


@pytest.mark.parametrize(
    ("text", "postcode"),
    [
        ("London SW1A 1AA", "SW1A 1AA"),
        ("Bristol BS1 4DJ", "BS1 4DJ"),
        ("Ottawa, K1A 0B1", "K1A 0B1"),
        ("Beverly Hills, CA 90210", "90210"),
        ("zip code 10118", "10118"),
        ("75002 Paris", "75002 Paris"),
        ("code postal 69003", "69003"),
        ("10115 Berlin", "10115 Berlin"),
        ("Sydney NSW 2000", "NSW 2000"),
    ],
)
def test_postcodes(text: str, postcode: str) -> None:
    assert found(text) == [(POSTCODE, postcode)]


@pytest.mark.parametrize(
    "text",
    [
        "3 children",
        "room 12, ward 4",
        "about 12000 patients",
        "50000 IU of vitamin D",
        "she paid 25000 euros",
        "Stage T2 N1 M0",
        "WA 2019 guidelines",
        "2 Family members came",
        "ICD-10 F32.1",
    ],
)
def test_things_that_are_not_addresses(text: str) -> None:
    assert not kinds_in(text) & {STREET, POSTCODE}


# ------------------------------------------------------------------ health and record numbers


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("NHS number 943 476 5919", "NHS number 943 476 5919"),
        ("no. 9434765919 on the letter", "9434765919"),
        ("on the letter: 943 476 5919", "943 476 5919"),
        ("NIR 2 95 10 99 126 111 93", "NIR 2 95 10 99 126 111 93"),
        ("sa carte vitale : 185057800608436", "carte vitale : 185057800608436"),
        ("his SSN 536-90-4399", "SSN 536-90-4399"),
        ("form says 536-90-4399", "536-90-4399"),
        ("OHIP: 1234567890", "OHIP: 1234567890"),
        ("card 1234-567-897 AB", "1234-567-897 AB"),
        ("MRN 4471932", "MRN 4471932"),
        ("hospital no. K1234567", "hospital no. K1234567"),
        ("Patient ID: AB123456", "Patient ID: AB123456"),
        ("n° de dossier : 0045-7788", "n° de dossier : 0045-7788"),
        ("Medicare number 2123 45670 1", "Medicare number 2123 45670 1"),
        ("Versichertennummer A123456780", "Versichertennummer A123456780"),
        ("RAMQ TREM 5412 3456", "TREM 5412 3456"),
    ],
)
def test_health_and_record_numbers(text: str, number: str) -> None:
    assert found(text) == [(HEALTH_NUMBER, number)]


@pytest.mark.parametrize(
    "text",
    [
        "943 476 5918 with a wrong check digit",
        "2 95 10 99 126 111 94 with a wrong key",
        "000-12-3456 is not an SSN",
        "a record number of admissions",
        "MRN pending",
        "the NHS 10-year plan",
        "NHS 111 told her to wait",
        "Medicare Part D",
    ],
)
def test_numbers_that_fail_the_checks(text: str) -> None:
    assert HEALTH_NUMBER not in kinds_in(text)


# ------------------------------------------------------------------ names with titles


@pytest.mark.parametrize(
    "name",
    [
        "Mrs Patel",
        "Mr. O'Brien",
        "Ms McAllister",
        "Miss Kowalski",
        "Mx Taylor",
        "Dr Hamid",
        "Prof. Lindqvist",
        "Mme Dubois",
        "Mlle Martin",
        "M. Lefèvre",
        "Monsieur Haddad",
        "madame Rousseau",
        "Mme de Villeneuve",
        "Mr. Fitzgerald-Hughes",
    ],
)
def test_names_with_titles(name: str) -> None:
    assert found(f"I saw {name} today") == [(NAME, name)]


@pytest.mark.parametrize(
    "text",
    [
        "the Dr on call",
        "my GP said so",
        "I told the Dr. She nodded.",
        "mrs patel",
        "Mrs B., as I will call her",
        "Mr X and his wife",
        "Le Dr de garde",
        "Madame a refusé",
        "the MS Society",
        "I miss Sarah",
        "Mr Mr Mr",
    ],
)
def test_titles_without_a_name(text: str) -> None:
    assert NAME not in kinds_in(text)


# ------------------------------------------------------------------ overlaps and the warning text


def test_the_most_specific_kind_wins_an_overlap() -> None:
    findings = find_identifiers("Mrs Patel, DOB 12/03/1954, NHS number 943 476 5919.")
    assert [(f.kind, f.text) for f in findings] == [
        (NAME, "Mrs Patel"),
        (DATE_OF_BIRTH, "12/03/1954"),
        (HEALTH_NUMBER, "NHS number 943 476 5919"),
    ]


def said(findings: list[Finding], lang: Lang = Lang.EN) -> str:
    """What the warning names, as a reader of `lang` reads it: each kind's phrase, joined as that language does."""
    t = translator(lang)
    return t.join(t.render(part) for part in describe(findings))


def test_describe_names_what_was_found() -> None:
    findings = find_identifiers("DOB 12/03/1954, mobile 07700 900123")
    assert said(findings) == "a date of birth (12/03/1954) and a phone number (07700 900123)"
    assert said(findings, Lang.FR) == "une date de naissance (12/03/1954) et un numéro de téléphone (07700 900123)"


def test_describe_counts_truncates_and_quotes_at_most_three() -> None:
    findings = [
        Finding(DATE, "12/03/2019", 0, 10),
        Finding(DATE, "3 June 2020", 20, 31),
        Finding(EMAIL, "a.very.long.address.indeed@example.co.uk", 40, 80),
        Finding(PHONE, "07700 900123", 90, 102),
    ]
    assert said(findings) == (
        "two dates (12/03/2019), an e-mail address (a.very.long.address.indeed@ex…), and a phone number"
        " (07700 900123)"
    )
    assert said(findings[:3]) == (
        "two dates (12/03/2019, 3 June 2020) and an e-mail address (a.very.long.address.indeed@ex…)"
    )
    assert said(findings, Lang.FR) == (
        "deux dates (12/03/2019), une adresse e-mail (a.very.long.address.indeed@ex…) et un numéro de téléphone"
        " (07700 900123)"
    )
    many = [Finding(NAME, f"Mrs Name{n}", 12 * n, 12 * n + 10) for n in range(12)]
    assert said(many) == "12 names with titles (Mrs Name0, Mrs Name1, Mrs Name2)"
    assert said(many[:10], Lang.FR) == "dix noms précédés d'un titre (Mrs Name0, Mrs Name1, Mrs Name2)"
    assert said([]) == "nothing that looks like a patient identifier"
    assert said([], Lang.FR) == "rien qui ressemble à un identifiant de patient"


# ------------------------------------------------------------------ measured on the labelled table


def test_recall_and_false_alarms_on_the_labelled_table() -> None:
    recall, false_alarms, pairs, clean = score(find_identifiers)
    print(
        f"\nidentifier check on {len(CASES)} sentences: recall {recall:.3f} over {pairs} labelled kinds, "
        f"false alarms {false_alarms:.3f} over {clean} identifier-free sentences"
    )
    assert len(CASES) >= 80
    assert all(kinds <= set(KINDS) for _, kinds in CASES)
    assert recall >= 0.95
    assert false_alarms <= 0.05


# ------------------------------------------------------------------ any text, and the worst texts


def check_findings(text: str) -> None:
    started = time.perf_counter()
    findings = find_identifiers(text)
    elapsed = time.perf_counter() - started
    # Catastrophic backtracking takes seconds to hours; the worst input here takes ~0.15 s
    # on an idle machine, so the bound leaves room for a loaded one.
    assert elapsed < 1.5, f"{elapsed:.2f} s"
    end = 0
    for finding in findings:
        assert finding.kind in KINDS
        assert end <= finding.start < finding.end <= len(text)
        assert finding.text == text[finding.start : finding.end]
        end = finding.end
    describe(findings)


@settings(deadline=None, max_examples=200)
@given(st.text(max_size=2000))
def test_any_text_gives_sorted_disjoint_findings_quickly(text: str) -> None:
    check_findings(text)


_PIECES = st.sampled_from(
    ["Mrs ", "Patel", "DOB ", "12/03/1954", " ", "07700 900123", "+44", "0", "1", "-", "/", ".", "@", "a",
     "rue ", "de ", "14 Elm Street", "SW1A 1AA", "MRN ", "né le ", "mars ", "1er ", ", ", "\n", "(", ")"]
)  # fmt: skip


@settings(deadline=None, max_examples=200)
@given(st.lists(_PIECES, max_size=200).map("".join))
def test_identifier_like_text_gives_sorted_disjoint_findings_quickly(text: str) -> None:
    check_findings(text)


@pytest.mark.parametrize(
    "text",
    [
        "1" * 1500,
        "0" * 2000,
        "Mr " * 500,
        "Mr O'" * 400,
        "a@a." * 500,
        "a@" * 1000,
        "a." * 1000 + "@",
        "1 " * 1000,
        "1/" * 1000,
        "12." * 600,
        "01 " * 600,
        "+1 " * 600,
        "MRN " + "1 " * 900,
        "1 rue " + "de " * 600,
        "1 " + "Aa " * 600,
        "12 March " * 200,
        "born " * 300 + "12/03/1954",
    ],
)
def test_adversarial_long_texts_stay_fast(text: str) -> None:
    check_findings(text)
