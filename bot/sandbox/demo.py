"""The scripted demo (`python -m bot --demo`): a whole classic session and an anonymous one, as a transcript.

The classic session shows a dropout (the presenter's connection lost, the group waiting for her)
and ends with the leaders' debrief, sent to each leader privately.

Each step acts as the demo group's people through the real bot, inside a running SimCord env,
and the transcript prints what they did and what the bot showed them, and to whom.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from bot.discord_io.replies import refusal_in
from bot.sandbox import CONNECT_HINT, say
from bot.sandbox.transcript import Transcript, shown
from bot.sandbox.world import SandboxError, SandboxWorld, build_world

if TYPE_CHECKING:
    from simcord import Env, MemberActor


@dataclass(frozen=True)
class Step:
    """One part of the demo: a heading, and what people do in it."""

    title: str
    act: Callable[[SandboxWorld], Awaitable[object]]


async def _member_reads_info(world: SandboxWorld) -> None:
    await world.slash(world.members[0], "group info", {"group": world.group_name})


async def _member_reads_help(world: SandboxWorld) -> None:
    await world.slash(world.members[1], "balint help", fields=2)


async def _member_tries_config(world: SandboxWorld) -> None:
    await world.slash(world.members[2], "group config", {"group": world.group_name, "auto_advance": True})


async def _leader_adds_coleader(world: SandboxWorld) -> None:
    await world.slash(world.leader, "group coleader", {"group": world.group_name, "member": world.members[0]})


async def _coleader_configures(world: SandboxWorld) -> None:
    await world.slash(world.members[0], "group config", {"group": world.group_name, "auto_advance": False})


def _panel(world: SandboxWorld) -> discord.Message:
    panel = world.bot_message_with("balint:s:")
    if panel is None:
        raise SandboxError("the session panel is not in the channel")
    return panel


def _session_id(panel: discord.Message) -> str:
    control = next(c.custom_id for c in shown(panel).controls if (c.custom_id or "").startswith("balint:s:"))
    return (control or "").split(":")[2]


async def _press(world: SandboxWorld, action: str) -> None:
    """Press a panel button, as the leader."""
    panel = _panel(world)
    await world.click(world.leader, panel, f"balint:s:{_session_id(panel)}:{action}")


async def _hand(world: SandboxWorld, person: MemberActor, action: str = "raise") -> None:
    """Press Raise hand as a person (again, to lower it), or Next speaker ("next")."""
    panel = _panel(world)
    await world.click(person, panel, f"balint:hand:{_session_id(panel)}:{action}")


async def _show_panel(world: SandboxWorld) -> None:
    """Let the panel's paced edit land (a second or two), and show it as the group sees it."""
    await world.env.advance_time(2)
    world.show(_panel(world), "the panel")


async def _presenter_comes_into_voice(world: SandboxWorld) -> None:
    await world.join_voice(world.members[0])


async def _leader_starts_the_session(world: SandboxWorld) -> None:
    await world.slash(world.leader, "session start", {"group": world.group_name, "presenter": world.members[0]})


async def _opening(world: SandboxWorld) -> None:
    await world.wait(1)
    await _press(world, "next")


async def _presentation(world: SandboxWorld) -> None:
    await world.wait(3)
    await world.wait(2)


async def _questions(world: SandboxWorld) -> None:
    await _press(world, "next")
    ada, ben, chloe, dev, _ = world.members
    for member in (ben, chloe, dev):
        await _hand(world, member)
    await _show_panel(world)
    await _hand(world, world.leader, "next")
    await _hand(world, chloe)  # pressed again: her hand goes down
    await _hand(world, ada)  # the presenter answers questions: she may ask for the floor too
    await _show_panel(world)
    await world.wait(2)


async def _dropout(world: SandboxWorld) -> None:
    await world.leave_voice(world.members[0])
    await world.wait(1)
    await world.join_voice(world.members[0])
    await _press(world, "resume")
    await world.wait(2)


async def _discussion(world: SandboxWorld) -> None:
    await _press(world, "next")
    ada, _, _, _, eve = world.members
    await _hand(world, ada)  # pushed back: the presenter listens
    await _hand(world, eve)
    await _hand(world, world.leader, "next")
    await world.wait(10)
    await _press(world, "pause")
    await world.wait(2)
    await _press(world, "resume")
    await world.wait(13)
    await _press(world, "extend")
    await world.wait(2)


async def _return(world: SandboxWorld) -> None:
    await _press(world, "next")
    await world.wait(7)


async def _closing(world: SandboxWorld) -> None:
    await _press(world, "next")
    await world.wait(3)
    await _press(world, "end")


async def _feedback(world: SandboxWorld) -> None:
    closing = world.bot_message_with("balint:fb:")
    if closing is None:
        raise SandboxError("no closing message with the feedback buttons")
    for member, rating in zip(world.members[1:4], ("5", "4", "4"), strict=True):
        form = await world.click(member, closing, "balint:fb:")
        await world.submit(member, form, {"rating": [rating], "comment": ""})
    results = next(c.custom_id for c in shown(closing).controls if (c.custom_id or "").endswith(":results"))
    await world.click(world.leader, closing, results or "")


async def _anonymous_case(world: SandboxWorld) -> None:
    form = await world.slash(world.members[1], "case propose", {"group": world.group_name, "anonymous": True})
    await world.submit(world.members[1], form, {
        "title": "The patient I dread on Mondays", "story": "He shouts at the front desk, then is sweet with me.",
    })


async def _anonymous_session(world: SandboxWorld) -> None:
    leader = world.leader
    choices = await leader.autocomplete(world.text, "session start", "case", "", group=world.group_name)
    await world.slash(leader, "session start", {"group": world.group_name, "case": choices[0]["value"]})
    await _press(world, "next")
    await world.dm(world.members[1], "He was my very first patient here, twelve years ago.")
    await _press(world, "next")
    await _hand(world, world.members[2])
    await _hand(world, world.members[1])  # the anonymous presenter: told privately, and nothing shows
    await _show_panel(world)
    await world.dm(world.members[1], "No, he always comes alone.")
    await _press(world, "next")
    await world.dm(world.members[1], "Can I add something?")
    await _press(world, "next")
    await world.dm(world.members[1], "What struck me is how much I dread him, and how much I like him.")
    await _press(world, "next")
    await _press(world, "end")


# The walk-through after the world is built; a step is a heading and a coroutine acting on
# the world.
DEMO_STEPS: Sequence[Step] = (
    Step("A member looks at the group", _member_reads_info),
    Step("A member asks for help (first sections)", _member_reads_help),
    Step("A member tries to change the group's settings", _member_tries_config),
    Step("The leader makes Dr Ada co-leader", _leader_adds_coleader),
    Step("The co-leader changes a setting back", _coleader_configures),
    Step("A classic session: Dr Ada, the presenter, comes into voice", _presenter_comes_into_voice),
    Step("The leader starts the session", _leader_starts_the_session),
    Step("Opening (3 minutes): who has a case? The leader skips on with Next", _opening),
    Step("Presentation (5 minutes)", _presentation),
    Step("Clarifying questions (5 minutes): members raise hands, the leader gives the floor", _questions),
    Step("Dr Ada's connection drops: after a minute the bot pauses the session; the group waits for her", _dropout),
    Step("Discussion: the presenter is pushed back and listens, muted (25 minutes)", _discussion),
    Step("The presenter returns (7 minutes)", _return),
    Step("Closing (3 minutes); then each leader gets the session's debrief privately", _closing),
    Step("Three members give anonymous feedback: it follows to the leaders; the leader reads it", _feedback),
    Step("Dr Ben proposes a case anonymously", _anonymous_case),
    Step("A session on the anonymous case: the presenter speaks only through the bot, and raises no hand",
         _anonymous_session),
)


async def play_demo(env: Env, steps: Sequence[Step] = DEMO_STEPS) -> int:
    """Build the demo group and play the steps, printing each action and what the bot showed."""
    say("balint-bot demo: the real bot inside SimCord, a simulated Discord. Offline: no Discord")
    say("connection, nothing leaves this machine; a temporary database, deleted at the end.")
    say(f"Sandbox time starts at {env.now():%Y-%m-%d %H:%M} UTC.")
    say(CONNECT_HINT)
    transcript = Transcript(say)
    world = await build_world(env, transcript)
    for step in steps:
        transcript.heading(step.title)
        await step.act(world)
    # A refusal is an answer the demo asks for on purpose (a member tries a leader's command).
    errors = [error for error in env.errors if refusal_in(error) is None]
    if errors:
        print(f"demo: the bot raised {len(errors)} error(s):", file=sys.stderr)
        for error in errors:
            print(f"  {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    transcript.heading(f"Demo finished: {len(steps)} steps after setting up the group.")
    return 0
