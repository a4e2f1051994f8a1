"""The record's embed: one field per group within Discord's limits, the rest named in the footer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.presence import Stay
from bot.core.record_files import RecordSheet
from bot.core.records import SessionFacts, count_record
from bot.core.schemes import DEFAULT_SCHEMES, progress
from bot.core.text import Lang
from bot.discord_io.records import record_embed
from bot.i18n import translator

START = datetime(2026, 1, 6, 18, tzinfo=UTC)


def _sheet(number: int) -> RecordSheet:
    facts = SessionFacts(number, number, START, START + timedelta(hours=1),
                         (Stay(1, START, START + timedelta(hours=1)),))
    record = count_record(1, number, [facts], ZoneInfo("Europe/Paris"))
    return RecordSheet(f"Server {number}", f"Group {number:02}", record,
                       tuple(progress(s, record) for s in DEFAULT_SCHEMES))


@pytest.mark.parametrize("lang", list(Lang), ids=lambda lang: lang.value)
def test_many_groups_fit_one_embed_and_the_footer_names_the_rest(lang: Lang) -> None:
    t = translator(lang)
    embed = record_embed([_sheet(n) for n in range(30)], t, title="Record", scope="Scope", own=True, percent=50,
                         servers=True)
    assert len(embed) <= 6000 and len(embed.fields) <= 25
    assert all(len(f.value or "") <= 1024 and len(f.name or "") <= 256 for f in embed.fields)
    rest = 30 - len(embed.fields)
    assert rest > 0 and embed.footer.text is not None and str(rest) in embed.footer.text
    assert embed.fields[0].name == t.gettext("{group} ({server})", group="Group 00", server="Server 0")


def test_one_group_shows_every_line() -> None:
    embed = record_embed([_sheet(1)], translator(Lang.EN), title="Record", scope="Scope", own=False, percent=60,
                         servers=False)
    assert embed.footer.text is None and [f.name for f in embed.fields] == ["Group 01"]
    assert (embed.fields[0].value or "").splitlines()[:4] == [
        "Sessions attended: **1** · led: **0** · co-led: **0**", "Hours: **1**", "Cases presented: **0**",
        "From January 6, 2026 to January 6, 2026"]
    assert "at least 60% of it" in (embed.description or "")
