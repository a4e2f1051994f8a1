"""Raise hand and Next speaker, end to end: the line on the panel, the floor, restarts, bursts, anonymity, French."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import pytest
import simcord

from bot.core.notices import floor_nonce
from bot.discord_io import pacing
from tests.e2e.conftest import Harness, Server
from tests.support.anonymous import Anonymous, anonymous_case
from tests.support.hands import as_seen, field, hands_listed, panel_patches, press_at_once
from tests.support.locales import speak
from tests.support.privacy import export_of, forget, stored
from tests.support.sessions import count_messages, ready_group, session_panel, skip_opening

FIRST = "✋ Your hand is raised: you are first in line. Press Raise hand again to lower it."
ANONYMOUS = (
    "Your hand is not raised: you present this case anonymously, and a raised hand would show who you are. "
    "Speak to the group through the panel's Speak as presenter button, or a direct message to the bot, in the "
    "phases where the presenter speaks."
)
CLOSED = "Hands are raised only in the phases where the group speaks."


def _behind(count: int) -> str:
    hands = "hand" if count == 1 else "hands"
    return f"✋ Your hand is raised: {count} {hands} before yours. Press Raise hand again to lower it."


def _labels(server: Server) -> list[str]:
    return [c.label for row in session_panel(server).components for c in row.children]


def _hands_in_db(harness: Harness) -> list[int]:
    return [row[0] for row in harness.rows("SELECT user_id FROM raised_hands ORDER BY id")]


def _floor_posts(harness: Harness, server: Server) -> list[dict[str, object]]:
    return [r.json for r in harness.env.http_requests
            if r.method == "POST" and r.path == f"/channels/{server.text.id}/messages"
            and "you have the floor" in str(r.json.get("content"))]


async def _in_questions(server: Server, leader: simcord.MemberActor) -> None:
    await skip_opening(server, leader)
    moved = await leader.slash(server.text, "session next")
    assert moved.response.content == "Moved on to Clarifying questions."


async def test_members_raise_hands_in_line_and_the_leader_gives_the_floor(harness: Harness, server: Server) -> None:
    """Raise, lower, the line in order on the panel, Next speaker pinging only the first; cleared with the phase."""
    leader, ada = await ready_group(server)
    _, ben, chloe, dev, _ = server.members
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    assert _labels(server)[-2:] == ["Raise hand", "Next speaker"], "the opening: the group speaks"
    await skip_opening(server, leader)
    assert "Raise hand" not in _labels(server), "the presentation: the presenter alone speaks"
    assert field(session_panel(server), "Raised hands") is None
    await leader.slash(server.text, "session next")

    answers = [await member.click(session_panel(server), label="Raise hand") for member in (ben, chloe, dev)]
    assert all(a.ephemeral for a in answers)
    assert [a.response.content for a in answers] == [FIRST, _behind(1), _behind(2)]
    assert hands_listed(session_panel(server)) == [ben.mention, chloe.mention, dev.mention]
    lowered = await chloe.click(session_panel(server), label="Raise hand")
    assert lowered.ephemeral and lowered.response.content == "Your hand is lowered."
    assert hands_listed(session_panel(server)) == [ben.mention, dev.mention]
    assert _hands_in_db(harness) == [ben.id, dev.id]

    refused = await ben.click(session_panel(server), label="Next speaker")
    assert refused.ephemeral and refused.response.content == "Only the leaders of Alpha give the floor; ask a leader."
    assert count_messages(server, ben.mention) == 0
    given = await leader.click(session_panel(server), label="Next speaker")
    assert given.ephemeral and given.response.content == f"{ben.mention} has the floor."
    floor = server.text.last_message
    assert floor.content == f"{ben.mention}, you have the floor."
    assert [m.id for m in floor.mentions] == [ben.id], "that one member is pinged"
    (body,) = _floor_posts(harness, server)
    assert body["allowed_mentions"] == {"parse": [], "users": [ben.id]}
    assert body["nonce"] == floor_nonce(1)
    await harness.env.advance_time(pacing.EDIT_SPACING.total_seconds())
    assert hands_listed(session_panel(server)) == [dev.mention]

    await leader.slash(server.text, "session next")  # the discussion
    assert _hands_in_db(harness) == [], "hands go with the phase"
    assert hands_listed(session_panel(server)) == []
    silent = await ada.click(session_panel(server), label="Raise hand")
    assert silent.ephemeral and silent.response.content == (
        "You present this case: in this phase you listen. You can raise your hand again when you return.")
    nobody = await leader.click(session_panel(server), label="Next speaker")
    assert nobody.response.content == "No hand is raised: nobody is waiting for the floor."
    await leader.slash(server.text, "session next")  # the return: the presenter speaks again
    back = await ada.click(session_panel(server), label="Raise hand")
    assert back.response.content == FIRST
    assert len(_floor_posts(harness, server)) == 1


async def test_who_may_raise_and_where(harness: Harness, server: Server) -> None:
    """Someone outside the group is refused; a leader and a co-leader may raise; a stale button in a closed phase."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "group coleader", group="Alpha", member=server.members[4])
    outsider = server.guild.add_member(harness.env.create_user("outsider"))
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    opening = session_panel(server)
    seen = as_seen(harness.env, opening)
    tried = await outsider.click(opening, label="Raise hand")
    assert tried.ephemeral
    assert tried.response.content == "Only members of Alpha raise a hand in its sessions; join with /group join first."
    assert (await leader.click(opening, label="Raise hand")).response.content == FIRST
    assert (await server.members[4].click(session_panel(server), label="Raise hand")).response.content == _behind(1)
    await skip_opening(server, leader)
    # Pressed on the opening's panel as the leader moved on: the press reaches the bot after the change.
    (crossed,) = await press_at_once(harness.env, [server.members[1]], opening, "Raise hand", seen=seen)
    assert crossed.ephemeral and crossed.response.content == CLOSED
    assert _hands_in_db(harness) == []


async def test_a_restart_in_the_middle_of_a_raised_hands_list(harness: Harness, server: Server) -> None:
    """Three hands up, the bot restarted: the list stands, the old panel's Next speaker goes on in order."""
    leader, ada = await ready_group(server)
    _, ben, chloe, dev, eve = server.members
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await _in_questions(server, leader)
    for member in (ben, chloe, dev):
        await member.click(session_panel(server), label="Raise hand")
    panel = session_panel(server)

    await harness.restart()

    assert hands_listed(session_panel(server)) == [ben.mention, chloe.mention, dev.mention]
    assert _hands_in_db(harness) == [ben.id, chloe.id, dev.id]
    first = await leader.click(panel, label="Next speaker")
    assert first.response.content == f"{ben.mention} has the floor."
    assert (await eve.click(panel, label="Raise hand")).response.content == _behind(2)
    lowered = await chloe.click(panel, label="Raise hand")
    assert lowered.response.content == "Your hand is lowered."
    second = await leader.click(panel, label="Next speaker")
    assert second.response.content == f"{dev.mention} has the floor."
    await harness.env.advance_time(pacing.EDIT_SPACING.total_seconds())
    assert hands_listed(session_panel(server)) == [eve.mention]
    floors = [m.content for m in server.text.history() if m.content.endswith("you have the floor.")]
    assert floors == [f"{ben.mention}, you have the floor.", f"{dev.mention}, you have the floor."]


async def test_a_floor_given_as_the_bot_stops_is_posted_once_by_the_next(harness: Harness, server: Server) -> None:
    """Discord down as the floor is given, the bot replaced: the next one posts it, once, pinging that member."""
    leader, ada = await ready_group(server)
    ben = server.members[1]
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await _in_questions(server, leader)
    await ben.click(session_panel(server), label="Raise hand")
    harness.env.inject_error("POST", f"/channels/{server.text.id}/messages", status=503, times=None)
    given = await leader.click(session_panel(server), label="Next speaker")
    assert given.response.content == f"{ben.mention} has the floor."
    assert count_messages(server, ben.mention) == 0
    nonce = floor_nonce(1)
    assert harness.rows("SELECT nonce, ping, sent_at FROM outbox WHERE nonce = ?", (nonce,)) == [
        (nonce, ben.id, None)]
    harness.bot.timers.shutdown()  # the old process stops here, still retrying
    await harness.bot.lanes.close()
    harness.env.backend.faults.clear()

    await harness.restart()

    assert count_messages(server, f"{ben.mention}, you have the floor.") == 1
    await harness.restart()
    assert count_messages(server, f"{ben.mention}, you have the floor.") == 1
    posted = [b for b in _floor_posts(harness, server)]
    assert posted and all(b["allowed_mentions"] == {"parse": [], "users": [ben.id]} for b in posted)
    assert harness.rows("SELECT content, ping FROM outbox WHERE nonce = ? AND sent_at IS NOT NULL", (nonce,)) == [
        (None, None)]
    assert _hands_in_db(harness) == []


async def _a_crowd(harness: Harness, server: Server, size: int) -> list[simcord.MemberActor]:
    crowd = list(server.members)
    for number in range(size - len(crowd)):
        member = server.guild.add_member(harness.env.create_user(f"doc{number}", global_name=f"Dr Doc {number}"))
        await server.join(member)
        crowd.append(member)
    return crowd


async def test_a_burst_of_presses_costs_two_edits_and_the_panel_shows_every_hand(
        harness: Harness, server: Server) -> None:
    """Twenty members press at the same moment: every one is answered, the panel is edited twice, lists all twenty."""
    leader, ada = await ready_group(server)
    crowd = await _a_crowd(harness, server, 20)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await _in_questions(server, leader)
    panel = session_panel(server)
    before = len(harness.env.http_requests)

    answers = await press_at_once(harness.env, crowd, panel, "Raise hand")

    assert all(a.acknowledged and a.ephemeral for a in answers)
    assert sorted(a.response.content for a in answers) == sorted([FIRST] + [_behind(n) for n in range(1, 20)])
    await harness.env.advance_time(3 * pacing.EDIT_SPACING.total_seconds())
    edits = panel_patches(harness.env, panel, before)
    assert 1 <= len(edits) <= 2, f"{len(edits)} edits for 20 presses"
    in_line = [f"<@{user}>" for user in _hands_in_db(harness)]
    assert len(in_line) == 20 and hands_listed(session_panel(server)) == in_line
    # Each answer named the place its hand took.
    for member, answer in zip(crowd, answers, strict=True):
        ahead = in_line.index(member.mention)
        assert answer.response.content == (FIRST if ahead == 0 else _behind(ahead))

    before = len(harness.env.http_requests)
    lowered = await press_at_once(harness.env, crowd, session_panel(server), "Raise hand")
    assert {a.response.content for a in lowered} == {"Your hand is lowered."}
    await harness.env.advance_time(3 * pacing.EDIT_SPACING.total_seconds())
    assert 1 <= len(panel_patches(harness.env, panel, before)) <= 2
    assert hands_listed(session_panel(server)) == []


async def test_presses_one_after_another_are_paced(harness: Harness, server: Server) -> None:
    """Presses in quick succession: no two edits of the panel closer than the spacing, the last shows them all."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await _in_questions(server, leader)
    panel = session_panel(server)
    when: list[float] = []
    seen = len(panel_patches(harness.env, panel))
    for member in server.members[1:]:
        await member.click(session_panel(server), label="Raise hand")
        now = len(panel_patches(harness.env, panel))
        when += [harness.env.now().timestamp()] * (now - seen)
        seen = now
    assert all(later - earlier >= pacing.EDIT_SPACING.total_seconds() - 0.01
               for earlier, later in itertools.pairwise(when)), when
    assert hands_listed(session_panel(server)) == [m.mention for m in server.members[1:]]


@pytest.fixture
async def anon(harness: Harness, server: Server) -> AsyncIterator[Anonymous]:
    async with anonymous_case(harness, server) as world:
        await world.start()
        yield world


async def test_the_anonymous_presenter_raises_no_hand_and_nothing_shows(anon: Anonymous) -> None:
    """In every phase where the group speaks: a private answer, no row, no edit, no place taken; the rest as usual."""
    server, ada, leader, env = anon.server, anon.presenter, anon.leader, anon.harness.env
    ben, chloe = server.members[1], server.members[2]
    panel = session_panel(server)
    for phase in ("opening", "questions", "discussion", "return"):
        if phase == "questions":
            await leader.slash(server.text, "session next")  # the presentation: hands are closed for everyone
            mine = await ada.click(session_panel(server), label="Speak as presenter")
            assert mine.modal is not None
            assert "Raise hand" not in _labels(server)
            await leader.slash(server.text, "session next")
        elif phase in ("discussion", "return"):
            await leader.slash(server.text, "session next")
        before = len(env.http_requests)
        for _ in range(2):  # pressed again: still nothing to lower
            pressed = await ada.click(session_panel(server), label="Raise hand")
            assert pressed.ephemeral and pressed.response.content == ANONYMOUS, phase
        assert panel_patches(env, panel, before) == [], f"{phase}: the panel is not even edited"
        assert anon.harness.rows("SELECT count(*) FROM raised_hands") == [(0,)]
        raised = await ben.click(session_panel(server), label="Raise hand")
        assert raised.response.content == FIRST, f"{phase}: the presenter's press took no place in line"
    assert (await chloe.click(session_panel(server), label="Raise hand")).response.content == _behind(1)
    given = await leader.click(session_panel(server), label="Next speaker")
    assert given.response.content == f"{ben.mention} has the floor."
    await env.advance_time(pacing.EDIT_SPACING.total_seconds())
    assert hands_listed(session_panel(server)) == [chloe.mention]
    anon.scan.assert_clean()


async def test_where_hands_are_closed_the_anonymous_presenter_is_refused_as_anyone(anon: Anonymous) -> None:
    """In the presentation and the closing, her refusal is word for word another member's; the leak scan is clean."""
    server, ada, leader, env = anon.server, anon.presenter, anon.leader, anon.harness.env
    opening = session_panel(server)
    seen = as_seen(env, opening)  # each press below crosses the change that closed the hands
    await leader.slash(server.text, "session next")
    theirs, others = await press_at_once(env, [ada, server.members[3]], opening, "Raise hand", seen=seen)
    assert theirs.response.content == others.response.content == CLOSED
    for _ in range(4):
        await leader.slash(server.text, "session next")
    theirs, others = await press_at_once(env, [ada, server.members[3]], opening, "Raise hand", seen=seen)
    assert theirs.response.content == others.response.content == CLOSED
    ended = await leader.slash(server.text, "session end")
    assert ended.ephemeral
    theirs, others = await press_at_once(env, [ada, server.members[3]], opening, "Raise hand", seen=seen)
    assert theirs.response.content == others.response.content == (
        "This session has ended; there is no floor to ask for.")
    anon.scan.assert_clean()


async def test_the_anonymous_presenter_is_answered_in_french_and_leaves_no_trace(anon: Anonymous) -> None:
    """Her Discord in French: the answer in French, naming no one; a French member's hand as usual."""
    env, server, ada = anon.harness.env, anon.server, anon.presenter
    speak(env, ada, "fr")
    speak(env, server.members[2], "fr")
    pressed = await ada.click(session_panel(server), label="Raise hand")
    assert pressed.ephemeral and pressed.response.content == (
        "Votre main n'est pas levée : vous présentez ce cas anonymement, et une main levée montrerait qui vous "
        "êtes. Parlez au groupe par le bouton « Parler en tant que personne qui présente » du panneau, ou par un "
        "message privé au bot, dans les phases où la personne qui présente parle.")
    chloe = await server.members[2].click(session_panel(server), label="Raise hand")
    assert chloe.response.content == (
        "✋ Votre main est levée : vous êtes en tête de la file. Appuyez de nouveau sur « Lever la main » pour la "
        "baisser.")
    assert anon.harness.rows("SELECT user_id FROM raised_hands") == [(server.members[2].id,)]
    anon.scan.assert_clean()


async def test_raise_hand_in_a_french_group(harness: Harness, server: Server) -> None:
    """The buttons, the list and the floor in the group's French; each answer in its reader's language."""
    leader, ada = await ready_group(server)
    chloe, eve = server.members[2], server.members[4]
    speak(harness.env, leader, "fr")
    speak(harness.env, chloe, "fr")
    await leader.slash(server.text, "group config", group="Alpha", language="fr")
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    assert _labels(server)[-2:] == ["Lever la main", "Donner la parole"]
    assert hands_listed(session_panel(server), "Mains levées") == []
    raised = await chloe.click(session_panel(server), label="Lever la main")
    assert raised.response.content == (
        "✋ Votre main est levée : vous êtes en tête de la file. Appuyez de nouveau sur « Lever la main » pour la "
        "baisser.")
    english = await eve.click(session_panel(server), label="Lever la main")
    assert english.response.content == _behind(1)
    assert hands_listed(session_panel(server), "Mains levées") == [chloe.mention, eve.mention]
    refused = await chloe.click(session_panel(server), label="Donner la parole")
    assert refused.response.content == (
        "Seuls les animateurs du groupe Alpha peuvent donner la parole ; demandez à un animateur.")
    given = await leader.click(session_panel(server), label="Donner la parole")
    assert given.response.content == f"{chloe.mention} a la parole."
    assert server.text.last_message.content == f"{chloe.mention}, vous avez la parole."
    await leader.slash(server.text, "session next")
    assert "Lever la main" not in _labels(server), "the presentation has no hands"
    moved = await leader.slash(server.text, "session next")
    assert moved.response.content == "Passage à la phase Questions de clarification."
    assert hands_listed(session_panel(server), "Mains levées") == [], "the opening's hands went with it"
    empty = await leader.click(session_panel(server), label="Donner la parole")
    assert empty.response.content == "Aucune main n'est levée : personne n'attend la parole."


async def test_a_raised_hand_is_in_the_export_and_goes_with_forget_me(harness: Harness, server: Server) -> None:
    """/privacy export lists the hand up; /privacy forget-me takes it out of line."""
    leader, ada = await ready_group(server)
    ben = server.members[1]
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await ben.click(session_panel(server), label="Raise hand")
    mine = await export_of(ben, server.text)
    assert [(h["server_id"], h["session_id"]) for h in stored(mine)["raised_hands"]] == [(str(server.guild.id), 1)]
    done = await forget(ben, server.text)
    assert done.response.content.startswith("Done: balint-bot no longer stores anything about you.")
    assert _hands_in_db(harness) == []
    nobody = await leader.click(session_panel(server), label="Next speaker")
    assert nobody.response.content == "No hand is raised: nobody is waiting for the floor."
