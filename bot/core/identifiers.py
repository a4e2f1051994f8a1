"""Spot text that looks like a patient identifier, so the bot can warn before a case is saved.

The patterns are our own rather than scrubadub's: its model-based detectors bring heavy
dependencies and guess at names in free text, while a Balint case needs a small, offline,
explainable check tuned to what doctors in the UK, France, Canada, the US, Germany and
Australia actually write. Phone numbers come from Google's maintained `phonenumbers` and
health-number checksums from `python-stdnum`, so neither is re-invented here.

Every repetition in the regular expressions is bounded and cues come before free-form parts,
so no input, however long or odd, makes them backtrack badly (the tests time the worst ones).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import phonenumbers
from stdnum import luhn
from stdnum.fr import nir
from stdnum.gb import nhs
from stdnum.us import ssn

from bot.core.text import N_, Param, Plural, Text

DATE = "date"
DATE_OF_BIRTH = "date of birth"
PHONE = "phone number"
EMAIL = "e-mail address"
STREET = "street address"
POSTCODE = "postcode"
HEALTH_NUMBER = "health or record number"
NAME = "name with title"

KINDS = (DATE, DATE_OF_BIRTH, PHONE, EMAIL, STREET, POSTCODE, HEALTH_NUMBER, NAME)


@dataclass(frozen=True)
class Finding:
    """One stretch of text that looks like a patient identifier."""

    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class _Candidate:
    kind: str
    start: int
    end: int
    # When two candidates overlap the higher rank wins: a checksum or an explicit cue
    # says more than a shape, and a shape says more than a loose phone-number parse.
    rank: int


_RANK_CHECKED_NUMBER = 90
_RANK_DATE_OF_BIRTH = 80
_RANK_EMAIL = 70
_RANK_DATE = 60
_RANK_PLACE = 50
_RANK_SPACED_NHS = 45
_RANK_PHONE = 40
_RANK_BARE_NHS = 35
_RANK_NAME = 30

# ---------------------------------------------------------------- dates

_MONTHS_EN = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
)
_MONTHS_FR = (
    "janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre"
    "|janv|f[ée]vr|avr|juil"
)
_MONTH = rf"(?i:{_MONTHS_EN}|{_MONTHS_FR})\b\.?"
_DAY = r"(?:[12][0-9]|3[01]|0?[1-9])"
_ORDINAL = r"(?:st|nd|rd|th|er|e|ème)?"
_YEAR = r"(?:1[89][0-9]{2}|20[0-9]{2})"

_DAY_MONTH_YEAR = re.compile(rf"\b{_DAY}{_ORDINAL}(?:\s{{1,3}}of)?[\s-]{{1,3}}{_MONTH},?[\s-]{{1,3}}{_YEAR}\b")
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s{{1,3}}{_DAY}{_ORDINAL},?\s{{1,3}}{_YEAR}\b")
_NUMERIC_DATE = re.compile(
    r"(?<![\w/.:-])(?P<a>[0-9]{1,2})(?P<sep>[/.-])(?P<b>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4}|[0-9]{2})"
    r"(?![0-9]|[/.:-][0-9])"
)
_ISO_DATE = re.compile(
    r"(?<![\w/.:-])(?P<y>(?:19|20)[0-9]{2})(?P<sep>[/.-])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"
    r"(?![0-9]|[/.:-][0-9])"
)
# Without a year a day and month identify no one, unless they are a birthday.
_BIRTHDAY_ONLY = (
    re.compile(rf"\b{_DAY}{_ORDINAL}(?:\s{{1,3}}of)?\s{{1,3}}{_MONTH}"),
    re.compile(rf"\b{_MONTH}\s{{1,3}}{_DAY}{_ORDINAL}\b"),
    re.compile(rf"\b{_MONTH}\s{{1,3}}{_YEAR}\b"),
)
_BIRTH_CUE = re.compile(
    r"(?i:\b(?:born|birthday|birth\s?date|date\s+of\s+birth|d\.?o\.?b\b|né(?:e|\s?\(e\))?(?=\s)"
    r"|date\s+de\s+naissance|naissance|ddn|anniversaire|geboren))"
)
_BIRTH_CUE_AFTER = re.compile(r"\s{0,2}[(\[]?(?i:dob|d\.o\.b|born|date of birth|ddn)\b")
# A full stop before a digit ends an abbreviation ("d.o.b. 3.4.61"), not a sentence.
_SENTENCE_BREAK = re.compile(r"[.!?;]\s+(?=[A-ZÀ-Þ])|[!?;]\s|\n")


def _valid_day_month(day: int, month: int) -> bool:
    return 1 <= day <= 31 and 1 <= month <= 12


def _numeric_date_ok(match: re.Match[str]) -> bool:
    a, b = int(match["a"]), int(match["b"])
    year = match["y"]
    if len(year) == 4 and not 1800 <= int(year) <= 2099:
        return False
    # Accept day-first (Europe, Canada, Australia) and month-first (US) alike.
    return _valid_day_month(a, b) or _valid_day_month(b, a)


def _has_birth_cue(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 45) : start]
    # A cue in an earlier sentence belongs to someone else's story.
    breaks = list(_SENTENCE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    if _BIRTH_CUE.search(before):
        return True
    return _BIRTH_CUE_AFTER.match(text, end) is not None


def _date_candidate(text: str, start: int, end: int) -> _Candidate:
    if _has_birth_cue(text, start, end):
        return _Candidate(DATE_OF_BIRTH, start, end, _RANK_DATE_OF_BIRTH)
    return _Candidate(DATE, start, end, _RANK_DATE)


def _dates(text: str) -> Iterator[_Candidate]:
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for match in pattern.finditer(text):
            yield _date_candidate(text, match.start(), match.end())
    for match in _NUMERIC_DATE.finditer(text):
        if _numeric_date_ok(match):
            yield _date_candidate(text, match.start(), match.end())
    for match in _ISO_DATE.finditer(text):
        if _valid_day_month(int(match["d"]), int(match["m"])):
            yield _date_candidate(text, match.start(), match.end())
    for pattern in _BIRTHDAY_ONLY:
        for match in pattern.finditer(text):
            if _has_birth_cue(text, match.start(), match.end()):
                yield _Candidate(DATE_OF_BIRTH, match.start(), match.end(), _RANK_DATE_OF_BIRTH - 1)


# ---------------------------------------------------------------- phone numbers

# One pass as "US" finds North American numbers, Canada's included, and every "+" number;
# the passes for trunk-0 countries only run when some number starts with 0.
_NANP_REGION = "US"
_TRUNK_ZERO_REGIONS = ("GB", "FR", "DE", "AU")
_ASCII_DIGIT = re.compile(r"[0-9]")
_TRUNK_ZERO = re.compile(r"(?<![0-9])0[0-9]")


def _phone_ok(match: phonenumbers.PhoneNumberMatch, region: str) -> bool:
    raw = match.raw_string.lstrip("([ ")
    digits = "".join(ch for ch in raw if ch.isdigit())
    # POSSIBLE leniency alone takes "1500" or "140/90" for numbers; what makes a phone
    # number in a story is an international prefix, a trunk 0, or a valid North American number.
    if raw.startswith("+") or digits.startswith("00"):
        return len(digits) >= 8
    if region == _NANP_REGION:
        return len(digits) >= 10 and phonenumbers.is_valid_number(match.number)
    if not digits.startswith("0"):
        return False
    return len(digits) >= 9 or phonenumbers.is_valid_number(match.number)


def _phones(text: str) -> Iterator[_Candidate]:
    # Too few digits for any phone number: skip the matcher, the slowest part of the check.
    if len(_ASCII_DIGIT.findall(text)) < 7:
        return
    regions = (_NANP_REGION, *_TRUNK_ZERO_REGIONS) if _TRUNK_ZERO.search(text) else (_NANP_REGION,)
    seen: set[tuple[int, int]] = set()
    for region in regions:
        # POSSIBLE, not VALID, because the fictional ranges doctors use in examples
        # (07700 900xxx, 0491 570xxx) are not "valid"; _phone_ok filters what it lets through.
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
            span = (match.start, match.end)
            if span not in seen and _phone_ok(match, region):
                seen.add(span)
                yield _Candidate(PHONE, match.start, match.end, _RANK_PHONE)


# ---------------------------------------------------------------- e-mail addresses

_EMAIL = re.compile(
    r"(?<![\w.+%-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}"
    r"(?![\w@-]|\.[A-Za-z0-9])"
)


def _emails(text: str) -> Iterator[_Candidate]:
    if "@" not in text:
        return
    for match in _EMAIL.finditer(text):
        yield _Candidate(EMAIL, match.start(), match.end(), _RANK_EMAIL)


# ---------------------------------------------------------------- street addresses and postcodes

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_STREET_EN = re.compile(
    r"(?:\b(?:Flat|Apt\.?|Apartment|Unit|Suite)\s{1,3}[0-9]{1,4}[A-Za-z]?,?\s{1,3})?"
    rf"\b[0-9]{{1,5}}[A-Za-z]?,?\s{{1,3}}(?:[{_UPPER}][\w'’.-]{{0,30}}\s{{1,3}}){{1,4}}"
    r"(?:(?:Street|Road|Avenue|Lane|Drive|Close|Way|Place|Court|Crescent|Terrace|Gardens|Boulevard|Square"
    r"|Grove|Hill|Park|Row|Mews|Walk|Parade|Highway|Rise)\b|(?:St|Rd|Ave|Ln|Pl|Ct|Cres|Blvd|Sq|Hwy)\b\.?)"
)
_FR_PARTICLE = r"(?:(?:de|du|des|la|le|les|aux|au|sur|et|en)\s{1,3}|[dlDL][’'])"
_FR_WORD = rf"[{_UPPER}][\w’'-]{{0,30}}"
_STREET_FR = re.compile(
    r"\b[0-9]{1,4}(?:\s?(?:bis|ter)|[A-Da-d])?,?\s{1,3}"
    r"(?i:rue|avenue|av\.|boulevard|bd|place|chemin|impasse|all[ée]e|quai|route|square|faubourg|rte)\s{1,3}"
    rf"{_FR_PARTICLE}{{0,3}}{_FR_WORD}(?:\s{{1,3}}{_FR_PARTICLE}{{0,3}}{_FR_WORD}){{0,3}}"
)
_STREET_DE = re.compile(
    rf"\b[{_UPPER}][{_LOWER}]{{1,30}}(?:stra(?:ß|ss)e|str\.|weg|platz|allee|gasse)\s{{1,3}}[0-9]{{1,4}}[a-z]?\b"
    rf"|\b[{_UPPER}][{_LOWER}]{{1,30}}\s(?:Straße|Strasse|Str\.|Weg|Platz|Allee)\s{{1,3}}[0-9]{{1,4}}[a-z]?\b"
)

_UK_POSTCODE = re.compile(r"\b[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]?\s?[0-9][ABD-HJLNP-UW-Z]{2}\b")
_CA_POSTCODE = re.compile(r"\b[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z]\s?[0-9][ABCEGHJ-NPRSTV-Z][0-9]\b")
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND"
    "|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
    "|Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho"
    "|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota"
    "|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York"
    "|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina"
    "|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming"
)
# A bare five-digit number is a dose, a count or a lab value far more often than a ZIP code.
_US_ZIP = re.compile(
    rf"(?:\b(?:{_US_STATES}),?\s{{1,2}}|(?i:\bzip(?:\s?code)?)\s{{0,2}}:?\s{{0,2}})"
    r"(?P<code>[0-9]{5}(?:-[0-9]{4})?)\b"
)
# French and German five-digit codes only count beside a town name or an explicit cue.
_EU_POSTCODE = re.compile(
    rf"(?<![\w,./-])(?P<code>(?!00)[0-9]{{5}})\s{{1,2}}(?P<town>CEDEX\b|[{_UPPER}][{_LOWER}]{{2,30}}\b)"
    r"|(?i:\b(?:code\s+postal|postleitzahl|plz|cp)\b)\s{0,2}:?\s{0,2}(?P<cued>[0-9]{5})\b"
)
_NOT_TOWNS = frozenset(
    {"patients", "people", "units", "cases", "doctors", "euros", "dollars", "steps", "calls", "personnes", "the"}
)
_AU_POSTCODE = re.compile(r"\b(?P<state>NSW|VIC|Vic|QLD|Qld|SA|WA|TAS|Tas|NT|ACT),?\s{1,2}(?P<code>[0-9]{4})\b")
_AU_FIRST_DIGITS = {"NSW": "12", "ACT": "02", "VIC": "38", "QLD": "49", "SA": "5", "WA": "6", "TAS": "7", "NT": "0"}


def _places(text: str) -> Iterator[_Candidate]:
    for pattern in (_STREET_EN, _STREET_FR, _STREET_DE):
        for match in pattern.finditer(text):
            yield _Candidate(STREET, match.start(), match.end(), _RANK_PLACE)
    for pattern in (_UK_POSTCODE, _CA_POSTCODE):
        for match in pattern.finditer(text):
            yield _Candidate(POSTCODE, match.start(), match.end(), _RANK_PLACE)
    for match in _US_ZIP.finditer(text):
        yield _Candidate(POSTCODE, match.start("code"), match.end("code"), _RANK_PLACE)
    for match in _EU_POSTCODE.finditer(text):
        if match["cued"]:
            yield _Candidate(POSTCODE, match.start("cued"), match.end("cued"), _RANK_PLACE)
        elif match["town"].lower() not in _NOT_TOWNS:
            yield _Candidate(POSTCODE, match.start(), match.end(), _RANK_PLACE)
    for match in _AU_POSTCODE.finditer(text):
        if match["code"][0] in _AU_FIRST_DIGITS[match["state"].upper()]:
            yield _Candidate(POSTCODE, match.start(), match.end(), _RANK_PLACE)


# ---------------------------------------------------------------- health and record numbers

_NHS_SHAPE = re.compile(r"(?<![\w+.-])[0-9]{3}([ -]?)[0-9]{3}\1[0-9]{4}(?![\w-]|[./:][0-9])")
_NIR_SHAPE = re.compile(r"(?<![\w+.-])[12](?:[ .-]?[0-9AB]){12}(?:[ .-]?[0-9]{2})(?![\w-]|\.[0-9])")
_SSN_SHAPE = re.compile(r"(?<![\w+.-])[0-9]{3}-[0-9]{2}-[0-9]{4}(?![\w-])")
_OHIP_SHAPE = re.compile(r"(?<![\w+.-])[0-9]{4}[ -]?[0-9]{3}[ -]?[0-9]{3}(?:[ -]?(?P<version>[A-Z]{2}))?\b")
_OHIP_CUE = re.compile(r"(?i:\b(?:ohip|health\s+card|health\s+number|hcn|carte\s+sant[ée])\b)")
_RAMQ_SHAPE = re.compile(r"\b[A-Z]{4}\s?[0-9]{2}(?P<month>[0-9]{2})\s?[0-9]{4}\b")
_ID_TOKEN = r"(?=[A-Za-z0-9]{0,24}[0-9])[A-Za-z0-9]{1,25}(?![A-Za-z0-9]|[/.:][0-9])"
_RECORD_CUE = re.compile(
    r"(?i:\b(?:mrn|medical\s+record\s+(?:number|no\b\.?|#)|(?:hosp(?:ital)?\.?|patient|pt\.?|record|case|chart|unit|ur)"
    r"\s+(?:number|no\b\.?|#|id)|urn|nhs(?:\s+(?:number|no\b\.?|#))?|chi(?:\s+number)?|ohip(?:\s+number)?"
    r"|ramq|hcn|health\s+(?:card|number|insurance\s+number)(?:\s+(?:number|no\b\.?))?"
    r"|medicare(?:\s+(?:card|number|no\b\.?)){0,2}|ssn|social\s+security(?:\s+(?:number|no\b\.?))?"
    r"|nir|ipp|n[°º]\s{0,2}(?:de\s+)?(?:dossier|s[ée]cu(?:rit[ée]\s+sociale)?|patient|ipp)"
    r"|num[ée]ro\s+(?:de\s+)?(?:dossier|s[ée]cu(?:rit[ée]\s+sociale)?|patient|ipp|d['’]assurance\s+maladie)"
    r"|dossier(?:\s+m[ée]dical)?|carte\s+vitale|(?:kranken)?versichertennummer|kvnr|insurance\s+number)(?!\w))"
    r"[ \t]{0,3}(?:[:#=,][ \t]{0,3}|(?i:is|was|est)[ \t]{1,3}|(?i:n[°º]|no\.?)[ \t]{0,3})?"
    rf"(?<![A-Za-z0-9])(?P<id>{_ID_TOKEN}(?:[ -]{_ID_TOKEN}){{0,6}})"
)


def _health_numbers(text: str) -> Iterator[_Candidate]:
    for match in _RECORD_CUE.finditer(text):
        if sum(ch.isalnum() for ch in match["id"]) >= 5:
            yield _Candidate(HEALTH_NUMBER, match.start(), match.end(), _RANK_CHECKED_NUMBER)
    for match in _NIR_SHAPE.finditer(text):
        if nir.is_valid(re.sub(r"[ .-]", "", match.group())):
            yield _Candidate(HEALTH_NUMBER, match.start(), match.end(), _RANK_CHECKED_NUMBER)
    for match in _SSN_SHAPE.finditer(text):
        if ssn.is_valid(match.group()):
            yield _Candidate(HEALTH_NUMBER, match.start(), match.end(), _RANK_CHECKED_NUMBER)
    for match in _NHS_SHAPE.finditer(text):
        # One valid North American phone number in eleven passes mod 11 too; written with
        # dashes it is more likely that phone number than an NHS number, which the NHS
        # writes with spaces or none.
        if nhs.is_valid(match.group()):
            rank = _RANK_BARE_NHS if match.group(1) == "-" else _RANK_SPACED_NHS
            yield _Candidate(HEALTH_NUMBER, match.start(), match.end(), rank)
    for match in _OHIP_SHAPE.finditer(text):
        digits = "".join(ch for ch in match.group() if ch.isdigit())
        cued = _OHIP_CUE.search(text, max(0, match.start() - 40), match.start()) is not None
        if cued or (match["version"] and luhn.is_valid(digits)):
            yield _Candidate(HEALTH_NUMBER, match.start(), match.end(), _RANK_CHECKED_NUMBER)
    for match in _RAMQ_SHAPE.finditer(text):
        # The RAMQ month is stored plus 50 for women.
        if int(match["month"]) % 50 in range(1, 13):
            yield _Candidate(HEALTH_NUMBER, match.start(), match.end(), _RANK_CHECKED_NUMBER)


# ---------------------------------------------------------------- names with titles

_TITLE = (
    r"(?:\b(?:Mrs|Mr|Ms|Miss|Mx|Dr|Prof|Professor|Doctor|Docteur|Professeur|Mme|Mlle|Mmes|Herr|Frau)\b\.?"
    r"|\bM\.|\b[Mm]onsieur\b|\b[Mm]adame\b|\b[Mm]ademoiselle\b)"
)
_NAME_PART = rf"[{_UPPER}][{_LOWER}]{{1,30}}"
# "O'Brien", "McDonald" and "Lévy-Strauss" as well as "Patel".
_SURNAME = rf"[{_UPPER}](?:['’][{_UPPER}])?[{_LOWER}]{{1,30}}(?:{_NAME_PART})?(?:-{_NAME_PART})?"
_NAME_WITH_TITLE = re.compile(
    rf"{_TITLE}[ \t]{{1,3}}(?:(?:de|du|van|von|der|le|la|di|da|del)[ \t]{{1,2}})?(?P<name>{_SURNAME})\b"
)
# Capitalised words that follow "Dr." or "M." at a sentence end, or another title, without being a name.
_NOT_NAMES = frozenset(
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "mme", "mlle", "madame", "monsieur", "herr", "frau",
        "a", "an", "and", "as", "at", "but", "for", "he", "her", "his", "i", "if", "in", "it", "its", "my", "no", "of",
        "on", "or", "our", "she", "so", "than", "that", "the", "their", "then", "there", "they", "this", "to", "we",
        "what", "when", "where", "which", "who", "why", "with", "yes", "you", "your", "also", "after", "before",
        "however", "later", "registrar", "consultant", "ce", "cette", "donc", "elle", "elles", "en", "et",
        "il", "ils", "je", "la", "le", "les", "leur", "lui", "ma", "mais", "mes", "mon", "nous", "ou", "puis",
        "quand", "sa", "ses", "son", "ta", "tes", "ton", "un", "une", "vous", "y",
    }
)


def _names(text: str) -> Iterator[_Candidate]:
    for match in _NAME_WITH_TITLE.finditer(text):
        if match["name"].lower() not in _NOT_NAMES:
            yield _Candidate(NAME, match.start(), match.end(), _RANK_NAME)


# ---------------------------------------------------------------- putting it together


def _resolve(candidates: list[_Candidate]) -> list[_Candidate]:
    # Best first; kept spans never overlap, so only the neighbours of a new span can clash.
    starts: list[int] = []
    kept: list[_Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (-c.rank, -(c.end - c.start), c.start)):
        at = bisect.bisect_left(starts, candidate.start)
        clashes_before = at > 0 and kept[at - 1].end > candidate.start
        clashes_after = at < len(kept) and kept[at].start < candidate.end
        if candidate.end > candidate.start and not clashes_before and not clashes_after:
            starts.insert(at, candidate.start)
            kept.insert(at, candidate)
    return kept


def find_identifiers(text: str) -> list[Finding]:
    """Return what looks like a patient identifier in `text`, sorted by position and never overlapping."""
    candidates: list[_Candidate] = []
    for finder in (_dates, _phones, _emails, _places, _health_numbers, _names):
        candidates.extend(finder(text))
    return [Finding(c.kind, text[c.start : c.end], c.start, c.end) for c in _resolve(candidates)]


# Translators: what the identifier check found, as "Before it is saved: this looks like it may
# identify a patient: {found}." lists it ("a date of birth (12/03/1954) and two phone numbers (…)").
_ONE = {
    DATE: N_("a date"),
    DATE_OF_BIRTH: N_("a date of birth"),
    PHONE: N_("a phone number"),
    EMAIL: N_("an e-mail address"),
    STREET: N_("a street address"),
    POSTCODE: N_("a postcode"),
    HEALTH_NUMBER: N_("a health or record number"),
    NAME: N_("a name with title"),
}
# Two or more of a kind; {count} is a number in words up to ten ("two dates"), in digits after.
_MANY: dict[str, Callable[[int, Param], Plural]] = {
    DATE: lambda n, count: Plural("{count} date", "{count} dates", n, count=count),
    DATE_OF_BIRTH: lambda n, count: Plural("{count} date of birth", "{count} dates of birth", n, count=count),
    PHONE: lambda n, count: Plural("{count} phone number", "{count} phone numbers", n, count=count),
    EMAIL: lambda n, count: Plural("{count} e-mail address", "{count} e-mail addresses", n, count=count),
    STREET: lambda n, count: Plural("{count} street address", "{count} street addresses", n, count=count),
    POSTCODE: lambda n, count: Plural("{count} postcode", "{count} postcodes", n, count=count),
    HEALTH_NUMBER: lambda n, count: Plural("{count} health or record number", "{count} health or record numbers",
                                           n, count=count),
    NAME: lambda n, count: Plural("{count} name with title", "{count} names with titles", n, count=count),
}
# Translators: a count in words, in "{count} dates" and the like above.
_COUNTS = (N_("two"), N_("three"), N_("four"), N_("five"), N_("six"), N_("seven"), N_("eight"), N_("nine"),
           N_("ten"))
NOTHING_FOUND = N_("nothing that looks like a patient identifier")
_MAX_QUOTES = 3
_QUOTE_LENGTH = 30


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) > _QUOTE_LENGTH:
        return flat[: _QUOTE_LENGTH - 1].rstrip() + "…"
    return flat


def _counted(kind: str, count: int) -> Text:
    if count == 1:
        return Text(_ONE[kind])
    number: Param = Text(_COUNTS[count - 2]) if count - 2 < len(_COUNTS) else count
    return _MANY[kind](count, number)


def describe(findings: Sequence[Finding]) -> list[Text]:
    """Name what was found, one phrase per kind quoting a few examples, for the reader's language to join."""
    if not findings:
        return [Text(NOTHING_FOUND)]
    by_kind: dict[str, list[Finding]] = {}
    for finding in findings:
        by_kind.setdefault(finding.kind, []).append(finding)
    quotes: dict[str, list[str]] = {kind: [] for kind in by_kind}
    budget = _MAX_QUOTES
    # First one example of each kind, then seconds and thirds while the budget lasts.
    for depth in range(_MAX_QUOTES):
        for kind, group in by_kind.items():
            if budget and depth < len(group):
                quotes[kind].append(_quote(group[depth].text))
                budget -= 1
    parts = []
    for kind, group in by_kind.items():
        part = _counted(kind, len(group))
        if quotes[kind]:
            # Translators: what was found, then the member's own words it was found in.
            part = Text("{found} ({examples})", found=part, examples=", ".join(quotes[kind]))
        parts.append(part)
    return parts
