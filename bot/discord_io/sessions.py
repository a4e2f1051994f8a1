"""The session panel, its buttons, and the short notices the bot posts as a session runs.

What is posted in the group's channel is in the group's language; each function takes it
(`panel_embed` follows the group it is given unless told otherwise, the others default to English).
What the panel lists beside the phases (the raised hands, an opening's cases) is read by the caller
and given as `PanelLists`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.core.groups import Group
from bot.core.notices import Notice
from bot.core.phases import Phase
from bot.core.session import ControlAction, PhaseClock, Session, SessionState, Status
from bot.core.text import N_, Lang
from bot.discord_io.cases import SpeakButton
from bot.discord_io.components import CustomId, PersistentButton
from bot.discord_io.groups import BRAND
from bot.discord_io.hands import HandButton, hand_buttons
from bot.discord_io.panel_lists import NO_LISTS, PanelLists, add_fields
from bot.i18n import Translator, phase_guidance, phase_name, translator

if TYPE_CHECKING:
    from bot.app import BalintBot

EXTEND_BUTTON_MINUTES = 2
# Translators: the panel's buttons; refusals name them ("press Resume", "use End"), so keep them alike.
LABELS = {
    ControlAction.PAUSE: N_("Pause"), ControlAction.RESUME: N_("Resume"), ControlAction.EXTEND: N_("+{minutes} min"),
    ControlAction.NEXT: N_("Next"), ControlAction.BACK: N_("Back"), ControlAction.END: N_("End"),
}
STYLES = {ControlAction.END: discord.ButtonStyle.danger, ControlAction.NEXT: discord.ButtonStyle.primary,
          ControlAction.RESUME: discord.ButtonStyle.success}


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def presenter_text(session: Session, t: Translator) -> str:
    """Name the presenter: a mention, "the presenter" when anonymous, or who is still to be chosen."""
    if session.anonymous:
        return t.gettext("the presenter")
    if session.presenter_id is not None:
        return f"<@{session.presenter_id}>"
    return t.gettext("chosen in the opening")


def panel_embed(session: Session, group: Group, now: datetime, lang: Lang | None = None, *,
                lists: PanelLists = NO_LISTS) -> discord.Embed:
    """Render the panel: case, presenter, every phase with the current one marked, time, lists and guidance.

    In `lang`, or without it in the group's language (the panel lives in the group's channel).
    """
    t = translator(group.settings.language if lang is None else lang)
    state = session.state
    current = session.current_phase
    lines = []
    for index, phase in enumerate(session.phases):
        line = t.gettext("{phase} · {minutes} min", phase=phase_name(phase, t), minutes=phase.minutes)
        if state.status is Status.ENDED or index < state.phase_index:
            lines.append(f"✓ {line}")
        elif index == state.phase_index:
            lines.append("▶ " + t.gettext("**{phase}** · {minutes} min", phase=phase_name(phase, t),
                                          minutes=phase.minutes))
        else:
            lines.append(f"· {line}")
    if state.status is Status.RUNNING:
        assert state.deadline is not None
        timing = t.gettext("**{phase}** ends {when}", phase=phase_name(current, t),
                           when=discord.utils.format_dt(state.deadline, "R"))
    elif state.status is Status.PAUSED:
        timing = t.gettext("**Paused** in {phase}, {left} left", phase=phase_name(current, t),
                           left=_clock(PhaseClock.remaining(state, now)))
    else:
        timing = t.gettext("**Ended.** What is said in the group stays in the group.")
    title = discord.utils.escape_markdown(session.title) if session.title else t.gettext("A case from the group")
    embed = discord.Embed(
        title=t.gettext("Balint session · {group}", group=discord.utils.escape_markdown(group.name)),
        description=t.gettext("**Case:** {case}\n**Presenter:** {presenter}", case=title,
                              presenter=presenter_text(session, t)),
        colour=BRAND if state.status is not Status.ENDED else discord.Colour.dark_grey(),
    )
    embed.add_field(name=t.gettext("Phases"), value="\n".join(lines), inline=False)
    embed.add_field(name=t.gettext("Now"), value=timing, inline=False)
    add_fields(embed, session, lists, t)
    guidance = phase_guidance(current, t)
    if state.status is not Status.ENDED and guidance:
        embed.add_field(name=t.gettext("Guidance"), value=guidance, inline=False)
    embed.set_footer(text=t.gettext("Template: {template}", template=session.template))
    return embed


def phase_message(phases: tuple[Phase, ...], state: SessionState, lang: Lang = Lang.EN) -> str:
    """Announce the phase that begins, with its guidance."""
    t = translator(lang)
    phase = phases[state.phase_index]
    assert state.deadline is not None
    return t.gettext(
        "**Phase {number} of {count}: {phase}** · {minutes} min, ends {when}\n>>> {guidance}",
        number=state.phase_index + 1, count=len(phases), phase=phase_name(phase, t), minutes=phase.minutes,
        when=discord.utils.format_dt(state.deadline, "R"), guidance=phase_guidance(phase, t),
    )


def warning_message(phase: Phase, minutes: int, lang: Lang = Lang.EN) -> str:
    """Tell the group the phase is nearly over."""
    t = translator(lang)
    return t.ngettext("⏳ **{minutes} minute** left in {phase}.", "⏳ **{minutes} minutes** left in {phase}.",
                      minutes, minutes=minutes, phase=phase_name(phase, t))


def time_up_message(phase: Phase, *, auto: bool, closes: bool, lang: Lang = Lang.EN) -> str:
    """Tell the group the phase's time is up, and what happens next (`closes`: moving on ends the session)."""
    t = translator(lang)
    name = phase_name(phase, t)
    if auto and closes:
        return t.gettext("⏰ Time is up for **{phase}**. The session closes now.", phase=name)
    if auto:
        return t.gettext("⏰ Time is up for **{phase}**. Moving on.", phase=name)
    if closes:
        return t.gettext("⏰ Time is up for **{phase}**. The leader ends the session when ready.", phase=name)
    return t.gettext("⏰ Time is up for **{phase}**. The leader moves on with Next.", phase=name)


def after_time_up(time_up: Notice, then: Notice) -> Notice:
    """Put the time-up and what it moves on to (the next phase's guidance, or the closing) in one message.

    One notice, under the nonce and with the buttons of the second: a self-running session
    posts one message per phase, not two.
    """
    return replace(then, content=f"{time_up.content}\n{then.content}")


CLOSING = N_(
    "The session has ended. Thank you, everyone.\n"
    "**What is said in the group stays in the group**, and patients are never named. "
    "How was this session for you? Your answer is anonymous."
)


def closing_message(lang: Lang = Lang.EN) -> str:
    """Close the session in the group's channel: thanks, the frame, and the invitation to give feedback."""
    return translator(lang).gettext(CLOSING)


class SessionButton(PersistentButton, custom=CustomId("balint:s:{session}:{action}", session=int,
                                                      action=ControlAction)):
    """A control on the session panel; the session id and the action live in its custom id."""

    def __init__(self, *, session: int, action: ControlAction, lang: Lang = Lang.EN) -> None:
        label = translator(lang).gettext(LABELS[action], minutes=EXTEND_BUTTON_MINUTES)
        super().__init__(label=label, style=STYLES.get(action, discord.ButtonStyle.secondary),
                         session=session, action=action)
        self.session_id = session
        self.action = action

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Apply the control for a leader; refuse anyone else privately."""
        bot = cast("BalintBot", interaction.client)
        session, group = await bot.sessions.session_by_id(self.session_id)
        minutes = EXTEND_BUTTON_MINUTES if self.action is ControlAction.EXTEND else None
        await bot.sessions.control(interaction, session, group, self.action, minutes=minutes)


def panel_view(session: Session, lang: Lang = Lang.EN) -> discord.ui.View | None:
    """Hold the panel's buttons, or none once the session ended."""
    if session.state.status is Status.ENDED:
        return None
    view = discord.ui.View(timeout=None)
    toggle = ControlAction.RESUME if session.state.status is Status.PAUSED else ControlAction.PAUSE
    for action in (toggle, ControlAction.EXTEND, ControlAction.NEXT, ControlAction.BACK, ControlAction.END):
        view.add_item(SessionButton(session=session.id, action=action, lang=lang))
    # The second row: the hands while the group speaks, and the anonymous presenter's form.
    for button in hand_buttons(session, lang):
        view.add_item(button)
    if session.anonymous:
        view.add_item(SpeakButton(session=session.id, lang=lang))
    return view


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (SessionButton, HandButton)


DONE = {
    ControlAction.PAUSE: N_("Paused in {phase}."),
    ControlAction.RESUME: N_("Resumed {phase}."),
    ControlAction.EXTEND: N_("{phase} extended."),
    ControlAction.NEXT: N_("Moved on to {phase}."),
    ControlAction.BACK: N_("Back to {phase}."),
    ControlAction.END: N_("The session has ended."),
}


def done_message(action: ControlAction, session: Session, lang: Lang = Lang.EN) -> str:
    """Confirm a control given by command, privately (a click shows in the panel itself), in the caller's language."""
    t = translator(lang)
    return t.gettext(DONE[action], phase=phase_name(session.current_phase, t))
