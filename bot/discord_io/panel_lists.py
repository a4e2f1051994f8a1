"""What the session panel lists beside its phases: the raised hands in order, and in an opening the cases waiting.

Both are read from the database when the panel is drawn, so that an edit that replaced older
ones (see pacing.py) shows everything up to its own moment. Mentions in an embed ping nobody.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from bot.core.cases import Case, CaseState
from bot.core.hands import hands_open, line
from bot.core.session import Session, Status
from bot.core.text import N_
from bot.i18n import Translator

if TYPE_CHECKING:
    from bot.app import BalintBot
    from bot.core.groups import Group

# Discord's limit for the value of an embed's field.
FIELD_MAX = 1024


@dataclass(frozen=True)
class PanelLists:
    """The raised hands (user ids, in line) and, in an opening, the group's cases waiting."""

    hands: tuple[int, ...] = ()
    cases: tuple[Case, ...] = ()


NO_LISTS = PanelLists()


async def load_lists(bot: BalintBot, session: Session, group: Group) -> PanelLists:
    """Read what the panel lists now."""
    hands: tuple[int, ...] = ()
    if hands_open(session):
        hands = tuple(hand.user_id for hand in line(await bot.hands.store.hands(session.id), group))
    cases: tuple[Case, ...] = ()
    if session.state.status is not Status.ENDED and session.current_phase.opening:
        cases = tuple(await bot.cases.store.cases_of_group(group.id, (CaseState.QUEUED, CaseState.PRESENTING)))
    return PanelLists(hands=hands, cases=cases)


def fit(lines: Sequence[str], more: Callable[[int], str], limit: int = FIELD_MAX) -> str:
    """Join lines into one field's value; if they do not all fit, end with `more(how many are left out)`."""
    if len("\n".join(lines)) <= limit:
        return "\n".join(lines)
    for kept in range(len(lines) - 1, -1, -1):
        value = "\n".join([*lines[:kept], more(len(lines) - kept)])
        if len(value) <= limit:
            return value
    return more(len(lines))[:limit]


def hands_value(hands: Sequence[int], t: Translator) -> str:
    """List the raised hands in line, or say that none is."""
    if not hands:
        return t.gettext("None yet: press Raise hand to ask for the floor.")
    lines = [t.gettext("{place}. {member}", place=place, member=f"<@{user_id}>")
             for place, user_id in enumerate(hands, start=1)]
    return fit(lines, lambda left: t.ngettext("…and {count} more", "…and {count} more", left, count=left))


def case_line(case: Case, t: Translator) -> str:
    """Show a queued case by title with its author, or "anonymous": one line of /case list and of an opening."""
    # Translators: how /case list shows an anonymous case's author.
    who = t.gettext("anonymous") if case.anonymous or case.author_id is None else f"<@{case.author_id}>"
    line = (N_("• **{title}** · {who} (being presented)") if case.state is CaseState.PRESENTING
            else N_("• **{title}** · {who}"))
    return t.gettext(line, title=discord.utils.escape_markdown(case.title), who=who)


def cases_value(cases: Sequence[Case], t: Translator) -> str:
    """List the cases waiting by title, an anonymous one without its author (as /case list does)."""
    if not cases:
        return t.gettext("No case is waiting; a member proposes one with /case propose.")
    lines = [case_line(case, t) for case in cases]
    return fit(lines, lambda left: t.ngettext("…and {count} more: see /case list", "…and {count} more: see /case list",
                                              left, count=left))


def add_fields(embed: discord.Embed, session: Session, lists: PanelLists, t: Translator) -> None:
    """Add the hands (while the group speaks) and the cases waiting (in an opening) to a panel."""
    if hands_open(session):
        embed.add_field(name=t.gettext("Raised hands"), value=hands_value(lists.hands, t), inline=False)
    if session.state.status is not Status.ENDED and session.current_phase.opening:
        embed.add_field(name=t.gettext("Cases waiting"), value=cases_value(lists.cases, t), inline=False)

