"""The leaders' debrief as they read it: the report, the feedback that follows, the button to read it in the channel.

Each text is in the language it is given (the group's, for a direct message; the reader's, for
the button's private answer). Nothing in it names the presenter or the case: the session is
named by its group and its time, and the voice channel's people are one number.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import discord
from discord.utils import TimestampStyle

from bot.core.debrief import Figures, PhaseFigures, whole_minutes
from bot.core.text import N_, Lang
from bot.discord_io.components import CustomId, PersistentButton
from bot.discord_io.feedback import RESULTS_FROM, results
from bot.i18n import Translator, phase_name, translator, translator_for

if TYPE_CHECKING:
    from bot.app import BalintBot

# Discord's limit for a message's text.
MESSAGE_MAX = 2000

Answers = list[tuple[int, str | None]]


def _when(instant: datetime, style: TimestampStyle) -> str:
    return discord.utils.format_dt(instant, style)


# Translators: the first line of a leader's debrief, and of the feedback that follows it; {when} is the
# session's start, which Discord shows in each reader's own time and language.
DEBRIEF_HEADING = N_("**Debrief · {group}** · session of {when}")
FEEDBACK_HEADING = N_("**Feedback · {group}** · session of {when}")


def _heading(msgid: str, group: str, started_at: datetime, t: Translator) -> str:
    return t.gettext(msgid, group=discord.utils.escape_markdown(group), when=_when(started_at, "f"))


def _minutes(span: timedelta, t: Translator) -> str:
    """Write a span in whole minutes; one too short to round to a minute is "<1", not 0."""
    if timedelta(0) < span < timedelta(seconds=30):
        return "<1"
    return t.number(whole_minutes(span))


def _phase_line(figures: PhaseFigures, t: Translator) -> str:
    name = phase_name(figures.phase, t)
    if not figures.reached:
        return t.gettext("• {phase}: {planned} → not reached", phase=name, planned=figures.phase.minutes)
    parts = [t.gettext("• {phase}: {planned} → {actual}", phase=name, planned=figures.phase.minutes,
                       actual=_minutes(figures.ran, t))]
    if figures.pauses:
        parts.append(t.ngettext("{count} pause, {minutes} min", "{count} pauses, {minutes} min", figures.pauses,
                                count=figures.pauses, minutes=_minutes(figures.paused, t)))
    if figures.extensions:
        parts.append(t.ngettext("{count} extension, +{minutes} min", "{count} extensions, +{minutes} min",
                                figures.extensions, count=figures.extensions,
                                minutes=_minutes(figures.extended, t)))
    return " · ".join(parts)


def _feedback_lines(answers: Answers, t: Translator) -> list[str]:
    summary, spread, comments = results(answers, t)
    lines = [summary, spread]
    if comments:
        lines.append(t.gettext("**Comments**"))
        lines += [f"• {comment}" for comment in comments]
    return lines


def _fit(lines: list[str], keep: int, t: Translator) -> str:
    """Join lines within Discord's limit, dropping lines after the first `keep` (comments) as needed."""
    text = "\n".join(lines)
    dropped = 0
    while len(text) > MESSAGE_MAX and len(lines) > keep:
        lines.pop()
        dropped += 1
        more = t.ngettext("…and {count} more: see Results under the closing message.",
                          "…and {count} more: see Results under the closing message.", dropped, count=dropped)
        text = "\n".join([*lines, more])
    return text[:MESSAGE_MAX]


def report_text(figures: Figures, *, group: str, template: str, answers: Answers, lang: Lang,
                direct: bool) -> str:
    """Write a session's debrief; `direct`: for a direct message, where the feedback follows apart."""
    t = translator(lang)
    planned = sum(p.phase.minutes for p in figures.phases)
    took = whole_minutes(figures.ended_at - figures.started_at)
    lines = [
        _heading(DEBRIEF_HEADING, group, figures.started_at, t),
        t.gettext("Template {template} · {start} to {end}", template=template, start=_when(figures.started_at, "t"),
                  end=_when(figures.ended_at, "t")),
        "",
        t.gettext("**Phases** (minutes planned → actual)"),
        *(_phase_line(p, t) for p in figures.phases),
        "",
        t.gettext("**In all:** {planned} min planned, {took} min from start to end.", planned=planned, took=took),
        (t.ngettext("**Pauses:** {count} ({minutes} min)", "**Pauses:** {count} ({minutes} min)", figures.pauses,
                    count=figures.pauses, minutes=_minutes(figures.paused, t))
         if figures.pauses else t.gettext("**Pauses:** none")),
        (t.ngettext("**Extensions:** {count} (+{minutes} min)", "**Extensions:** {count} (+{minutes} min)",
                    figures.extensions, count=figures.extensions, minutes=_minutes(figures.extended, t))
         if figures.extensions else t.gettext("**Extensions:** none")),
        t.ngettext("**In voice:** {count} person", "**In voice:** {count} people", figures.in_voice,
                   count=figures.in_voice),
        t.gettext("**Relayed for the presenter:** {count}", count=figures.relays),
    ]
    # Only comments give way if the text is too long: the figures, the heading and the summary stay.
    keep = len(lines) + 4
    if len(answers) >= RESULTS_FROM:
        lines.append(t.gettext("**Feedback:**"))
        lines += _feedback_lines(answers, t)
    elif direct:
        lines.append(t.gettext("**Feedback:** it follows in another message once at least {least} members have"
                               " answered.", least=RESULTS_FROM))
    else:
        lines.append(t.gettext("**Feedback:** shown once at least {least} members have answered ({count} so far).",
                               least=RESULTS_FROM, count=len(answers)))
    return _fit(lines, keep, t)


def feedback_text(*, group: str, started_at: datetime, answers: Answers, lang: Lang) -> str:
    """Write the feedback that follows a debrief once enough members answered."""
    t = translator(lang)
    lines = [_heading(FEEDBACK_HEADING, group, started_at, t), *_feedback_lines(answers, t)]
    return _fit(lines, 4, t)


def closed_text(leader_id: int, lang: Lang) -> str:
    """Tell a leader in the group's channel that their debrief could not go by direct message (nothing of it shown)."""
    return translator(lang).gettext(
        "{who}, I could not send you this session's debrief: Discord refused a direct message (they may be"
        " closed for this server). Read it here, privately, with the button.", who=f"<@{leader_id}>")


class DebriefButton(PersistentButton, custom=CustomId("balint:debrief:{session}", session=int)):
    """Show a leader of the session its debrief, privately (for a leader whose direct messages are closed)."""

    def __init__(self, *, session: int, lang: Lang = Lang.EN) -> None:
        super().__init__(label=translator(lang).gettext("Read my debrief"), style=discord.ButtonStyle.secondary,
                         session=session)
        self.session_id = session

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Show the debrief in the reader's language; refuse anyone who did not lead the session."""
        bot = cast("BalintBot", interaction.client)
        await bot.sessions.debriefs.show(interaction, self.session_id, translator_for(interaction.locale).lang)


def debrief_view(session_id: int, lang: Lang = Lang.EN) -> discord.ui.View:
    """Hold the button under the channel's word to a leader whose direct messages are closed."""
    view = discord.ui.View(timeout=None)
    view.add_item(DebriefButton(session=session_id, lang=lang))
    return view


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (DebriefButton,)
