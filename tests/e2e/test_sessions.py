"""Sessions, end to end: the panel, the phases in time, the leader's controls, the push-back mute."""

from __future__ import annotations

import discord
import pytest

from bot.core.phases import BUILTIN_TEMPLATES
from tests.e2e.conftest import Harness, Server

MIN = 60


def _muted(server: Server, member: object) -> bool:
    states = server.guild.voice_states()
    state = states.get(member.id)  # type: ignore[attr-defined]
    return bool(state and state.mute)


def _panel(server: Server) -> discord.Message:
    found = [m for m in server.text.history() if m.embeds and m.embeds[0].title.startswith("Balint session")]
    assert len(found) == 1, "one panel message per session"
    return found[0]


def _now_field(panel: discord.Message) -> str:
    return next(str(f.value) for f in panel.embeds[0].fields if f.name == "Now")


def _phase_lines(panel: discord.Message) -> list[str]:
    return next(str(f.value) for f in panel.embeds[0].fields if f.name == "Phases").splitlines()


async def _ready(server: Server, **group_options: object) -> tuple[object, object]:
    """Create the group led by the admin; Ada joins and sits in voice; return (leader, presenter)."""
    await server.create_group(**group_options)
    for member in server.members:
        await server.join(member)
    ada = server.members[0]
    await ada.join_voice(server.voice)
    return server.admin, ada


async def test_a_whole_classic_session(harness: Harness, server: Server) -> None:
    """Start, warnings and time-ups in virtual time, Next through every phase, End with the closing."""
    leader, ada = await _ready(server)
    started = await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    assert started.ephemeral
    assert started.response.content == f"The session started; its panel is in {server.text.mention}."
    panel = _panel(server)
    assert f"**Presenter:** {ada.mention}" in panel.embeds[0].description
    assert _phase_lines(panel)[0].startswith("▶ **Presentation**")
    assert "ends <t:" in _now_field(panel)
    assert server.text.last_message.content.startswith("**Phase 1 of 5: Presentation** · 5 min")

    await harness.env.advance_time(3 * MIN)
    assert server.text.last_message.content == "⏳ **2 minutes** left in Presentation."
    await harness.env.advance_time(2 * MIN)
    assert server.text.last_message.content == "⏰ Time is up for **Presentation**. The leader moves on with Next."
    await harness.env.advance_time(10 * MIN)
    assert server.text.last_message.content.startswith("⏰ Time is up"), "nothing more until the leader acts"

    classic = BUILTIN_TEMPLATES["classic"]
    for number, phase in enumerate(classic.phases[1:], start=2):
        clicked = await leader.click(_panel(server), label="Next")
        assert clicked.acknowledged and not clicked.ephemeral
        panel = _panel(server)
        assert _phase_lines(panel)[number - 1].startswith(f"▶ **{phase.name}**")
        assert server.text.last_message.content.startswith(f"**Phase {number} of 5: {phase.name}**")
        assert _muted(server, ada) is phase.pushback, phase.name

    assert not _muted(server, ada)
    ended = await leader.click(_panel(server), label="End")
    assert ended.acknowledged
    panel = _panel(server)
    assert panel.components == []
    assert "Ended" in _now_field(panel)
    closing = server.text.last_message
    assert "What is said in the group stays in the group" in closing.content
    labels = [c.label for c in closing.components[0].children]
    assert labels == ["Give feedback (anonymous)", "Results (leaders)"]
    assert harness.rows("SELECT status, phase_index FROM sessions") == [("ended", 4)]


@pytest.mark.parametrize("template", ["residency", "double", "psychodrama"])
async def test_every_builtin_template_runs_through(harness: Harness, server: Server, template: str) -> None:
    """Each template runs phase by phase on time alone with auto-advance, muting in its push-back."""
    leader, ada = await _ready(server, template=template)
    await leader.slash(server.text, "group config", group="Alpha", auto_advance=True)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    phases = BUILTIN_TEMPLATES[template].phases
    for index, phase in enumerate(phases):
        lines = _phase_lines(_panel(server))
        assert lines[index].startswith(f"▶ **{phase.name}**"), (index, lines)
        assert _muted(server, ada) is phase.pushback
        await harness.env.advance_time(phase.minutes * MIN)
    assert harness.rows("SELECT status FROM sessions") == [("ended",)]
    assert _panel(server).components == []
    assert not _muted(server, ada)
