"""Sessions, end to end: the panel, the phases in time, the leader's controls, the push-back mute."""

from __future__ import annotations

import itertools
from pathlib import Path

import discord
import pytest

from bot.core.phases import BUILTIN_TEMPLATES, build_template
from tests.e2e.conftest import Harness, Server, running
from tests.support.sessions import (
    MIN,
    count_messages,
    is_muted,
    now_field,
    ready_group,
    session_panel,
    skip_opening,
)


def _phase_lines(panel: discord.Message) -> list[str]:
    return next(str(f.value) for f in panel.embeds[0].fields if f.name == "Phases").splitlines()


async def test_a_whole_classic_session(harness: Harness, server: Server) -> None:
    """Start, warnings and time-ups in virtual time, Next through every phase, End with the closing."""
    leader, ada = await ready_group(server)
    started = await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    assert started.ephemeral
    assert started.response.content == f"The session started; its panel is in {server.text.mention}."
    panel = session_panel(server)
    assert f"**Presenter:** {ada.mention}" in panel.embeds[0].description
    assert _phase_lines(panel)[0].startswith("▶ **Opening** · 3 min")
    assert _phase_lines(panel)[1] == "· Presentation · 5 min"
    assert "ends <t:" in now_field(panel)
    assert server.text.last_message.content.startswith("**Phase 1 of 6: Opening** · 3 min")

    skipped = await leader.click(session_panel(server), label="Next")  # the leader skips the opening
    assert skipped.acknowledged and not skipped.ephemeral
    panel = session_panel(server)
    assert _phase_lines(panel)[0].startswith("✓ Opening")
    assert _phase_lines(panel)[1].startswith("▶ **Presentation**")
    assert server.text.last_message.content.startswith("**Phase 2 of 6: Presentation** · 5 min")
    assert count_messages(server, "⏰") == 0, "a skipped opening owes no time-up"

    await harness.env.advance_time(3 * MIN)
    assert server.text.last_message.content == "⏳ **2 minutes** left in Presentation."
    await harness.env.advance_time(2 * MIN)
    assert server.text.last_message.content == "⏰ Time is up for **Presentation**. The leader moves on with Next."
    await harness.env.advance_time(10 * MIN)
    assert server.text.last_message.content.startswith("⏰ Time is up"), "nothing more until the leader acts"

    classic = BUILTIN_TEMPLATES["classic"]
    for number, phase in enumerate(classic.phases[2:], start=3):
        clicked = await leader.click(session_panel(server), label="Next")
        assert clicked.acknowledged and not clicked.ephemeral
        panel = session_panel(server)
        assert _phase_lines(panel)[number - 1].startswith(f"▶ **{phase.name}**")
        assert server.text.last_message.content.startswith(f"**Phase {number} of 6: {phase.name}**")
        assert is_muted(server, ada) is phase.pushback, phase.name

    assert not is_muted(server, ada)
    ended = await leader.click(session_panel(server), label="End")
    assert ended.acknowledged
    panel = session_panel(server)
    assert panel.components == []
    assert "Ended" in now_field(panel)
    closing = server.text.last_message
    assert "What is said in the group stays in the group" in closing.content
    labels = [c.label for c in closing.components[0].children]
    assert labels == ["Give feedback (anonymous)", "Results (leaders)"]
    assert harness.rows("SELECT status, phase_index FROM sessions") == [("ended", 5)]


@pytest.mark.parametrize("template", ["residency", "double", "psychodrama"])
async def test_every_builtin_template_runs_through(harness: Harness, server: Server, template: str) -> None:
    """Each template runs phase by phase on time alone with auto-advance, muting in its push-back."""
    leader, ada = await ready_group(server, template=template)
    await leader.slash(server.text, "group config", group="Alpha", auto_advance=True)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    phases = BUILTIN_TEMPLATES[template].phases
    for index, phase in enumerate(phases):
        lines = _phase_lines(session_panel(server))
        assert lines[index].startswith(f"▶ **{phase.name}**"), (index, lines)
        assert is_muted(server, ada) is phase.pushback
        await harness.env.advance_time(phase.minutes * MIN)
    assert harness.rows("SELECT status FROM sessions") == [("ended",)]
    assert session_panel(server).components == []
    assert not is_muted(server, ada)


async def test_a_self_running_session_posts_one_message_per_phase(harness: Harness, server: Server) -> None:
    """Auto-advance: each time-up and what it moves on to are one message, each once; the last carries the closing."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "group config", group="Alpha", auto_advance=True)
    before = {m.id for m in server.text.history()}
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    classic = BUILTIN_TEMPLATES["classic"].phases
    await harness.env.advance_time(sum(phase.minutes for phase in classic) * MIN)
    texts = [m.content for m in server.text.history() if not m.embeds and m.id not in before]
    count = len(classic)
    for number, (ending, beginning) in enumerate(itertools.pairwise(classic), start=2):
        together = f"⏰ Time is up for **{ending.name}**. Moving on.\n**Phase {number} of {count}: {beginning.name}**"
        assert sum(text.startswith(together) for text in texts) == 1, number
        assert sum(f"**Phase {number} of {count}:" in text for text in texts) == 1, "no second message for the phase"
    closing = [m for m in server.text.history() if m.content.startswith("⏰ Time is up for **Closing**")]
    assert len(closing) == 1
    assert "The session closes now.\nThe session has ended. Thank you, everyone." in closing[0].content
    assert [c.label for c in closing[0].components[0].children] == ["Give feedback (anonymous)", "Results (leaders)"]
    # The first phase's guidance, a warning for each phase but the opening longer than the 2-minute warning, every
    # later phase begun with the time-up before it, and the closing with its own.
    warned = sum(1 for phase in classic if phase.minutes > 2 and not phase.opening)
    assert sum(text.startswith("⏳") for text in texts) == warned
    assert len(texts) == 1 + warned + (count - 1) + 1
    assert harness.rows("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]


async def test_the_sweep_sends_what_a_lost_timer_owed_once(
        harness: Harness, server: Server) -> None:
    """A session whose wake-up was lost gets its warning from the next sweep, once, and its time-up on time."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)
    harness.bot.timers.cancel("session:1")  # as a timer lost with a suspended host
    await harness.env.advance_time(4 * MIN)  # the warning was due at 3:00; the sweep comes every minute
    assert count_messages(server, "⏳ **2 minutes** left in Presentation.") == 1
    await harness.env.advance_time(MIN)
    assert count_messages(server, "⏳") == 1
    assert count_messages(server, "⏰ Time is up for **Presentation**") == 1, "the sweep set the next wake-up"


async def test_pause_keeps_the_time_left_and_resume_gives_it_back(harness: Harness, server: Server) -> None:
    """Paused at 4:00 of 5:00, the phase has 1:00 left for as long as the pause lasts."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)
    await harness.env.advance_time(4 * MIN)
    paused = await leader.click(session_panel(server), label="Pause")
    assert paused.acknowledged
    assert now_field(session_panel(server)) == "**Paused** in Presentation, 1:00 left"
    assert session_panel(server).components[0].children[0].label == "Resume"
    await harness.env.advance_time(30 * MIN)
    assert count_messages(server, "⏰") == 0
    command = await leader.slash(server.text, "session resume")
    assert command.ephemeral and command.response.content == "Resumed Presentation."
    await harness.env.advance_time(59)
    assert count_messages(server, "⏰") == 0
    await harness.env.advance_time(1)
    assert count_messages(server, "⏰") == 1


async def test_extend_after_time_up_owes_a_new_time_up(harness: Harness, server: Server) -> None:
    """+2 min after the time-up gives two minutes from now, and a second time-up then."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)
    await harness.env.advance_time(7 * MIN)
    assert count_messages(server, "⏰") == 1
    await leader.click(session_panel(server), label="+2 min")
    await harness.env.advance_time(2 * MIN - 1)
    assert count_messages(server, "⏰") == 1
    await harness.env.advance_time(1)
    assert count_messages(server, "⏰") == 2
    extended = await leader.slash(server.text, "session extend", minutes=10)
    assert extended.response.content == "Presentation extended."
    await harness.env.advance_time(8 * MIN)
    assert count_messages(server, "⏳") == 2, "a phase extended past the warning window warns again"


async def test_back_and_next_at_the_edges(harness: Harness, server: Server) -> None:
    """Back from the first phase and Next from the last are refused; both move one phase otherwise."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    first = await leader.click(session_panel(server), label="Back")
    assert first.ephemeral
    assert first.response.content == "This is the first phase; there is nothing to go back to."
    for _ in range(5):
        await leader.slash(server.text, "session next")
    last = await leader.slash(server.text, "session next")
    assert last.response.content == "This is the last phase; use End to close the session."
    back = await leader.slash(server.text, "session back")
    assert back.response.content == "Back to Presenter returns."
    assert _phase_lines(session_panel(server))[4].startswith("▶ **Presenter returns**")
    assert count_messages(server, "**Phase 5 of 6") == 2


async def test_bad_control_values_are_refused(harness: Harness, server: Server) -> None:
    """Minutes out of range, a second pause, controls with no session: private refusals."""
    leader, ada = await ready_group(server)
    none_yet = await leader.slash(server.text, "session pause")
    assert none_yet.response.content == "Alpha has no session running; a leader starts one with /session start."
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    for minutes in (0, 31, -5):
        result = await leader.slash(server.text, "session extend", minutes=minutes)
        assert result.ephemeral
        assert result.response.content == "A phase can be extended by 1 to 30 minutes at a time."
    await leader.slash(server.text, "session pause")
    again = await leader.slash(server.text, "session pause")
    assert again.response.content == "The session is already paused; press Resume to go on."
    twice = await leader.slash(server.text, "session start", group="Alpha")
    assert twice.response.content == "Alpha already has a session running; end it before starting another."
    elsewhere = server.guild.create_text_channel("lobby")
    status = await server.members[3].slash(elsewhere, "session status")
    assert status.response.content == "Run this in the text channel of the group whose session you mean."
    led = await leader.slash(elsewhere, "session resume")
    assert led.response.content == "Resumed Opening.", "a leader's one live session is found anywhere"
    assert harness.rows("SELECT count(*) FROM sessions") == [(1,)]


async def test_start_refusals(harness: Harness, server: Server) -> None:
    """Only leaders start; the presenter must belong to the group; the template must exist."""
    leader, _ = await ready_group(server)
    member = await server.members[1].slash(server.text, "session start", group="Alpha")
    assert member.response.content == "Only the leaders of Alpha control its sessions; ask a leader."
    outsider = server.guild.add_member(harness.env.create_user("outsider"))
    result = await leader.slash(server.text, "session start", group="Alpha", presenter=outsider)
    assert result.response.content == f"{outsider.mention} is not a member of Alpha; they join with /group join first."
    unknown = await leader.slash(server.text, "session start", group="Alpha", template="marathon")
    assert unknown.response.content.startswith("There is no template called 'marathon'")
    assert harness.rows("SELECT count(*) FROM sessions") == [(0,)]


@pytest.mark.parametrize("label", ["Pause", "+2 min", "Next", "Back", "End"])
async def test_members_cannot_press_the_leaders_buttons(harness: Harness, server: Server, label: str) -> None:
    """Every panel button refuses a member privately and changes nothing."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await leader.slash(server.text, "session next")
    before = harness.rows("SELECT status, phase_index, deadline, version FROM sessions")
    pressed = await server.members[2].click(session_panel(server), label=label)
    assert pressed.ephemeral
    assert pressed.response.content == "Only the leaders of Alpha control its sessions; ask a leader."
    assert harness.rows("SELECT status, phase_index, deadline, version FROM sessions") == before
    status = await server.members[2].slash(server.text, "session status")
    assert status.ephemeral and status.response.embeds[0].title == "Balint session · Alpha"


async def test_two_groups_run_sessions_at_once(harness: Harness, server: Server) -> None:
    """Each group's timers and panel are its own."""
    leader, ada = await ready_group(server)
    text2 = server.guild.create_text_channel("balint-2")
    voice2 = server.guild.create_voice_channel("Room 2")
    await leader.slash(text2, "group create", name="Beta", text_channel=text2, voice_channel=voice2,
                       template="residency")
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)
    await harness.env.advance_time(2 * MIN)
    await leader.slash(text2, "session start", group="Beta")
    await skip_opening(server, leader, text2)
    await harness.env.advance_time(3 * MIN)
    assert count_messages(server, "⏰ Time is up for **Presentation**") == 1
    assert not any(m.content.startswith("⏰") for m in text2.history())
    await leader.slash(text2, "session pause")
    assert now_field(session_panel(server)).startswith("**Presentation** ends")
    await harness.env.advance_time(2 * MIN)
    assert not any(m.content.startswith("⏰") for m in text2.history())
    assert harness.rows("SELECT status FROM sessions ORDER BY id") == [("running",), ("paused",)]


async def test_presenter_leaving_voice_in_the_push_back_is_unmuted_when_back(
    harness: Harness, server: Server
) -> None:
    """A mute cannot be lifted out of voice: the presenter is unmuted on their next join."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)
    await leader.slash(server.text, "session next")
    await leader.slash(server.text, "session next")
    assert is_muted(server, ada)
    await ada.leave_voice()
    await leader.slash(server.text, "session next")
    assert harness.rows("SELECT user_id FROM voice_mutes") == [(ada.id,)]
    await ada.join_voice(server.voice)
    assert not is_muted(server, ada)
    assert harness.rows("SELECT user_id FROM voice_mutes") == []


async def test_presenter_joining_during_the_push_back_is_muted(harness: Harness, server: Server) -> None:
    """Out of voice when the discussion starts, the presenter is muted as they join."""
    leader, ada = await ready_group(server)
    await ada.leave_voice()
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)
    await leader.slash(server.text, "session next")
    await leader.slash(server.text, "session next")
    await ada.join_voice(server.voice)
    assert is_muted(server, ada)
    await leader.slash(server.text, "session end")
    assert not is_muted(server, ada)


async def test_pushback_off_never_mutes(harness: Harness, server: Server) -> None:
    """With pushback = off, the discussion starts without a mute."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "group config", group="Alpha", pushback="off")
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)
    await leader.slash(server.text, "session next")
    await leader.slash(server.text, "session next")
    assert _phase_lines(session_panel(server))[3].startswith("▶ **Discussion")
    assert not is_muted(server, ada)


async def test_a_missing_mute_permission_is_told_once_and_the_session_goes_on(
    harness: Harness, server: Server
) -> None:
    """Without Mute Members the leaders are told once, by name of the permission; phases still move."""
    # Arrange: the bot's own role loses Mute Members (SimCord has no builder to edit a role).
    backend = harness.env.backend
    guild = backend.get_guild(server.guild.id)
    bot_role = next(r for r in guild.roles.values() if r.managed)
    bot_role.permissions &= ~discord.Permissions(mute_members=True).value
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await skip_opening(server, leader)
    await leader.slash(server.text, "session next")
    await leader.slash(server.text, "session next")
    told = [m for m in server.text.history() if "Mute Members" in m.content]
    assert len(told) == 1 and told[0].content.startswith(leader.mention)
    assert not is_muted(server, ada)
    await leader.slash(server.text, "session back")
    await leader.slash(server.text, "session next")
    assert len([m for m in server.text.history() if "Mute Members" in m.content]) == 1
    assert _phase_lines(session_panel(server))[3].startswith("▶ **Discussion")


@pytest.mark.parametrize(("command", "options"), [
    ("session pause", {}), ("session resume", {}), ("session next", {}), ("session back", {}),
    ("session end", {}), ("session extend", {"minutes": 5}),
])
async def test_members_cannot_run_the_leaders_commands(
    harness: Harness, server: Server, command: str, options: dict[str, object]
) -> None:
    """Every control command refuses a member privately and changes nothing."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    before = harness.rows("SELECT status, phase_index, deadline, version FROM sessions")
    result = await server.members[3].slash(server.text, command, **options)
    assert result.ephemeral
    assert result.response.content == "Only the leaders of Alpha control its sessions; ask a leader."
    assert harness.rows("SELECT status, phase_index, deadline, version FROM sessions") == before


async def test_a_custom_template_from_config_runs(tmp_path: Path) -> None:
    """A template from config.toml is offered, chosen at /session start, and runs with its push-back."""
    short = build_template("short", {"title": "Short case", "phases": [
        {"name": "Story", "minutes": 4, "speaker": "presenter", "guidance": "Tell it."},
        {"name": "Talk", "minutes": 6, "speaker": "group", "pushback": True, "guidance": "Listen."},
    ]})
    async for harness in running(Harness(tmp_path, settings={"templates": (short,)})):
        server = harness.server()
        leader, ada = await ready_group(server)
        offered = await leader.autocomplete(server.text, "session start", "template", "sh", group="Alpha")
        assert offered == [{"name": "short: Short case (10 min)", "value": "short"}]
        await leader.slash(server.text, "session start", group="Alpha", template="short", presenter=ada)
        assert _phase_lines(session_panel(server)) == ["▶ **Story** · 4 min", "· Talk · 6 min"]
        await leader.click(session_panel(server), label="Next")
        assert is_muted(server, ada)
        await harness.env.advance_time(6 * MIN)
        assert count_messages(server, "⏰ Time is up for **Talk**. The leader ends the session when ready.") == 1
        await leader.click(session_panel(server), label="End")
        assert not is_muted(server, ada)


async def test_a_channel_the_bot_cannot_post_in_does_not_stop_the_session(harness: Harness, server: Server) -> None:
    """Without Send Messages the leader gets the panel privately, the leaders are told once by DM, time runs on."""
    leader, _ = await ready_group(server)
    bot_member = server.guild.me
    assert bot_member is not None
    mute = server.guild.create_text_channel(
        "silent", overwrites={bot_member: discord.PermissionOverwrite(send_messages=False)})
    await leader.slash(server.text, "group create", name="Quiet", text_channel=mute,
                       voice_channel=server.guild.create_voice_channel("Quiet Room"))
    started = await leader.slash(server.text, "session start", group="Quiet")
    assert started.ephemeral
    assert started.response.content.startswith("The session started, but I could not post its panel in")
    assert started.response.embeds[0].title == "Balint session · Quiet"
    assert mute.last_message is None
    told = leader.user.dm_channel.last_message
    assert told is not None and "I need View Channel and Send Messages there" in told.content
    await harness.env.advance_time(5 * MIN)
    assert harness.rows("SELECT warned, timed_up FROM sessions") == [(1, 1)]
    dms = [m for m in leader.user.dm_channel.history() if m.author.bot]
    assert len(dms) == 1, "told once, not at every notice"
    pressed = await leader.click(started.response.message, label="Next")
    assert pressed.ephemeral and pressed.response.content == "Moved on to Presentation."
    # discord.py opened the DM, with the leader's id as a JSON number: the harness holds that body
    # to Discord's spec too, which takes a snowflake as a string or as an integer.
    opened = [r.json for r in harness.env.http_requests if (r.method, r.path) == ("POST", "/users/@me/channels")]
    assert opened == [{"recipient_id": leader.user.id}]
