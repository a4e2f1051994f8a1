"""/privacy info, export and forget-me, end to end, in servers and in DMs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import discord
import simcord

from bot.discord_io.sessions import CLOSING
from tests.e2e.conftest import Harness, Server, running
from tests.e2e.leaks import LeakScan
from tests.support.cases import case_id, propose
from tests.support.locales import speak
from tests.support.meetings import reminders, schedule, until
from tests.support.privacy import clinic, daily, export_of, forget, speaking, stored
from tests.support.sessions import count_messages, is_muted, ready_group, session_panel

__all__ = ["clinic", "daily"]  # fixtures


def _panels(server: Server) -> list[discord.Message]:
    return [m for m in server.text.history() if m.embeds and m.embeds[0].title.startswith("Balint session")]


# ---------------------------------------------------------------- /privacy info


async def test_info_says_what_is_stored_in_english_and_french_in_servers_and_dms(harness: Harness,
                                                                              server: Server) -> None:
    """The notice, privately, in the caller's language, with this bot's retention figures; also in DMs."""
    ada = server.members[0]
    shown = await ada.slash(server.text, "privacy info")
    embed = shown.response.embeds[0]
    assert shown.ephemeral and embed.title == "What balint-bot stores about you"
    text = embed.description + "".join(f"{f.name} {f.value}" for f in embed.fields)
    assert "from the channel 24 hours after the session ends" in text
    assert "deleted 30 days later, unless the bot is added back" in text
    assert "as soon as its session ends by default" in text and "up to 168 hours" in text
    assert "HMAC-SHA256" in text and "a file apart from the database" in text, "where anonymity comes from"

    with speaking("fr"):
        french = await ada.slash(server.text, "privacy info")
        in_dm = await ada.user.slash("privacy info")
    assert french.response.embeds[0].title == "Ce que balint-bot conserve à votre sujet"
    assert "24 heures après la fin de la séance" in "".join(f.value for f in french.response.embeds[0].fields)
    assert in_dm.ephemeral and in_dm.response.embeds[0].title == "Ce que balint-bot conserve à votre sujet"


async def test_info_follows_the_settings_the_purges_use(tmp_path: Path) -> None:
    """Other settings, another notice: it is generated from them, not written beside them."""
    async for h in running(Harness(tmp_path, settings={"message_retention_hours": 0, "server_grace_days": 7})):
        server = h.server()
        shown = await server.members[0].slash(server.text, "privacy info")
        text = "".join(f.value for f in shown.response.embeds[0].fields)
        assert "message_retention_hours is 0 here" in text
        assert "deleted 7 days later" in text


# ---------------------------------------------------------------- /privacy export


async def test_the_export_holds_everything_about_the_caller_in_every_server(daily: Harness, clinic: Server) -> None:
    """Memberships, leaderships, cases (an anonymous one too), RSVPs, a case announced, attendance, a mute,
    feedback answered, across two servers; nobody else's export shows the anonymous case; the answer is not in it."""
    h, server = daily, clinic
    leader, ada = await ready_group(server)
    ben = server.members[1]
    hospice = h.server("Hospice")
    ada_there = hospice.guild.add_member(ada.user)
    await hospice.create_group("Beta")
    await hospice.join(ada_there, "Beta")
    await hospice.admin.slash(hospice.text, "group coleader", group="Beta", member=ada_there)
    await propose(server, ada, "Named worry", "She calls every day.")
    await propose(hospice, ada_there, "Quiet worry", "I avoid him.", anonymous=True, group="Beta")

    await schedule(leader, server, start="2026-01-01 01:00")
    await until(h, datetime(2026, 1, 1, 0, 45, tzinfo=UTC))
    await ada.click(reminders(server)[0], label="I have a case")
    await ben.click(reminders(server)[0], label="Going")
    await until(h, datetime(2026, 1, 1, 1, 0, tzinfo=UTC))
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await leader.click(session_panel(server), label="Next")  # past the opening
    await leader.click(session_panel(server), label="Next")
    await leader.click(session_panel(server), label="Next")
    assert is_muted(server, ada)
    muted = await export_of(ada, server.text)
    assert [m["server_id"] for m in muted["mutes"]] == [str(server.guild.id)]
    await leader.click(session_panel(server), label="End")
    closing = server.text.last_message
    form = await ada.click(closing, label="Give feedback (anonymous)")
    await ada.submit_modal(form, {"rating": ["4"], "comment": "Brightmoor helped me"})
    await ada.leave_voice()

    export = await export_of(ada, server.text)
    assert export["about"].startswith("Everything balint-bot stores about you")
    assert any("Anonymous feedback is not linked to anyone" in note for note in export["notes"])
    assert {(m["server_id"], m["group"]) for m in export["memberships"]} == {
        (str(server.guild.id), "Alpha"), (str(hospice.guild.id), "Beta")}
    assert [(r["group"], r["server_id"]) for r in export["leaderships"]] == [("Beta", str(hospice.guild.id))]
    assert [(c["title"], c["story"], c["anonymous"]) for c in export["cases"]] == [
        ("Named worry", "She calls every day.", False), ("Quiet worry", "I avoid him.", True)]
    assert len(export["sessions_presented"]) == 1 and len(export["feedback_answered"]) == 1
    assert [(r["group"], r["answer"]) for r in export["rsvps"]] == [("Alpha", "going")]
    assert [m["meeting_id"] for m in export["cases_announced"]] == [export["rsvps"][0]["meeting_id"]]
    assert export["attendance"] and export["attendance"][0]["left_at"] is not None
    assert export["mutes"] == [], "lifted when the session ended"
    raw = json.dumps(export, ensure_ascii=False)
    assert "Brightmoor" not in raw and '"rating"' not in raw, "the feedback answer is linked to no one"
    assert str(ada.id) not in raw and "Dr Ada" not in raw, "the file names no one"
    in_dm = await export_of(ada.user)
    assert stored(in_dm) == stored(export), "the same in DMs"

    others = [await export_of(ben, server.text), await export_of(hospice.admin, hospice.text),
              await export_of(hospice.members[0], hospice.text)]
    assert all("Quiet worry" not in json.dumps(o) and o["cases"] == [] for o in others)
    assert [r["answer"] for r in others[0]["rsvps"]] == ["going"] and others[0]["cases_announced"] == []
    assert len((await export_of(leader, server.text))["meeting_series_scheduled"]) == 1


async def test_an_export_of_nothing_says_so(harness: Harness, server: Server) -> None:
    """Someone the bot knows nothing about gets a file that holds nothing, and is told."""
    result = await server.members[4].slash(server.text, "privacy export")
    assert result.ephemeral
    answer = (result.followups or [result.response])[-1]
    assert answer.content.startswith("balint-bot stores nothing about you")
    assert stored(await export_of(server.members[4], server.text)) == {}


# ---------------------------------------------------------------- /privacy forget-me


async def test_forget_me_asks_first_and_keep_deletes_nothing(harness: Harness, server: Server) -> None:
    """The prompt says what goes; "Keep my data" deletes nothing."""
    await ready_group(server)
    ada = server.members[0]
    asked = await ada.slash(server.text, "privacy forget-me")
    assert asked.ephemeral and "in every server" in asked.response.content
    assert [c.label for row in asked.response.message.components for c in row.children] == [
        "Forget me", "Keep my data"]
    assert all(c.custom_id.startswith("balint:forget:") and str(ada.id) not in c.custom_id
               for row in asked.response.message.components for c in row.children)
    kept = await ada.click(asked.response.message, label="Keep my data")
    assert kept.response.content == "Nothing was deleted."
    assert harness.rows("SELECT count(*) FROM members WHERE user_id = ?", (ada.id,)) == [(1,)]
    with speaking("fr"):
        french = await ada.slash(server.text, "privacy forget-me")
    assert [c.label for row in french.response.message.components for c in row.children] == [
        "Oubliez-moi", "Garder mes données"]


async def test_forget_me_by_a_presenter_in_a_running_session(harness: Harness, server: Server) -> None:
    """The session ends cleanly first (closing, unmute), the panel naming them goes, then everything else."""
    leader, ada = await ready_group(server)
    await propose(server, ada, "Her other case")
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await leader.click(session_panel(server), label="Next")  # past the opening
    await leader.click(session_panel(server), label="Next")
    await leader.click(session_panel(server), label="Next")
    assert is_muted(server, ada)

    done = await forget(ada, server.text)
    assert done.response.content == "Done: balint-bot no longer stores anything about you. /privacy export shows it."
    assert not is_muted(server, ada), "unmuted by the session's own end"
    assert harness.rows("SELECT status, presenter_id FROM sessions") == [("ended", None)]
    assert count_messages(server, CLOSING.split("\n")[0]) == 1, "ended as End ends it"
    assert _panels(server) == [], "the panel named her"
    assert harness.rows("SELECT count(*) FROM voice_mutes") == [(0,)]
    assert harness.rows("SELECT count(*) FROM members") == [(4,)], "the others stay"
    assert stored(await export_of(ada, server.text)) == {}
    feedback = await ada.click(server.text.last_message, label="Give feedback (anonymous)")
    assert feedback.response.content.startswith("Only members of Alpha give feedback")


async def test_forget_me_by_the_only_leader_keeps_the_group_and_tells_the_admins(harness: Harness,
                                                                                  server: Server) -> None:
    """A group they alone lead stays, leaderless; the admins are told in its channel, naming nobody.
    A group they co-lead keeps its other leader, and no one is told."""
    ben, ada = server.members[1], server.members[0]
    await server.create_group("Alpha", leader=ben)
    await server.join(ada)
    text2, voice2 = server.guild.create_text_channel("beta"), server.guild.create_voice_channel("Beta Room")
    await server.admin.slash(server.text, "group create", name="Beta", text_channel=text2, voice_channel=voice2)
    await server.admin.slash(server.text, "group coleader", group="Beta", member=ben)

    done = await forget(ben, server.text)
    assert done.response.content.endswith(
        "These groups, which you alone led, stay with no leader, and their servers' admins are told: Alpha.")
    notice = server.text.last_message
    assert notice.content == ("**Alpha** has no leader any more. Server admins (Manage Server): add one with"
                              " `/group coleader`; until then nobody can start its sessions or schedule its meetings.")
    assert notice.mentions == [] and str(ben.id) not in notice.content
    assert [m.content for m in text2.history() if "no leader" in m.content] == []
    assert harness.rows("SELECT name FROM groups ORDER BY name") == [("Alpha",), ("Beta",)]
    assert harness.rows("SELECT g.name, l.user_id FROM leaders l JOIN groups g ON g.id = l.group_id") == [
        ("Beta", server.admin.id)]
    info = await ada.slash(server.text, "group info", group="Alpha")
    assert next(f.value for f in info.response.embeds[0].fields if f.name == "Leaders").startswith("none")
    refused = await ada.slash(server.text, "session start", group="Alpha")
    assert refused.response.content.startswith("Only the leaders of Alpha")
    added = await server.admin.slash(server.text, "group coleader", group="Alpha", member=ada)
    assert added.response.content.startswith(ada.mention)


async def test_the_admins_notice_goes_to_the_owner_when_the_channel_refuses(harness: Harness,
                                                                           server: Server) -> None:
    """If the group's channel is closed to the bot, the server's owner is told by DM instead."""
    bot_member = server.guild.me
    locked = server.guild.create_text_channel(
        "locked", overwrites={bot_member: discord.PermissionOverwrite(send_messages=False)})
    ben = server.members[1]
    await server.admin.slash(server.text, "group create", name="Gamma", text_channel=locked,
                             voice_channel=server.guild.create_voice_channel("Gamma Room"), leader=ben)
    await forget(ben, server.text)
    told = server.guild.owner.dm_channel.last_message
    assert told is not None and told.content.startswith("In Clinic: **Gamma** has no leader any more.")


async def test_forget_me_by_the_author_of_anonymous_cases_with_a_leak_scan(daily: Harness, clinic: Server) -> None:
    """Their export lists their anonymous cases and case seal; forget-me ends the session they present,
    removes the cases, relayed words, panel and seal; nobody else's export or view ever shows them."""
    h, server = daily, clinic
    ben, ada, chloe = server.members[1], server.members[0], server.members[2]
    await server.create_group("Alpha", leader=ben)
    for member in server.members:
        await server.join(member)
    scan = LeakScan.start(h.env, server.guild, ada, "Dr Ada", [server.admin, *server.members])
    try:
        await propose(server, ada, "Waiting one", "Not yet.", anonymous=True)
        await propose(server, ada, "The patient I dread", "He shouts.", anonymous=True)
        await schedule(ben, server, start="2026-01-01 01:00")
        await until(h, datetime(2026, 1, 1, 0, 45, tzinfo=UTC))
        await ada.click(reminders(server)[0], label="I have a case")
        await ben.slash(server.text, "session start", group="Alpha", case=await case_id(server, ben,
                                                                                          "The patient I dread"))
        await ada.send_dm("He was my first patient.")
        assert count_messages(server, "**Presenter:**") == 1

        mine = await export_of(ada, server.text)
        assert [(c["title"], c["anonymous"], c["state"]) for c in mine["cases"]] == [
            ("Waiting one", True, "queued"), ("The patient I dread", True, "presenting")]
        assert len(mine["cases_announced"]) == 1 and mine["rsvps"][0]["answer"] == "going"
        for other in (ben, chloe, server.admin):
            theirs = json.dumps(await export_of(other, server.text))
            assert "dread" not in theirs and "Waiting one" not in theirs

        (seal,) = h.rows("SELECT tag FROM meeting_case_marks")
        done = await forget(ada, server.text)
        assert done.response.content.startswith("Done: balint-bot no longer stores anything about you.")
        assert h.rows("SELECT status FROM sessions") == [("ended",)]
        assert count_messages(server, "**Presenter:**") == 0, "their relayed words left the channel"
        assert _panels(server) == [], "the panel showed their case's title"
        assert count_messages(server, CLOSING.split("\n")[0]) == 1
        assert h.rows("SELECT count(*) FROM cases") == [(0,)]
        # Still counted, so that the count does not fall as they go; no longer theirs (a random tag).
        (unlinked,) = h.rows("SELECT tag FROM meeting_case_marks")
        assert unlinked != seal and len(unlinked[0]) == len(seal[0])
        assert h.rows("SELECT count(*) FROM meeting_rsvps") == [(0,)]
        assert stored(await export_of(ada, server.text)) == {}
    finally:
        scan.stop()
    scan.assert_clean()


async def test_the_new_paths_never_show_an_anonymous_author(harness: Harness, server: Server) -> None:
    """Exports by everyone, forget-me by the only leader with its admins' notice, then the author's own:
    the leak scan finds the anonymous author nowhere."""
    ben, ada = server.members[1], server.members[0]
    await server.create_group("Alpha", leader=ben)
    for member in server.members:
        await server.join(member)
    scan = LeakScan.start(harness.env, server.guild, ada, "Dr Ada", [server.admin, *server.members])
    try:
        await propose(server, ada, "Unsigned", "A story.", anonymous=True)
        everyone: list[simcord.MemberActor] = [server.admin, *server.members]
        for member in everyone:
            await export_of(member, server.text)
        await forget(ben, server.text)
        assert "no leader any more" in server.text.last_message.content
        assert [c["title"] for c in (await export_of(ada, server.text))["cases"]] == ["Unsigned"]
        await forget(ada, server.text)
        assert harness.rows("SELECT count(*) FROM cases") == [(0,)]
    finally:
        scan.stop()
    scan.assert_clean()


async def test_the_leak_scan_reads_every_uploaded_file(harness: Harness, server: Server) -> None:
    """The scan is no empty check for files: one that names the author, whoever it went to, is found."""
    ada = server.members[0]
    scan = LeakScan.start(harness.env, server.guild, ada, "Dr Ada", [server.admin, *server.members])
    try:
        harness.env.backend.cdn.store_attachment(1, server.text.id, "export.json", f'{{"id": "{ada.id}"}}'.encode(),
                                                 None)
        assert any(p.startswith("file export.json:") for p in scan.problems())
    finally:
        scan.stop()


async def test_the_forget_me_button_works_after_a_restart(harness: Harness, server: Server) -> None:
    """The confirm is a persistent button: a new process still forgets whoever clicks it."""
    await ready_group(server)
    ada = server.members[0]
    asked = await ada.slash(server.text, "privacy forget-me")
    await harness.restart()
    done = await ada.click(asked.response.message, label="Forget me")
    assert done.response.content.startswith("Done: balint-bot no longer stores anything about you.")
    assert harness.rows("SELECT count(*) FROM members WHERE user_id = ?", (ada.id,)) == [(0,)]


async def test_a_mute_the_bot_cannot_lift_yet_is_kept_until_it_is_lifted(harness: Harness, server: Server) -> None:
    """Muted, then out of voice: forget-me keeps only that mute (else she would stay muted), lifted at her return."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await leader.click(session_panel(server), label="Next")  # past the opening
    await leader.click(session_panel(server), label="Next")
    await leader.click(session_panel(server), label="Next")
    assert is_muted(server, ada)
    await ada.leave_voice()
    done = await forget(ada, server.text)
    assert done.response.content.endswith("until then it keeps only that it muted you there.")
    assert stored(await export_of(ada, server.text)).keys() == {"mutes"}
    assert harness.rows("SELECT session_id FROM voice_mutes") == [(None,)]
    await ada.join_voice(server.voice)
    assert not is_muted(server, ada)
    assert stored(await export_of(ada, server.text)) == {}


# ---------------------------------------------------------------- in French

NOTICE_HEADINGS_FR = [
    "Votre place dans les groupes", "Les cas", "Les séances", "Les messages du salon", "Réunions et présences",
    "Les avis", "Les micros coupés", "Mains levées", "Déconnexions et bilans", "Quand vous ou le bot partez",
    "Anonymat",
    "Effacé veut dire effacé",
    "Vos droits",
]
ORPHAN_FR = ("Le groupe **Alpha** n'a plus d'animateur. Administrateurs du serveur (Gérer le serveur) : ajoutez-en"
             " un avec `/group coleader` ; d'ici là, personne ne peut lancer ses séances ni planifier ses réunions.")


async def test_a_french_reader_gets_the_notice_the_export_and_forget_me_in_french(harness: Harness,
                                                                                 server: Server) -> None:
    """Their Discord in French: the notice, the export's words, forget-me's question, buttons and answers in
    French, the catalogue's words; the group they alone led speaks French, so its admins are told in French;
    an English reader beside them still reads English."""
    ben, ada = server.members[1], server.members[0]
    await server.create_group("Alpha", leader=ben)
    await server.join(ada)
    await ben.slash(server.text, "group config", group="Alpha", language="fr")
    english = await export_of(ben, server.text)
    speak(harness.env, ben, "fr")

    info = await ben.slash(server.text, "privacy info")
    embed = info.response.embeds[0]
    assert info.ephemeral and embed.title == "Ce que balint-bot conserve à votre sujet"
    assert embed.description.startswith("Le bot garde le moins possible, le moins longtemps possible.")
    assert [f.name for f in embed.fields] == NOTICE_HEADINGS_FR
    text = "".join(f.value for f in embed.fields)
    assert "24 heures après la fin de la séance" in text and "30 jours plus tard" in text
    assert "dès la fin de sa séance par défaut" in text and "jusqu'à 168 heures" in text
    assert "les animateurs" in text and "la personne qui présente" in text
    assert "leader" not in text and "présentateur" not in text.casefold() and "What:" not in text

    export = await export_of(ben, server.text)
    assert export["about"].startswith("Tout ce que balint-bot conserve à votre sujet, sur tous les serveurs")
    assert export["notes"][1].startswith("Les avis anonymes ne sont liés à personne")
    assert export["notes"][2] == "/privacy forget-me efface tout cela."
    assert export.keys() == english.keys() and stored(export) == stored(english), "only the words change"
    empty = await server.members[4].slash(server.text, "privacy export")
    assert (empty.followups or [empty.response])[-1].content.startswith("balint-bot stores nothing about you")

    asked = await ben.slash(server.text, "privacy forget-me")
    assert asked.response.content.startswith("Ceci efface tout ce que balint-bot conserve à votre sujet")
    assert "sans animateur" in asked.response.content and asked.response.content.endswith("irréversible.")
    kept = await ben.click(asked.response.message, label="Garder mes données")
    assert kept.response.content == "Rien n'a été effacé."
    again = await ben.slash(server.text, "privacy forget-me")
    done = await ben.click(again.response.message, label="Oubliez-moi")
    assert done.response.content == (
        "C'est fait : balint-bot ne conserve plus rien à votre sujet. /privacy export le montre. Ces groupes, que"
        " vous animiez sans personne d'autre, restent sans animateur, et les administrateurs de leurs serveurs sont"
        " prévenus : Alpha.")
    assert server.text.last_message.content == ORPHAN_FR, "in the group's language"

    theirs = await export_of(ada, server.text)
    assert theirs["about"].startswith("Everything balint-bot stores about you"), "an English reader reads English"
    kept_en = await ada.click((await ada.slash(server.text, "privacy forget-me")).response.message,
                              label="Keep my data")
    assert kept_en.response.content == "Nothing was deleted."


async def test_a_french_group_tells_its_owner_in_french(harness: Harness, server: Server) -> None:
    """The group's channel refuses the bot: the owner's DM is in the group's language too."""
    locked = server.guild.create_text_channel(
        "locked", overwrites={server.guild.me: discord.PermissionOverwrite(send_messages=False)})
    ben = server.members[1]
    await server.admin.slash(server.text, "group create", name="Gamma", text_channel=locked,
                             voice_channel=server.guild.create_voice_channel("Gamma Room"), leader=ben)
    await ben.slash(server.text, "group config", group="Gamma", language="fr")
    await forget(ben, server.text)
    told = server.guild.owner.dm_channel.last_message
    assert told is not None and told.content.startswith(
        "Dans le serveur Clinic : Le groupe **Gamma** n'a plus d'animateur.")


async def test_a_mute_kept_is_told_in_french(harness: Harness, server: Server) -> None:
    """The sentence about a mute still to lift follows the reader's language like the rest."""
    leader, ada = await ready_group(server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    await leader.click(session_panel(server), label="Next")  # past the opening
    await leader.click(session_panel(server), label="Next")
    await leader.click(session_panel(server), label="Next")
    await ada.leave_voice()
    with speaking("fr-CA"):
        asked = await ada.slash(server.text, "privacy forget-me")
        done = await ada.click(asked.response.message, label="Oubliez-moi")
    assert done.response.content.startswith("C'est fait : balint-bot ne conserve plus rien à votre sujet.")
    assert done.response.content.endswith("d'ici là, il garde seulement le fait qu'il vous l'a coupé.")
