"""The session panel, its buttons, and the short notices the bot posts as a session runs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.core.groups import Group
from bot.core.phases import Phase
from bot.core.session import ControlAction, PhaseClock, Session, SessionState, Status
from bot.discord_io.cases import SpeakButton
from bot.discord_io.components import CustomId, PersistentButton
from bot.discord_io.groups import BRAND

if TYPE_CHECKING:
    from bot.app import BalintBot

EXTEND_BUTTON_MINUTES = 2
LABELS = {
    ControlAction.PAUSE: "Pause", ControlAction.RESUME: "Resume", ControlAction.EXTEND: f"+{EXTEND_BUTTON_MINUTES} min",
    ControlAction.NEXT: "Next", ControlAction.BACK: "Back", ControlAction.END: "End",
}
STYLES = {ControlAction.END: discord.ButtonStyle.danger, ControlAction.NEXT: discord.ButtonStyle.primary,
          ControlAction.RESUME: discord.ButtonStyle.success}


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def presenter_text(session: Session) -> str:
    """Name the presenter: a mention, "the presenter" when anonymous, or who is still to be chosen."""
    if session.anonymous:
        return "the presenter"
    if session.presenter_id is not None:
        return f"<@{session.presenter_id}>"
    return "chosen in the opening"


def panel_embed(session: Session, group: Group, now: datetime) -> discord.Embed:
    """Render the panel: case, presenter, every phase with the current one marked, time and guidance."""
    state = session.state
    current = session.current_phase
    lines = []
    for index, phase in enumerate(session.phases):
        if state.status is Status.ENDED or index < state.phase_index:
            lines.append(f"✓ {phase.name} · {phase.minutes} min")
        elif index == state.phase_index:
            lines.append(f"▶ **{phase.name}** · {phase.minutes} min")
        else:
            lines.append(f"· {phase.name} · {phase.minutes} min")
    if state.status is Status.RUNNING:
        assert state.deadline is not None
        timing = f"**{current.name}** ends {discord.utils.format_dt(state.deadline, 'R')}"
    elif state.status is Status.PAUSED:
        timing = f"**Paused** in {current.name}, {_clock(PhaseClock.remaining(state, now))} left"
    else:
        timing = "**Ended.** What is said in the group stays in the group."
    title = discord.utils.escape_markdown(session.title) if session.title else "A case from the group"
    embed = discord.Embed(
        title=f"Balint session · {discord.utils.escape_markdown(group.name)}",
        description=f"**Case:** {title}\n**Presenter:** {presenter_text(session)}",
        colour=BRAND if state.status is not Status.ENDED else discord.Colour.dark_grey(),
    )
    embed.add_field(name="Phases", value="\n".join(lines), inline=False)
    embed.add_field(name="Now", value=timing, inline=False)
    if state.status is not Status.ENDED and current.guidance:
        embed.add_field(name="Guidance", value=current.guidance, inline=False)
    embed.set_footer(text=f"Template: {session.template}")
    return embed


def phase_message(phases: tuple[Phase, ...], state: SessionState) -> str:
    """Announce the phase that begins, with its guidance."""
    phase = phases[state.phase_index]
    assert state.deadline is not None
    return (
        f"**Phase {state.phase_index + 1} of {len(phases)}: {phase.name}** · {phase.minutes} min,"
        f" ends {discord.utils.format_dt(state.deadline, 'R')}\n>>> {phase.guidance}"
    )


def warning_message(phase: Phase, minutes: int) -> str:
    """Tell the group the phase is nearly over."""
    unit = "minute" if minutes == 1 else "minutes"
    return f"⏳ **{minutes} {unit}** left in {phase.name}."


def time_up_message(phase: Phase, *, auto: bool, closes: bool) -> str:
    """Tell the group the phase's time is up, and what happens next (`closes`: moving on ends the session)."""
    if auto:
        then = " The session closes now." if closes else " Moving on."
    else:
        then = " The leader ends the session when ready." if closes else " The leader moves on with Next."
    return f"⏰ Time is up for **{phase.name}**.{then}"


CLOSING = (
    "The session has ended. Thank you, everyone.\n"
    "**What is said in the group stays in the group**, and patients are never named. "
    "How was this session for you? Your answer is anonymous."
)


class SessionButton(PersistentButton, custom=CustomId("balint:s:{session}:{action}", session=int,
                                                      action=ControlAction)):
    """A control on the session panel; the session id and the action live in its custom id."""

    def __init__(self, *, session: int, action: ControlAction) -> None:
        super().__init__(label=LABELS[action], style=STYLES.get(action, discord.ButtonStyle.secondary),
                         session=session, action=action)
        self.session_id = session
        self.action = action

    async def press(self, interaction: discord.Interaction[Any]) -> None:
        """Apply the control for a leader; refuse anyone else privately."""
        bot = cast("BalintBot", interaction.client)
        session, group = await bot.sessions.session_by_id(self.session_id)
        minutes = EXTEND_BUTTON_MINUTES if self.action is ControlAction.EXTEND else None
        await bot.sessions.control(interaction, session, group, self.action, minutes=minutes)


def panel_view(session: Session) -> discord.ui.View | None:
    """Hold the panel's buttons, or none once the session ended."""
    if session.state.status is Status.ENDED:
        return None
    view = discord.ui.View(timeout=None)
    toggle = ControlAction.RESUME if session.state.status is Status.PAUSED else ControlAction.PAUSE
    for action in (toggle, ControlAction.EXTEND, ControlAction.NEXT, ControlAction.BACK, ControlAction.END):
        view.add_item(SessionButton(session=session.id, action=action))
    if session.anonymous:
        view.add_item(SpeakButton(session=session.id))
    return view


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (SessionButton,)


DONE = {
    ControlAction.PAUSE: "Paused in {phase}.",
    ControlAction.RESUME: "Resumed {phase}.",
    ControlAction.EXTEND: "{phase} extended.",
    ControlAction.NEXT: "Moved on to {phase}.",
    ControlAction.BACK: "Back to {phase}.",
    ControlAction.END: "The session has ended.",
}


def done_message(action: ControlAction, session: Session) -> str:
    """Confirm a control given by command, privately (a click shows in the panel itself)."""
    return DONE[action].format(phase=session.current_phase.name)
