"""What the panel lists (hands, an opening's cases) within Discord's field limit, and the pacing of its edits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.core.cases import Case, CaseState
from bot.core.clock import FakeClock
from bot.core.text import Lang
from bot.discord_io.pacing import EDIT_SPACING, PanelPacer
from bot.discord_io.panel_lists import FIELD_MAX, cases_value, fit, hands_value
from bot.discord_io.transient import Lanes, Ticket
from bot.i18n import translator

NOW = datetime(2026, 12, 1, 19, tzinfo=UTC)
EN, FR = translator(Lang.EN), translator(Lang.FR)
USER = 145607444398080001


def _case(number: int, *, anonymous: bool = False, state: CaseState = CaseState.QUEUED, title: str = "") -> Case:
    return Case(id=number, group_id=1, title=title or f"Case {number}", story=None, anonymous=anonymous,
                author_id=None if anonymous else USER + number, author_tag=b"t" if anonymous else None,
                nonce=b"n" if anonymous else None, state=state)


def test_hands_are_listed_in_line_by_mention() -> None:
    """1., 2., … with mentions (an embed pings nobody); none yet says how to ask."""
    assert hands_value([USER, USER + 1], EN) == f"1. <@{USER}>\n2. <@{USER + 1}>"
    assert hands_value([], EN) == "None yet: press Raise hand to ask for the floor."
    assert hands_value([], FR) == "Aucune pour l'instant : appuyez sur « Lever la main » pour demander la parole."


def test_a_long_line_is_cut_to_the_field_limit_with_a_count_of_the_rest() -> None:
    """Seventy hands: as many as fit, then how many more."""
    value = hands_value([USER + n for n in range(70)], EN)
    assert len(value) <= FIELD_MAX
    shown = value.splitlines()[:-1]
    assert shown[0] == f"1. <@{USER}>" and value.splitlines()[-1] == f"…and {70 - len(shown)} more"
    assert hands_value([USER + n for n in range(70)], FR).splitlines()[-1].startswith("…et ")


@given(lines=st.lists(st.text(min_size=0, max_size=300), max_size=40))
def test_fit_never_passes_the_limit_and_keeps_lines_whole(lines: list[str]) -> None:
    """Whatever the lines, the value fits and begins with whole lines of the input."""
    value = fit(lines, lambda left: f"…and {left} more")
    assert len(value) <= FIELD_MAX
    if len("\n".join(lines)) <= FIELD_MAX:
        assert value == "\n".join(lines)


def test_the_cases_waiting_name_a_named_author_and_hide_an_anonymous_one() -> None:
    """As /case list: a mention for a named case, "anonymous" for the other; the one being presented marked."""
    cases = [_case(1), _case(2, anonymous=True, state=CaseState.PRESENTING, title="The *dread*")]
    assert cases_value(cases, EN) == (f"• **Case 1** · <@{USER + 1}>\n"
                                      "• **The \\*dread\\*** · anonymous (being presented)")
    assert cases_value(cases, FR).splitlines()[1] == "• **The \\*dread\\*** · anonyme (en cours de présentation)"
    assert cases_value([], EN) == "No case is waiting; a member proposes one with /case propose."
    many = cases_value([_case(n, title="T" * 100) for n in range(30)], EN)
    assert len(many) <= FIELD_MAX and many.endswith("more: see /case list")


def test_a_paced_edit_waits_the_spacing_after_the_last_edit_on_the_bots_clock() -> None:
    """Nothing to wait for a panel never edited; after an edit, the spacing in real time (the clock may be faster)."""
    clock = FakeClock(NOW)
    pacer = PanelPacer(clock, time_scale=60)
    assert pacer.wait_left(7) == 0.0
    pacer.edited(7)
    assert pacer.wait_left(7) == EDIT_SPACING.total_seconds()
    clock.advance(EDIT_SPACING.total_seconds() * 60 / 3)  # a third of the spacing, in real time
    assert abs(pacer.wait_left(7) - EDIT_SPACING.total_seconds() * 2 / 3) < 1e-9
    assert pacer.wait_left(8) == 0.0, "each panel has its own pace"
    clock.advance(EDIT_SPACING.total_seconds() * 60)
    pacer.edited(8)
    assert pacer.wait_left(7) == 0.0 and 7 not in pacer._last, "panels edited long ago are forgotten"


async def test_a_waiting_edit_gives_way_to_a_newer_one() -> None:
    """wait_turn says False once a newer edit replaced it in the lane, and True when it may go."""
    lanes = Lanes()
    pacer = PanelPacer(FakeClock(NOW), time_scale=1)
    pacer.edited(7)
    turns: list[bool] = []

    async def job(ticket: Ticket) -> None:
        turns.append(await pacer.wait_turn(7, ticket))

    first = lanes.push(("panel", 7), job, replaces=True)
    await asyncio.sleep(0)
    second = lanes.push(("panel", 7), job, replaces=True)
    pacer._last.clear()  # the spacing is over by the time the second runs
    await asyncio.gather(first, second)
    assert turns == [False, True]
    await lanes.close()
