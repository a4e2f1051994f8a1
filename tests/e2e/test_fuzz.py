"""Fuzzing every slash command's options through SimCord: always a private answer, nothing logged, and a
refusal leaves the database as it was.

Each test drives one family of commands (every command the bot registers belongs to one, so a new
command is fuzzed without being named here) against one world, reused across Hypothesis's examples:
a server where Alpha has a leader, a co-leader, members, queued cases, a meeting and a running
session, and another server whose group, cases and meetings are the "ids of other servers". What a
successful example changes stays for the next one, as it would in a real server.

Only what Discord would deliver is sent. SimCord itself checks each value against the command as
synced: its type, min/max length and value, choices (except on autocomplete options, where Discord
accepts any typed text), channel types, that a user is a member of this server and a channel is
one the user sees, integers within ±(2**53 - 1), required options present and no unknown ones. It
does not know Discord's 6000-character limit on what one command carries, so the strategies keep
the strings of a command within it. The bot's replies are checked by SimCord (message and embed
limits, the 3-second answer) and, per example here, against Discord's OpenAPI spec.

The number of examples comes from the Hypothesis profile named by BALINT_FUZZ: `fuzz` (the default,
modest and derandomised, for `make test`) or `fuzz-long` (`make fuzz-long`).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import simcord
from hypothesis import HealthCheck, currently_in_test_context, given, note, settings
from hypothesis import strategies as st
from simcord.interactions import command_leaves

from tests.e2e.conftest import Harness, Server, running
from tests.support.cases import propose
from tests.support.checks import (
    ErrorRecords,
    answer_text,
    answered_privately,
    changed_tables,
    database_rows,
    failures_since,
    logged_errors,
    one_line,
    pings,
    refusals_since,
)
from tests.support.openapi import check_requests

STRING, INTEGER, BOOLEAN, USER, CHANNEL = 3, 4, 5, 6, 7
TEXT, VOICE = 0, 2
CHAT_INPUT = 1
# What Discord lets one command carry in its string options, and the integer range it accepts.
STRING_BUDGET = 6000
INTEGER_LIMIT = 2**53 - 1

settings.register_profile(
    "fuzz", max_examples=100, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz-long", max_examples=600, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FUZZ = settings.get_profile(os.environ.get("BALINT_FUZZ", "fuzz"))

# Each family is the first word of its commands; "other" takes every command no family names.
FAMILIES = ("group", "session", "case", "meeting", "other")


@dataclass
class World:
    """The fuzzed server, its people and channels, and the values worth trying in string options."""

    harness: Harness
    server: Server
    other: Server
    actors: list[simcord.MemberActor]
    users: list[simcord.MemberActor]
    texts: list[simcord.ChannelHandle]
    voices: list[simcord.ChannelHandle]
    atoms: dict[str, list[str]]
    # Names and ids of the other server's things: no autocomplete may offer them here.
    foreign: set[str]
    meetings: list[str]
    errors: ErrorRecords
    leaves: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def channels_of(self, types: list[int]) -> list[simcord.ChannelHandle]:
        """The channels an option of these Discord channel types accepts (any, if none given)."""
        by_type = [(TEXT, c) for c in self.texts] + [(VOICE, c) for c in self.voices]
        return [c for kind, c in by_type if not types or kind in types]


async def _build(harness: Harness, errors: ErrorRecords) -> World:
    server = harness.server()
    admin, (ada, ben, chloe, dev, eve) = server.admin, server.members
    await server.create_group(leader=ada, timezone="Europe/Paris")
    await ada.slash(server.text, "group coleader", group="Alpha", member=ben)
    for member in (chloe, dev):
        await server.join(member)
    lobby = server.guild.create_text_channel("lobby")
    spare = [server.guild.create_text_channel("spare"), server.guild.create_voice_channel("Spare Room")]
    robot = server.guild.add_member(harness.env.create_user("robot", bot=True))
    await propose(server, chloe, "Night shift", "The ward at 3 a.m.")
    await propose(server, dev, "The quiet one", "He never says why he comes.", anonymous=True)
    await ada.slash(server.text, "meeting schedule", group="Alpha", start="tomorrow 19:00", repeat="weekly")
    await ada.join_voice(server.voice)
    await dev.join_voice(server.voice)
    await ada.slash(server.text, "session start", group="Alpha", presenter=dev)

    other = harness.server("Elsewhere")
    await other.create_group("Hidden")
    await other.join(other.members[0], "Hidden")
    await propose(other, other.members[0], "Their case", group="Hidden")
    await other.admin.slash(other.text, "meeting schedule", group="Hidden", start="tomorrow 20:00")

    ours = [c["value"] for c in await ada.autocomplete(server.text, "session start", "case", "", group="Alpha")]
    theirs = [c["value"] for c in
              await other.admin.autocomplete(other.text, "session start", "case", "", group="Hidden")]
    meetings = [c["value"] for c in await ada.autocomplete(server.text, "meeting cancel", "meeting", "")]
    foreign = [c["value"] for c in await other.admin.autocomplete(other.text, "meeting cancel", "meeting", "")]
    role = server.guild.create_role("Staff")
    atoms = {
        # Names, ours and another server's, in other cases and spacings.
        "names": ["Alpha", "alpha", "  ALPHA ", "Alpha\u200b", "Ａｌｐｈａ", "Alpha\nBeta", "Hidden", "Night shift",
                  "The quiet one"],
        # Ids: our cases and meetings, another server's, and numbers that are no id.
        "ids": [*ours, *theirs, *meetings, *foreign, "0", "-1", "007", " 12 ", "1e3", "9" * 18, "9" * 19,
                str(2**63), str(2**64 + 1)],
        # Digits that are not ASCII: "²".isdigit() is true, but int("²") fails; int("٣") is 3.
        "digits": ["²", "٣", "１２", "߁", "①", f"{ours[0]}\u0663"],
        "templates": ["classic", "Double ", "RESIDENCY", "marathon", "classic\x00"],
        "zones": ["Europe/Paris", "europe/paris", " Europe/Paris ", "Mars/Olympus", "UTC", "Toronto", "EST5EDT",
                  "Europe/../../etc/passwd"],
        "times": ["tomorrow 19:00", "2026-12-01 19:00", "next tuesday 19:00", "2026-03-29 02:30", "2026-10-25 02:30",
                  "9999-12-31 23:59", "0001-01-01 00:00", "2026-02-30 19:00", "today 25:00", "2026-12-31",
                  "0000-00-00", "9999-12-31", "1969-12-31", "demain 19h", "2026-01-02 19:00", "12:00 pm"],
        # Mentions and markup: nothing the bot posts may ping or break.
        "markup": ["@everyone", "@here", f"<@{eve.id}>", f"<@!{ada.id}>", f"<@&{role.id}>", f"<#{other.text.id}>",
                   "`", "```", "**", "||x||", "> quote", "# heading", "[link](https://example.invalid)"],
        # Whitespace and characters that are no text.
        "junk": ["", " ", "\n", "\t", "\r\n", "\x00", "\x1b[31m", "\u200b", "\u202e", "\ufeff", "\u0301",
                 "\ud7ff", "💥", "👩🏽‍⚕️", "é", "e\u0301", "ß", "İ", "\U0010fffd"],
    }
    world = World(
        harness=harness, server=server, other=other,
        actors=[admin, ada, ben, chloe, dev, eve],
        users=[admin, ada, ben, chloe, dev, eve, robot],
        texts=[server.text, lobby, spare[0]], voices=[server.voice, spare[1]],
        atoms=atoms, foreign={"Hidden", "Their case", *theirs, *foreign}, meetings=meetings, errors=errors,
    )
    for command in harness.env.backend.commands.get(None, {}).values():
        if command.get("type", CHAT_INPUT) == CHAT_INPUT:
            for path, leaf in command_leaves(command):
                world.leaves[" ".join(path)] = (path[0], leaf)
    return world


@pytest.fixture
async def world(tmp_path) -> AsyncIterator[World]:
    with logged_errors() as errors:
        async for harness in running(Harness(tmp_path)):
            yield await _build(harness, errors)


# ------------------------------------------------------------------------------------------ strategies


# The kinds of atoms each option is most likely to choke on; every kind is tried in every option too.
PREFERRED = {
    "group": ("names",), "name": ("names",), "case": ("ids", "digits"), "meeting": ("ids", "digits"),
    "template": ("templates",), "timezone": ("zones",), "start": ("times",), "until": ("times",),
    "since": ("times",),
}


def texts(atoms: dict[str, list[str]], budget: int, option: str = "") -> st.SearchStrategy[str]:
    """Strings a person could type, up to `budget` characters: atoms, junk, both mixed, and long runs."""
    if budget <= 0:
        return st.just("")
    fitting = {kind: [a for a in found if len(a) <= budget] or [""] for kind, found in atoms.items()}
    everything = [a for found in fitting.values() for a in found]
    # A kind first, then one of its atoms: a kind with few atoms is not drowned by one with many.
    atom = st.sampled_from(sorted(fitting)).flatmap(lambda kind: st.sampled_from(fitting[kind]))
    preferred = [st.sampled_from(fitting[kind]) for kind in PREFERRED.get(option, ())]
    characters = st.characters(exclude_categories=("Cs",))  # lone surrogates cannot travel in JSON
    mixed = st.lists(st.one_of(atom, st.text(characters, max_size=8)), max_size=6).map("".join)
    # A run of one atom or character, as long as the budget allows or shorter.
    seeds = st.sampled_from([a for a in everything if a] + ["x", "é", "\n", "💥"])
    lengths = st.one_of(st.just(budget), st.integers(1, budget))
    long = st.tuples(seeds, lengths).map(lambda p: (p[0] * (p[1] // len(p[0]) + 1))[: p[1]])
    return st.one_of(*preferred, atom, st.text(characters, max_size=min(budget, 80)), mixed, long).map(
        lambda text: text[:budget]
    )


INTEGERS = st.one_of(
    st.sampled_from([0, 1, -1, 2, 14, 15, 30, 31, 52, 53, 168, 169, 240, 241, 2**31, -(2**31), 2**53 - 1,
                     -(2**53 - 1)]),
    st.integers(-100, 1000),
    st.integers(-INTEGER_LIMIT, INTEGER_LIMIT),
)


def option_draws(world: World, leaf: dict[str, Any]) -> Callable[[st.DataObject], dict[str, Any]]:
    """Draw values for a command's options: every required one, each optional one or not."""

    def draw(data: st.DataObject) -> dict[str, Any]:
        budget = STRING_BUDGET
        values: dict[str, Any] = {}
        for option in leaf.get("options") or []:
            name = option["name"]
            if not option.get("required") and not data.draw(st.booleans(), label=f"give {name}"):
                continue
            kind, choices = option["type"], option.get("choices")
            if choices and not option.get("autocomplete"):
                value = data.draw(st.sampled_from([c["value"] for c in choices]), label=name)
            elif kind == STRING:
                value = data.draw(texts(world.atoms, budget, name), label=name)
                budget -= len(value)
            elif kind == INTEGER:
                value = data.draw(INTEGERS, label=name)
            elif kind == BOOLEAN:
                value = data.draw(st.booleans(), label=name)
            elif kind == USER:
                value = data.draw(st.sampled_from(world.users), label=name)
            elif kind == CHANNEL:
                value = data.draw(st.sampled_from(world.channels_of(option.get("channel_types") or [])),
                                  label=name)
            else:
                raise AssertionError(f"no strategy for option type {kind} of {name}")
            values[name] = value
        return values

    return draw


# ------------------------------------------------------------------------------------------ checks


async def act_and_check(world: World, actor: simcord.MemberActor, channel: simcord.ChannelHandle, name: str,
                        options: dict[str, Any]) -> simcord.InteractionResult:
    """Run one command and check its answer, the logs, the REST bodies and, after a refusal, the database."""
    h = world.harness
    before = database_rows(h.db_path)
    cursor, logged, requests = h.env.error_cursor, len(world.errors.records), len(h.env.http_requests)
    result = await actor.slash(channel, name, **options)
    failures = failures_since(h.env, cursor)
    assert not failures, f"/{name} failed: {failures!r}"
    assert not world.errors.since(logged), f"/{name} logged errors: {world.errors.since(logged)}"
    assert answered_privately(result), f"/{name} was not answered privately: {result!r}"
    sent = h.env.http_requests[requests:]
    problems = check_requests(sent)
    assert not problems, f"/{name} sent REST bodies that break Discord's spec: {problems}"
    assert not pings(sent), f"/{name} sent messages that could ping: {pings(sent)}"
    if refusals_since(h.env, cursor):
        changed = changed_tables(before, database_rows(h.db_path))
        assert not changed, f"/{name} was refused but changed {changed}"
        text = answer_text(result)
        if currently_in_test_context():
            note(f"refused: {text}")
        assert one_line(text), f"/{name} was refused in more than one plain line: {text!r}"
    return result


# ------------------------------------------------------------------------------------------ tests


@pytest.mark.parametrize("family", FAMILIES)
@FUZZ
@given(data=st.data())
async def test_every_option_gets_a_private_answer(world: World, family: str, data: st.DataObject) -> None:
    """Any values, by anyone, anywhere: a private answer, no error logged, a refusal changes nothing."""
    names = sorted(n for n, (root, _) in world.leaves.items()
                   if root == family or (family == "other" and root not in FAMILIES))
    assert names, f"no command in the family {family}"
    name = data.draw(st.sampled_from(names), label="command")
    actor = data.draw(st.sampled_from(world.actors), label="actor")
    channel = data.draw(st.sampled_from([*world.texts, world.server.voice]), label="channel")
    options = option_draws(world, world.leaves[name][1])(data)
    result = await act_and_check(world, actor, channel, name, options)
    if result.modal is not None:
        # A form (the case proposal): fill it with anything its fields accept, and check that answer too.
        await submit_and_check(world, actor, result, data)


async def submit_and_check(world: World, actor: simcord.MemberActor, shown: simcord.InteractionResult,
                           data: st.DataObject) -> None:
    """Fill a form within its fields' limits, submit it, and check the answer as for a command."""
    h = world.harness
    values: dict[str, Any] = {}
    for component in _inputs(shown.modal or {}):
        limit = component.get("max_length", 4000)
        text = data.draw(texts(world.atoms, limit), label=component["custom_id"])
        if text or component.get("required", True):
            values[component["custom_id"]] = text or "x"
    before = database_rows(h.db_path)
    cursor, logged = h.env.error_cursor, len(world.errors.records)
    sent = await actor.submit_modal(shown, values)
    assert not failures_since(h.env, cursor), failures_since(h.env, cursor)
    assert not world.errors.since(logged), world.errors.since(logged)
    assert answered_privately(sent), sent
    if refusals_since(h.env, cursor):
        assert not changed_tables(before, database_rows(h.db_path))


def _inputs(modal: dict[str, Any]) -> list[dict[str, Any]]:
    """The text inputs of a form, wherever its layout nests them."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == 4:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(modal.get("components", []))
    return found


@FUZZ
@given(data=st.data())
async def test_autocomplete_offers_only_this_servers_things(world: World, data: st.DataObject) -> None:
    """Whatever is typed: at most 25 valid choices, none from another server, nothing logged."""
    fields = sorted((name, option["name"]) for name, (_, leaf) in world.leaves.items()
                    for option in leaf.get("options") or [] if option.get("autocomplete"))
    name, focused = data.draw(st.sampled_from(fields), label="option")
    actor = data.draw(st.sampled_from(world.actors), label="actor")
    typed = data.draw(texts(world.atoms, 100, focused), label="typed")
    leaf = world.leaves[name][1]
    filled = {k: v for k, v in option_draws(world, leaf)(data).items() if k != focused}
    h = world.harness
    cursor, logged = h.env.error_cursor, len(world.errors.records)
    choices = await actor.autocomplete(world.server.text, name, focused, typed, **filled)
    assert not failures_since(h.env, cursor), failures_since(h.env, cursor)
    assert not world.errors.since(logged), world.errors.since(logged)
    assert len(choices) <= 25
    for choice in choices:
        assert 1 <= len(choice["name"]) <= 100 and 1 <= len(str(choice["value"])) <= 100, choice
        assert str(choice["value"]) not in world.foreign, f"another server's {choice} offered"
        assert not any(word in choice["name"] for word in ("Hidden", "Their case")), f"another server's {choice}"


def _defaults(world: World, leaf: dict[str, Any]) -> dict[str, Any]:
    """Plausible values for a command's required options, to try one odd value at a time in the others."""
    plausible = {"group": "Alpha", "name": "Beta", "start": "tomorrow 19:00", "case": world.atoms["ids"][0],
                 "meeting": world.meetings[0], "minutes": 5}
    values: dict[str, Any] = {}
    for option in leaf.get("options") or []:
        if not option.get("required"):
            continue
        name, kind = option["name"], option["type"]
        if option.get("choices") and not option.get("autocomplete"):
            values[name] = option["choices"][0]["value"]
        elif kind in (STRING, INTEGER):
            values[name] = plausible.get(name, "x" if kind == STRING else 1)
        elif kind == BOOLEAN:
            values[name] = False
        elif kind == USER:
            values[name] = world.users[4]
        elif kind == CHANNEL:
            values[name] = world.channels_of(option.get("channel_types") or [])[-1]
    return values


async def test_each_odd_value_in_each_string_option(world: World) -> None:
    """Every atom of the kinds an option is likely to choke on, one at a time, by the leader (an admin creates)."""
    admin, leader = world.actors[0], world.actors[1]
    tried = 0
    for name, (_, leaf) in sorted(world.leaves.items()):
        for option in leaf.get("options") or []:
            if option["type"] != STRING or (option.get("choices") and not option.get("autocomplete")):
                continue
            kinds = PREFERRED.get(option["name"], ("junk", "markup"))
            for atom in (a for kind in kinds for a in world.atoms[kind]):
                actor = admin if name == "group create" else leader
                options = {**_defaults(world, leaf), option["name"]: atom}
                result = await act_and_check(world, actor, world.server.text, name, options)
                if result.modal is not None:
                    await actor.submit_modal(result, {"title": "A case", "story": ""})
                tried += 1
    assert tried > 100, tried
