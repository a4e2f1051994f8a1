"""Records for accreditation end to end: several sessions on the virtual clock, then /balint record.

Alpha meets in Paris. Three sessions, weeks apart, across the spring clock change and three
months: the first on an anonymous case of Ada's, the second with Dev presenting under his name,
the third without the co-leader. Ben does exactly what Ada does, except present: the twin the
leak scan compares her with. Eve comes for part of the time.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import pytest
import simcord

from bot.discord_io.records import RECORD_FILE
from tests.e2e.conftest import Harness, Server
from tests.e2e.leaks import LeakScan
from tests.support.cases import case_id, propose
from tests.support.locales import speak
from tests.support.meetings import schedule, until
from tests.support.privacy import clinic, daily, export_of, forget

__all__ = ["clinic", "daily"]  # fixtures

MIN = 60
# The first session begins at 00:30 in Paris on the night the clocks go from 2:00 to 3:00, and
# ends at 3:00 on the clock: an hour and a half of real time, on March 29 in Paris (March 28 in UTC).
FIRST = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
SECOND = datetime(2026, 3, 31, 17, 0, tzinfo=UTC)  # 19:00 in Paris, summer time
THIRD = datetime(2026, 5, 5, 17, 0, tzinfo=UTC)


@dataclass
class Alpha:
    h: Harness
    server: Server
    leader: simcord.MemberActor
    ada: simcord.MemberActor
    ben: simcord.MemberActor
    chloe: simcord.MemberActor
    dev: simcord.MemberActor
    eve: simcord.MemberActor
    scan: LeakScan

    @property
    def everyone(self) -> list[simcord.MemberActor]:
        return [self.leader, self.ada, self.ben, self.chloe, self.dev, self.eve]


async def _session(alpha: Alpha, start: datetime, minutes: int, present: list[simcord.MemberActor],
                   leaves: dict[int, int] | None = None, **options: Any) -> None:
    """Everyone in `present` joins voice at the start, the leader starts, some leave early; the leader ends it."""
    h, server = alpha.h, alpha.server
    await until(h, start - timedelta(minutes=1))
    for member in present:
        await member.join_voice(server.voice)
    await until(h, start)
    started = await alpha.leader.slash(server.text, "session start", group="Alpha", **options)
    assert started.ephemeral
    for member, after in sorted(((m, (leaves or {}).get(m.id)) for m in present), key=lambda p: p[1] or 0):
        if after is not None:
            await until(h, start + timedelta(minutes=after))
            await member.leave_voice()
    await until(h, start + timedelta(minutes=minutes))
    ended = await alpha.leader.slash(server.text, "session end")
    assert ended.ephemeral
    for member in present:
        if (leaves or {}).get(member.id) is None:
            await member.leave_voice()


async def _three_sessions(alpha: Alpha) -> None:
    server, ada, dev, eve, chloe = alpha.server, alpha.ada, alpha.dev, alpha.eve, alpha.chloe
    await until(alpha.h, FIRST - timedelta(days=2))
    proposed = await propose(server, ada, "The patient I dread", "He shouts at reception.", anonymous=True)
    assert proposed.response.content.endswith("Nobody will see that it is yours.")
    case = await case_id(server, alpha.leader, "The patient I dread")
    # Eve leaves after 15 of 90 minutes: not attended.
    await _session(alpha, FIRST, 90, alpha.everyone, {eve.id: 15}, case=case)
    await _session(alpha, SECOND, 60, alpha.everyone, presenter=dev)
    # The co-leader is away; Eve stays 30 of 50 minutes (60 %): attended.
    await schedule(alpha.leader, server, start="2026-05-05 19:00", duration=60)
    await _session(alpha, THIRD, 50, [m for m in alpha.everyone if m is not chloe], {eve.id: 30})


@pytest.fixture
async def alpha(daily: Harness, clinic: Server) -> AsyncIterator[Alpha]:
    server = clinic
    await server.create_group(timezone="Europe/Paris")
    for member in server.members:
        await server.join(member)
    ada, ben, chloe, dev, eve = server.members
    await server.admin.slash(server.text, "group coleader", group="Alpha", member=chloe)
    scan = LeakScan.start(daily.env, server.guild, ada, "Dr Ada", [server.admin, *server.members])
    found = Alpha(daily, server, server.admin, ada, ben, chloe, dev, eve, scan)
    try:
        await _three_sessions(found)
        yield found
    finally:
        scan.stop()


def _fields(result: simcord.InteractionResult) -> dict[str, list[str]]:
    """The record's groups, each as its lines."""
    assert result.ephemeral and result.response is not None, result
    (embed,) = result.response.embeds
    return {str(f.name): str(f.value).splitlines() for f in embed.fields}


def _embed(result: simcord.InteractionResult) -> discord.Embed:
    assert result.response is not None
    (embed,) = result.response.embeds
    return embed


async def _csv(actor: simcord.MemberActor | simcord.UserHandle, result: simcord.InteractionResult,
               label: str = "CSV file") -> tuple[simcord.InteractionResult, list[list[str]]]:
    """Press the record's CSV button; return the answer and the file's rows."""
    assert result.response is not None
    pressed = await actor.click(result.response.message, label=label)
    assert pressed.ephemeral and pressed.response is not None, pressed
    (attachment,) = pressed.response.attachments
    assert attachment.filename == RECORD_FILE
    return pressed, list(csv.reader(io.StringIO((await attachment.read()).decode("utf-8"))))


def _table(rows: list[list[str]], number: int) -> list[list[str]]:
    """One of the record CSV's three tables (0: summary, 1: schemes, 2: sessions), without its header."""
    tables: list[list[list[str]]] = [[]]
    for row in rows:
        if row:
            tables[-1].append(row)
        else:
            tables.append([])
    return tables[number][1:]


UK = "UK Balint Society (leader accreditation)"
GERMAN = "German medical chambers (Balint group)"
ABFM = "ABFM (Balint attendance)"


async def test_a_member_a_co_leader_and_an_anonymous_presenter_see_their_records(alpha: Alpha) -> None:
    """Counts, hours, cases, dates and the schemes' progress, each privately; the presenter's anonymous case
    counts in her own view only; her CSV says so to her alone."""
    server = alpha.server
    mine = await alpha.ada.slash(server.text, "balint record")
    embed = _embed(mine)
    assert embed.title == "Your record"
    assert embed.description.startswith("Your record in this server's groups.\nA session counts as attended with at"
                                        " least 50% of it in the voice channel")
    assert _fields(mine) == {"Alpha": [
        "Sessions attended: **3** · led: **0** · co-led: **0**",
        "Hours: **3.3**",
        "Cases presented: **1**, 1 of them anonymously (only you see this)",
        "From March 29, 2026 to May 5, 2026",
        f"⏳ {UK}: 3 of 20 sessions and 0 of 20 sessions co-led",
        f"⏳ {GERMAN}: 3.3 of 30 hours, over 1 of at least 6 months",
        f"⏳ {ABFM}: 3 of 6 sessions within 8 in a row",
    ]}
    pressed, rows = await _csv(alpha.ada, mine)
    assert pressed.response.content.startswith("Your record as a CSV file")
    assert rows[0][-1] == "of which anonymously"
    assert _table(rows, 0) == [["Clinic", "Alpha", "3", "0", "0", "3.33", "1", "2026-03-29", "2026-05-05", "1"]]
    assert _table(rows, 1) == [
        ["Clinic", "Alpha", UK, "3 of 20 sessions; 0 of 20 sessions co-led", "no"],
        ["Clinic", "Alpha", GERMAN, "3.3 of 30 hours; over 1 of at least 6 months", "no"],
        ["Clinic", "Alpha", ABFM, "3 of 6 sessions within 8 in a row", "no"],
    ]
    assert _table(rows, 2) == [
        ["Clinic", "Alpha", "2026-03-29", "00:30", "90", "90", "yes", "", "anonymously"],
        ["Clinic", "Alpha", "2026-03-31", "19:00", "60", "60", "yes", "", ""],
        ["Clinic", "Alpha", "2026-05-05", "19:00", "50", "50", "yes", "", ""],
    ]

    coleader = _fields(await alpha.chloe.slash(server.text, "balint record"))["Alpha"]
    assert coleader[:3] == ["Sessions attended: **2** · led: **0** · co-led: **2**", "Hours: **2.5**",
                            "Cases presented: **0**"]
    assert f"⏳ {UK}: 2 of 20 sessions and 2 of 20 sessions co-led" in coleader
    leader = _fields(await alpha.leader.slash(server.text, "balint record"))["Alpha"]
    assert leader[0] == "Sessions attended: **3** · led: **3** · co-led: **0**"
    named = _fields(await alpha.dev.slash(server.text, "balint record"))["Alpha"]
    assert named[2] == "Cases presented: **1**", "a named presentation counts, without any anonymous mark"
    partial = _fields(await alpha.eve.slash(server.text, "balint record"))["Alpha"]
    assert partial[:2] == ["Sessions attended: **2** · led: **0** · co-led: **0**", "Hours: **1.8**"]
    assert partial[3] == "From March 31, 2026 to May 5, 2026"
    alpha.scan.assert_clean()


async def test_a_leader_sees_a_members_record_without_the_anonymous_presentation(alpha: Alpha) -> None:
    """The leader's view (and CSV) of the anonymous presenter reads exactly as that of her twin, who never
    presented; /attendance's record columns too; the leak scan holds them to it."""
    server, leader, ada, ben = alpha.server, alpha.leader, alpha.ada, alpha.ben
    of_ada = await leader.slash(server.text, "balint record", member=ada)
    of_ben = await leader.slash(server.text, "balint record", member=ben)
    assert _embed(of_ada).title == "Record of Dr Ada" and _embed(of_ben).title == "Record of Dr Ben"
    assert _embed(of_ada).description.startswith("In the groups you lead.")
    assert _fields(of_ada)["Alpha"][2] == "Cases presented: **0**"
    assert _fields(of_ada) == _fields(of_ben)
    csv_ada, rows_ada = await _csv(leader, of_ada)
    csv_ben, rows_ben = await _csv(leader, of_ben)
    assert csv_ada.response.content == f"The record of <@{ada.id}> in the groups you lead, as a CSV file."
    assert rows_ada == rows_ben and rows_ada[0][-1] == "last session", "no column of anonymous presentations"
    assert [r[-1] for r in _table(rows_ada, 2)] == ["", "", ""]

    attendance = await leader.slash(server.text, "attendance", group="Alpha")
    text = (await attendance.response.attachments[0].read()).decode()
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][5:] == ["sessions attended", "sessions led", "sessions co-led", "hours", "cases presented",
                            "first session", "last session"]
    totals = {r[2]: r[5:] for r in table if r[0] == "total"}
    assert totals["Dr Ada"] == totals["Dr Ben"] == ["3", "0", "0", "3.33", "0", "2026-03-29", "2026-05-05"]
    assert totals["Dr Dev"] == ["3", "0", "0", "3.33", "1", "2026-03-29", "2026-05-05"]
    assert totals["Dr Chloe"] == ["2", "0", "2", "2.50", "0", "2026-03-29", "2026-03-31"]
    assert totals["Dr Eve"] == ["2", "0", "0", "1.83", "0", "2026-03-31", "2026-05-05"]
    alpha.scan.asked_about(ben, "Dr Ben", (of_ada, of_ben), (csv_ada, csv_ben), attendance)
    alpha.scan.assert_clean()


async def test_the_scan_tells_the_presenter_from_her_twin_when_a_view_differs(alpha: Alpha) -> None:
    """The comparison is no empty check: Ada's own record (with her anonymous case) differs from Ben's."""
    server = alpha.server
    ada_own = await alpha.ada.slash(server.text, "balint record")
    ben_own = await alpha.ben.slash(server.text, "balint record")
    alpha.scan.asked_about(alpha.ben, "Dr Ben", (ada_own, ben_own))
    assert any("differs from the same about their twin" in p and "anonymously" in p for p in alpha.scan.problems())


async def test_anyone_else_asking_for_a_member_is_refused_and_dms_show_ones_own(alpha: Alpha) -> None:
    """A member asking for another is refused privately; in DMs one's own record across servers, and a member's
    is refused; a leader asking about someone with nothing in their groups is told so."""
    server = alpha.server
    refused = await alpha.ben.slash(server.text, "balint record", member=alpha.dev)
    assert refused.ephemeral and refused.response.content == (
        "Only a group's leaders can see another member's record, for the groups they lead; /balint record without"
        " a member shows your own.")
    in_dm = await alpha.ada.user.slash("balint record")
    assert in_dm.ephemeral
    assert _embed(in_dm).description.startswith("Your record in every server's groups.")
    assert list(_fields(in_dm)) == ["Alpha (Clinic)"]
    assert _fields(in_dm)["Alpha (Clinic)"][2] == "Cases presented: **1**, 1 of them anonymously (only you see this)"
    _, rows = await _csv(alpha.ada.user, in_dm)
    assert _table(rows, 0)[0][:3] == ["Clinic", "Alpha", "3"]
    other_dm = await alpha.leader.user.slash("balint record", member=alpha.ada.user)
    assert other_dm.response.content.startswith("In direct messages you can see only your own record")
    alpha.scan.asked_about(alpha.ben, "Dr Ben", (other_dm, await alpha.leader.user.slash("balint record",
                                                                                         member=alpha.ben.user)))
    zed = server.guild.add_member(alpha.h.env.create_user("zed"))
    nothing = await alpha.leader.slash(server.text, "balint record", member=zed)
    assert nothing.response.content == (
        "zed has no record in the groups you lead: nothing counts for them there yet.")
    fresh = await alpha.h.env.create_user("yan").slash("balint record")
    assert fresh.response.content.startswith("You have no record yet")
    alpha.scan.assert_clean()


async def test_records_in_french(alpha: Alpha) -> None:
    """A French reader gets the record, its progress and its CSV in French: decimal commas, plurals, dates."""
    server = alpha.server
    for actor in (alpha.ada, alpha.ben, alpha.leader):
        speak(alpha.h.env, actor, "fr")
    mine = await alpha.ada.slash(server.text, "balint record")
    assert _embed(mine).title == "Votre relevé"
    assert _fields(mine)["Alpha"] == [
        "Séances suivies : **3** · animées : **0** · coanimées : **0**",
        "Heures : **3,3**",
        "Cas présentés : **1**, dont 1 anonymement (visible par vous seulement)",
        "Du 29 mars 2026 au 5 mai 2026",
        f"⏳ {UK} : 3 sur 20 séances et 0 sur 20 séances coanimées",
        f"⏳ {GERMAN} : 3,3 sur 30 heures, sur 1 mois, pour au moins 6 mois",
        f"⏳ {ABFM} : 3 sur 6 séances parmi 8 consécutives",
    ]
    pressed, rows = await _csv(alpha.ada, mine, label="Fichier CSV")
    assert pressed.response.content.startswith("Votre relevé en fichier CSV")
    assert rows[0][:3] == ["serveur", "groupe", "séances suivies"] and rows[0][-1] == "dont anonymement"
    assert _table(rows, 2)[0][6:] == ["oui", "", "anonymement"]
    of_ada = await alpha.leader.slash(server.text, "balint record", member=alpha.ada)
    assert _embed(of_ada).title == "Relevé de Dr Ada"
    assert _fields(of_ada)["Alpha"][2] == "Cas présentés : **0**"
    of_ben = await alpha.leader.slash(server.text, "balint record", member=alpha.ben)
    csv_ada, rows_ada = await _csv(alpha.leader, of_ada, label="Fichier CSV")
    csv_ben, _ = await _csv(alpha.leader, of_ben, label="Fichier CSV")
    assert rows_ada[0][-1] == "dernière séance"
    refused = await alpha.ben.slash(server.text, "balint record", member=alpha.dev)
    assert refused.response.content.startswith("Seuls les animateurs d'un groupe peuvent voir le relevé")
    alpha.scan.asked_about(alpha.ben, "Dr Ben", (of_ada, of_ben), (csv_ada, csv_ben))
    alpha.scan.assert_clean()


async def test_the_record_is_exported_and_forgotten(alpha: Alpha) -> None:
    """The export holds the stays, the roles, the sessions counted and, for the presenter alone, the anonymous
    presentation; forget-me empties her record and the seal; the twin's record is untouched."""
    server, h, ada, ben = alpha.server, alpha.h, alpha.ada, alpha.ben
    export = await export_of(ada, server.text)
    assert [(r["group"], r["sessions_attended"], r["hours"], r["cases_presented"], r["cases_presented_anonymously"],
             r["first_session"], r["last_session"]) for r in export["records"]] == [
        ("Alpha", 3, 3.33, 1, 1, "2026-03-29", "2026-05-05")]
    assert len(export["records"][0]["sessions_counted"]) == 3
    assert len(export["session_stays"]) == 3 and export["session_roles"] == []
    assert [s["session_id"] for s in export["sessions_presented_anonymously"]] == [1]
    raw = json.dumps(export, ensure_ascii=False)
    assert str(ada.id) not in raw and "Dr Ada" not in raw, "the file names no one"
    twin = await export_of(ben, server.text)
    assert twin["sessions_presented_anonymously"] == [] and twin["records"][0]["cases_presented"] == 0
    coleader = await export_of(alpha.chloe, server.text)
    assert [r["role"] for r in coleader["session_roles"]] == ["coled", "coled", "coled"], "listed in all three"
    assert coleader["records"][0]["sessions_coled"] == 2, "but co-led only those attended"
    assert h.rows("SELECT count(*) FROM sessions WHERE presenter_tag IS NOT NULL") == [(1,)]

    done = await forget(ada, server.text)
    assert done.response.content.startswith("Done: balint-bot no longer stores anything about you.")
    assert h.rows("SELECT count(*) FROM sessions WHERE presenter_tag IS NOT NULL OR presenter_nonce IS NOT NULL") \
        == [(0,)]
    assert h.rows("SELECT count(*) FROM session_presence WHERE user_id = ?", (ada.id,)) == [(0,)]
    after = await ada.slash(server.text, "balint record")
    assert after.response.content.startswith("You have no record yet"), "no longer a member, nothing counted"
    assert (await export_of(ada, server.text))["records"] == []
    assert _fields(await ben.slash(server.text, "balint record"))["Alpha"][0].startswith(
        "Sessions attended: **3**")
    alpha.scan.assert_clean()


async def test_the_csv_button_checks_again_who_presses_and_survives_a_restart(alpha: Alpha) -> None:
    """After a restart the button still answers; a leader who no longer leads is refused the member's file."""
    server, leader, chloe, ada = alpha.server, alpha.leader, alpha.chloe, alpha.ada
    of_ada = await chloe.slash(server.text, "balint record", member=ada)
    assert _fields(of_ada)["Alpha"][0] == "Sessions attended: **3** · led: **0** · co-led: **0**"
    own = await ada.slash(server.text, "balint record")
    await alpha.h.restart()
    _, rows = await _csv(ada, own)
    assert _table(rows, 0)[0][2] == "3"
    await leader.slash(server.text, "group coleader", group="Alpha", member=chloe, remove=True)
    pressed = await chloe.click(of_ada.response.message, label="CSV file")
    assert pressed.ephemeral and pressed.response.content.startswith(
        "Only a group's leaders can see another member's record")
    assert not pressed.response.attachments


async def test_a_leaders_view_does_no_seal_work(alpha: Alpha, monkeypatch: pytest.MonkeyPatch) -> None:
    """No seal is even tested for another's view or /attendance: it takes the same work whoever presented."""
    seal = alpha.h.bot.cases.rules.seal
    tested: list[int] = []
    original = seal.matches

    def counting(nonce: bytes, tag: bytes, user_id: int) -> bool:
        tested.append(user_id)
        return original(nonce, tag, user_id)

    monkeypatch.setattr(seal, "matches", counting)
    await alpha.leader.slash(alpha.server.text, "balint record", member=alpha.ada)
    await alpha.leader.slash(alpha.server.text, "attendance", group="Alpha")
    assert tested == []
    await alpha.ada.slash(alpha.server.text, "balint record")
    assert tested == [alpha.ada.id], "one's own view recognises one's own seal"


async def test_the_session_keeps_a_seal_and_no_id_once_the_case_is_purged(alpha: Alpha) -> None:
    """The case is gone; the session has no presenter id, only the case's seal, which names no one without the key."""
    h = alpha.h
    assert h.rows("SELECT count(*) FROM cases") == [(0,)]
    rows = h.rows("SELECT presenter_id, anonymous, length(presenter_nonce), length(presenter_tag), case_id, title"
                  " FROM sessions ORDER BY id")
    assert rows[0] == (None, 1, 16, 32, None, None)
    assert [r[:2] for r in rows[1:]] == [(alpha.dev.id, 0), (None, 0)]
    assert all(r[2] is None for r in rows[1:])


async def test_a_member_who_leaves_the_server_keeps_their_record_and_a_deleted_group_takes_its_records(
        alpha: Alpha) -> None:
    """Gone from the server, Ben still sees his record in DMs, and the leader still sees it; deleting the group
    deletes its sessions and everyone's record of it, as the confirm says."""
    server, h, ben, leader = alpha.server, alpha.h, alpha.ben, alpha.leader
    server.guild.remove_member(ben)
    await h.env.settle()
    assert h.rows("SELECT count(*) FROM members WHERE user_id = ?", (ben.id,)) == [(0,)]
    in_dm = await ben.user.slash("balint record")
    assert _fields(in_dm)["Alpha (Clinic)"][0] == "Sessions attended: **3** · led: **0** · co-led: **0**"
    by_leader = await leader.slash(server.text, "balint record", member=ben.user)
    assert _fields(by_leader)["Alpha"][0].startswith("Sessions attended: **3**")

    asked = await leader.slash(server.text, "group delete", group="Alpha")
    assert "everyone's records of its sessions" in asked.response.content
    await leader.click(asked.response.message, label="Delete the group")
    assert h.rows("SELECT count(*) FROM sessions") == [(0,)]
    assert h.rows("SELECT count(*) FROM session_presence") == [(0,)]
    gone = await ben.user.slash("balint record")
    assert gone.response.content.startswith("You have no record yet")
