"""Who may do what: every leader-only action, tried by each of five people, end to end.

The five: a server admin (Manage Server) who does not lead the group, a member, someone of the
server who did not join, a co-leader and the leader. Leaders and co-leaders may do every action;
admins only what the spec gives them (the group commands config, coleader and delete); nobody
else any. A refusal is a private line that changes nothing: not a row of the database, not a
message of the group's channel.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import discord
import pytest
import simcord

from tests.e2e.conftest import Harness, Server
from tests.support.cases import propose
from tests.support.checks import (
    answered_privately,
    changed_tables,
    database_rows,
    failures_since,
    one_line,
)
from tests.support.sessions import session_panel

ROLES = ("admin", "member", "non-member", "co-leader", "leader")
LEADERS = frozenset({"co-leader", "leader"})
ADMINS_TOO = LEADERS | {"admin"}


@dataclass
class Cast:
    """Alpha, created by the admin and led by Ada; Ben co-leads; Chloe and Dev joined; Eve did not."""

    harness: Harness
    server: Server

    @property
    def leader(self) -> simcord.MemberActor:
        return self.server.members[0]

    @property
    def presenter(self) -> simcord.MemberActor:
        return self.server.members[3]

    def who(self, role: str) -> simcord.MemberActor:
        ada, ben, chloe, _, eve = self.server.members
        return {"admin": self.server.admin, "leader": ada, "co-leader": ben, "member": chloe,
                "non-member": eve}[role]

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.harness.rows(sql)

    async def slash(self, actor: simcord.MemberActor, name: str, **options: Any) -> simcord.InteractionResult:
        return await actor.slash(self.server.text, name, **options)

    async def start(self, **options: Any) -> discord.Message:
        """Start a session on Dev (in voice), by the leader; return its panel."""
        await self.slash(self.leader, "session start", group="Alpha", **({"presenter": self.presenter} | options))
        return session_panel(self.server)


async def _cast(harness: Harness) -> Cast:
    server = harness.server()
    ada, ben, chloe, dev, _ = server.members
    await server.create_group(leader=ada)
    await ada.slash(server.text, "group coleader", group="Alpha", member=ben)
    for member in (chloe, dev):
        await server.join(member)
    await dev.join_voice(server.voice)
    return Cast(harness, server)


Prepare = Callable[[Cast], Awaitable[Any]]
Act = Callable[[Cast, simcord.MemberActor, Any], Awaitable[simcord.InteractionResult]]
Done = Callable[[Cast, simcord.InteractionResult], bool]


@dataclass(frozen=True)
class Action:
    """One leader-only action: what must be in place, doing it, and how its success shows."""

    name: str
    prepare: Prepare
    act: Act
    done: Done
    allowed: frozenset[str] = LEADERS


async def _nothing(cast: Cast) -> None:
    return None


async def _running(cast: Cast) -> discord.Message:
    return await cast.start()


async def _paused(cast: Cast) -> discord.Message:
    await cast.start()
    await cast.slash(cast.leader, "session pause")
    return session_panel(cast.server)


async def _second_phase(cast: Cast) -> discord.Message:
    await cast.start()
    await cast.slash(cast.leader, "session next")
    return session_panel(cast.server)


async def _coming_meeting(cast: Cast) -> str:
    await cast.slash(cast.leader, "meeting schedule", group="Alpha", start="tomorrow 19:00")
    (choice,) = await cast.leader.autocomplete(cast.server.text, "meeting cancel", "meeting", "")
    return str(choice["value"])


async def _past_meeting(cast: Cast) -> None:
    await cast.slash(cast.leader, "meeting schedule", group="Alpha", start="today 00:30", duration=15)
    await cast.harness.env.advance_time(3600)


async def _closing_with_three_answers(cast: Cast) -> discord.Message:
    await cast.start()
    await cast.slash(cast.leader, "session end")
    closing = cast.server.text.last_message
    for member in cast.server.members[1:4]:
        form = await member.click(closing, label="Give feedback (anonymous)")
        await member.submit_modal(form, {"rating": ["4"], "comment": ""})
    return closing


async def _relayed(cast: Cast) -> discord.Message:
    await propose(cast.server, cast.presenter, "The quiet one", anonymous=True)
    (choice,) = await cast.leader.autocomplete(cast.server.text, "session start", "case", "", group="Alpha")
    await cast.slash(cast.leader, "session start", group="Alpha", case=choice["value"])
    await cast.presenter.send_dm("He never says why he comes.")
    return cast.server.text.last_message


async def _hand_raised(cast: Cast) -> discord.Message:
    """A session in its opening, where the group speaks, with Chloe's hand raised."""
    raised = await cast.who("member").click(await cast.start(), label="Raise hand")
    assert raised.ephemeral, raised
    return session_panel(cast.server)


def _floor_given(cast: Cast, _: simcord.InteractionResult) -> bool:
    floor = f"{cast.who('member').mention}, you have the floor."
    return any(m.content == floor for m in cast.server.text.history())


def _status(cast: Cast) -> tuple[Any, ...]:
    return cast.rows("SELECT status, phase_index FROM sessions")[-1]


def _command(name: str, **options: Any) -> Act:
    async def act(cast: Cast, actor: simcord.MemberActor, _: Any) -> simcord.InteractionResult:
        return await cast.slash(actor, name, **options)
    return act


def _button(label: str) -> Act:
    async def act(cast: Cast, actor: simcord.MemberActor, panel: discord.Message) -> simcord.InteractionResult:
        return await actor.click(panel, label=label)
    return act


async def _coleader(cast: Cast, actor: simcord.MemberActor, _: Any) -> simcord.InteractionResult:
    return await cast.slash(actor, "group coleader", group="Alpha", member=cast.presenter)


async def _delete(cast: Cast, actor: simcord.MemberActor, _: Any) -> simcord.InteractionResult:
    """Ask, then confirm: a refusal comes at the asking, with no buttons to press."""
    asked = await cast.slash(actor, "group delete", group="Alpha")
    if asked.response is None or not asked.response.components:
        return asked
    return await actor.click(asked.response.message, label="Delete the group")


async def _cancel(cast: Cast, actor: simcord.MemberActor, meeting: str) -> simcord.InteractionResult:
    return await cast.slash(actor, "meeting cancel", meeting=meeting)


async def _results(cast: Cast, actor: simcord.MemberActor, closing: discord.Message) -> simcord.InteractionResult:
    return await actor.click(closing, label="Results (leaders)")


async def _remove(cast: Cast, actor: simcord.MemberActor, relayed: discord.Message) -> simcord.InteractionResult:
    return await actor.context_menu(cast.server.text, "Remove relayed message", relayed)


def _deadline(cast: Cast) -> str:
    return cast.rows("SELECT deadline FROM sessions")[-1][0]


ACTIONS = [
    Action("group config", _nothing, _command("group config", group="Alpha", template="double"),
           lambda c, _: c.rows("SELECT template FROM groups") == [("double",)], ADMINS_TOO),
    Action("group coleader", _nothing, _coleader,
           lambda c, _: len(c.rows("SELECT user_id FROM leaders")) == 3, ADMINS_TOO),
    Action("group delete", _nothing, _delete, lambda c, _: c.rows("SELECT count(*) FROM groups") == [(0,)],
           ADMINS_TOO),
    Action("session start", _nothing, _command("session start", group="Alpha"),
           lambda c, _: c.rows("SELECT count(*) FROM sessions") == [(1,)]),
    Action("session pause", _running, _command("session pause"), lambda c, _: _status(c) == ("paused", 0)),
    Action("session resume", _paused, _command("session resume"), lambda c, _: _status(c) == ("running", 0)),
    Action("session next", _running, _command("session next"), lambda c, _: _status(c) == ("running", 1)),
    Action("session back", _second_phase, _command("session back"), lambda c, _: _status(c) == ("running", 0)),
    Action("session end", _running, _command("session end"), lambda c, _: _status(c) == ("ended", 0)),
    Action("session extend", _running, _command("session extend", minutes=5),
           lambda c, r: "extended" in r.response.content),
    Action("panel Pause", _running, _button("Pause"), lambda c, _: _status(c) == ("paused", 0)),
    Action("panel Resume", _paused, _button("Resume"), lambda c, _: _status(c) == ("running", 0)),
    # The opening's 3 minutes and 2 more.
    Action("panel +2 min", _running, _button("+2 min"), lambda c, _: _deadline(c).startswith("2026-01-01T00:05:00")),
    Action("panel Next", _running, _button("Next"), lambda c, _: _status(c) == ("running", 1)),
    Action("panel Back", _second_phase, _button("Back"), lambda c, _: _status(c) == ("running", 0)),
    Action("panel End", _running, _button("End"), lambda c, _: _status(c) == ("ended", 0)),
    Action("panel Next speaker", _hand_raised, _button("Next speaker"), _floor_given),
    Action("meeting schedule", _nothing, _command("meeting schedule", group="Alpha", start="tomorrow 19:00"),
           lambda c, _: c.rows("SELECT count(*) FROM meeting_series") == [(1,)]),
    Action("meeting cancel", _coming_meeting, _cancel,
           lambda c, _: c.rows("SELECT status FROM meetings") == [("cancelled",)]),
    Action("attendance", _past_meeting, _command("attendance", group="Alpha"),
           lambda c, r: [a.filename for a in r.response.attachments] == ["alpha-attendance.csv"]),
    Action("feedback results", _closing_with_three_answers, _results,
           lambda c, r: [e.title for e in r.response.embeds] == ["Session feedback"]),
    Action("remove relayed message", _relayed, _remove, lambda c, _: c.rows("SELECT count(*) FROM relays") == [(0,)]),
]


def _channel(cast: Cast) -> list[tuple[int, str, list[dict[str, Any]]]]:
    return [(m.id, m.content, [e.to_dict() for e in m.embeds]) for m in cast.server.text.history()]


def _cases() -> list[Any]:
    """Each allowed role alone; the refused ones together, one after the other on the same world."""
    cases = []
    for action in ACTIONS:
        for role in ROLES:
            if role in action.allowed:
                cases.append(pytest.param(action, (role,), id=f"{action.name}-{role}"))
        refused = tuple(role for role in ROLES if role not in action.allowed)
        cases.append(pytest.param(action, refused, id=f"{action.name}-refused-{'-'.join(refused)}"))
    return cases


@pytest.mark.parametrize(("action", "roles"), _cases())
async def test_only_leaders_and_where_the_spec_says_admins(harness: Harness, action: Action,
                                                          roles: tuple[str, ...]) -> None:
    """Allowed: the action takes effect. Refused: a private line, and nothing changed anywhere.

    Refusals change nothing, so the refused roles try one after the other, each against the same
    database and channel as before the first.
    """
    cast = await _cast(harness)
    thing = await action.prepare(cast)
    rows, channel, cursor = database_rows(harness.db_path), _channel(cast), harness.env.error_cursor
    for role in roles:
        result = await action.act(cast, cast.who(role), thing)
        assert not failures_since(harness.env, cursor)
        if role in action.allowed:
            assert action.done(cast, result), result
            continue
        assert not action.done(cast, result), f"{role} was let do {action.name}"
        # Buttons answer their refusals themselves, so the refusal shows only in the answer.
        assert answered_privately(result), (role, result)
        text = result.response.content
        assert one_line(text) and text.startswith("Only ") and "Alpha" in text, (role, text)
        assert changed_tables(rows, database_rows(harness.db_path)) == [], role
        assert _channel(cast) == channel, f"{role}'s refusal posted or edited something in the group's channel"


def test_every_role_meets_every_action() -> None:
    """The matrix is whole: each action is tried by each of the five, allowed or refused."""
    for action in ACTIONS:
        tried = [role for param in _cases() if param.values[0] is action for role in param.values[1]]
        assert sorted(tried) == sorted(ROLES), action.name
