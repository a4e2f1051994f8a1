"""A French group, end to end: its channel in French, each person's private answers in their own language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import discord
import simcord

from bot.core.phases import build_template
from bot.core.session import ControlAction
from bot.core.text import Lang
from bot.discord_io.feedback import feedback_view
from bot.discord_io.sessions import (
    closing_message,
    done_message,
    panel_view,
    phase_message,
    time_up_message,
    warning_message,
)
from tests.e2e.conftest import Harness, Server, running
from tests.e2e.leaks import LeakScan
from tests.support.cases import case_id
from tests.support.locales import speak
from tests.support.meetings import answer, events
from tests.support.sessions import MIN, count_messages, is_muted, ready_group

PANEL_TITLE = "Séance Balint · Alpha"
PRESENTATION_FR = (
    "La personne qui présente raconte l'histoire d'un patient qui lui reste en tête, de mémoire et sans "
    "notes. Le groupe écoute ; ce qui est omis fait aussi partie de l'histoire."
)
OPENING_FR = (
    "Qui a un cas aujourd'hui ? L'animateur ou l'animatrice pose la question ; qui en a un le dit en une phrase, "
    "sans raconter l'histoire encore, et le groupe en choisit un. Les cas en attente sont listés ici. L'animateur "
    "ou l'animatrice passe à la suite avec « Phase suivante »."
)
ONLY_LEADERS_FR = "Seuls les animateurs du groupe Alpha peuvent piloter ses séances ; demandez à un animateur."


def _panel(server: Server) -> discord.Message:
    found = [m for m in server.text.history() if m.embeds and m.embeds[0].title == PANEL_TITLE]
    assert len(found) == 1, "one French panel in the group's channel"
    return found[0]


def _field(embed: discord.Embed, name: str) -> str:
    return next(str(f.value) for f in embed.fields if f.name == name)


def _labels(view: discord.ui.View | None) -> list[str]:
    assert view is not None
    buttons = [item.item if isinstance(item, discord.ui.DynamicItem) else item for item in view.children]
    return [str(button.label) for button in buttons if isinstance(button, discord.ui.Button)]


def _labels_of(message: discord.Message) -> list[str]:
    return [str(getattr(child, "label", "")) for row in message.components for child in row.children]


async def _french_group(harness: Harness, server: Server) -> tuple[simcord.MemberActor, simcord.MemberActor]:
    """Alpha with everyone in it; its leader (the admin) and Chloe read Discord in French; Alpha speaks French."""
    leader, ada = await ready_group(server)
    speak(harness.env, leader, "fr")
    speak(harness.env, server.members[2], "fr")
    configured = await leader.slash(server.text, "group config", group="Alpha", language="fr")
    assert configured.ephemeral and configured.response.content == "Groupe **Alpha** mis à jour."
    assert _field(configured.response.embeds[0], "Langue") == "français"
    assert harness.rows("SELECT language FROM groups") == [("fr",)]
    return leader, ada


async def test_a_session_in_a_french_group(harness: Harness, server: Server) -> None:
    """Panel, guidance and controls in French; a French member is refused in French, an English one in English."""
    leader, ada = await _french_group(harness, server)
    chloe, eve = server.members[2], server.members[4]
    info = await eve.slash(server.text, "group info", group="Alpha")
    assert _field(info.response.embeds[0], "Language") == "French", "a private answer follows its reader"

    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    # What the runner posts in the channel is in the group's language: the phase with its guidance.
    assert server.text.last_message.content.startswith("**Phase 1 sur 6 : Ouverture** · 3 min, se termine <t:")
    assert server.text.last_message.content.endswith(f"\n>>> {OPENING_FR}")
    embed = _panel(server).embeds[0]
    assert _field(embed, "Phases").splitlines()[0] == "▶ **Ouverture** · 3 min"
    assert _field(embed, "Cas en attente") == "Aucun cas n'attend ; un membre en propose un avec /case propose."
    assert _field(embed, "Mains levées") == (
        "Aucune pour l'instant : appuyez sur « Lever la main » pour demander la parole.")
    skipped = await leader.slash(server.text, "session next")
    assert skipped.response.content == "Passage à la phase Présentation."
    assert server.text.last_message.content.startswith("**Phase 2 sur 6 : Présentation** · 5 min, se termine <t:")
    assert server.text.last_message.content.endswith(f"\n>>> {PRESENTATION_FR}")
    embed = _panel(server).embeds[0]
    assert embed.description == f"**Cas :** Un cas du groupe\n**Présenté par :** {ada.mention}"
    lines = _field(embed, "Phases").splitlines()
    assert lines[:2] == ["✓ Ouverture · 3 min", "▶ **Présentation** · 5 min"]
    assert lines[2:] == ["· Questions de clarification · 5 min", "· Discussion (mise en retrait) · 25 min",
                         "· Retour de la personne qui présente · 7 min", "· Clôture · 3 min"]
    assert "Mains levées" not in [f.name for f in embed.fields], "the presenter alone speaks"
    assert _field(embed, "En ce moment").startswith("**Présentation** se termine <t:")
    assert _field(embed, "Consignes") == PRESENTATION_FR
    assert embed.footer.text == "Modèle : classic"

    await harness.env.advance_time(3 * MIN)
    assert count_messages(server, "⏳") == 1
    assert server.text.last_message.content == "⏳ Plus que **2 minutes** pour la phase Présentation."
    await harness.env.advance_time(1 * MIN)
    paused = await leader.click(_panel(server), label="Pause")
    assert paused.acknowledged
    assert _field(_panel(server).embeds[0], "En ce moment") == "**En pause** pendant Présentation, il reste 1:00"

    before = harness.rows("SELECT status, phase_index, remaining, version FROM sessions")
    refused = await chloe.click(_panel(server), label="Phase suivante")
    assert refused.ephemeral and refused.response.content == ONLY_LEADERS_FR
    english = await eve.click(_panel(server), label="Phase suivante")
    assert english.response.content == "Only the leaders of Alpha control its sessions; ask a leader."
    again = await leader.slash(server.text, "session pause")
    assert again.response.content == "La séance est déjà en pause ; appuyez sur Reprendre pour continuer."
    assert harness.rows("SELECT status, phase_index, remaining, version FROM sessions") == before
    status = await chloe.slash(server.text, "session status")
    assert status.ephemeral and status.response.embeds[0].title == PANEL_TITLE

    await leader.slash(server.text, "session resume")
    await harness.env.advance_time(1 * MIN)
    assert count_messages(server, "⏰") == 1
    assert server.text.last_message.content == (
        "⏰ Le temps est écoulé pour la phase **Présentation**. L'animateur ou l'animatrice passe à la suite avec"
        " « Phase suivante »."
    )
    await leader.slash(server.text, "session next")
    await leader.slash(server.text, "session next")
    embed = _panel(server).embeds[0]
    assert _field(embed, "Phases").splitlines()[3] == "▶ **Discussion (mise en retrait)** · 25 min"
    assert _field(embed, "Consignes").startswith("La personne qui présente se met en retrait et écoute en silence.")

    ended = await leader.click(_panel(server), label="Terminer")
    assert ended.acknowledged
    embed = _panel(server).embeds[0]
    assert _field(embed, "En ce moment") == "**Terminée.** Ce qui se dit dans le groupe reste dans le groupe."
    assert "Consignes" not in [f.name for f in embed.fields]

    closing = server.text.last_message
    assert closing.content.startswith(
        "La séance est terminée. Merci à toutes et à tous.\n**Ce qui se dit dans le groupe reste dans le groupe**"
    )
    form = await chloe.click(closing, label="Donner mon avis (anonyme)")
    assert form.modal is not None and form.modal["title"] == "Comment avez-vous vécu cette séance ?"
    sent = await chloe.submit_modal(form, {"rating": ["4"], "comment": ""})
    assert sent.response.content == "Merci. Votre réponse est anonyme."
    early = await leader.click(closing, label="Résultats (animateurs)")
    assert early.response.content == (
        "Les résultats s'affichent dès qu'au moins 3 membres ont répondu (1 pour l'instant), pour qu'aucune "
        "réponse ne puisse être rattachée à son auteur."
    )


async def test_the_notices_and_buttons_in_french(harness: Harness, server: Server) -> None:
    """Every form of the notices and buttons in French (the session above sees the ones a run posts)."""
    leader, ada = await _french_group(harness, server)
    await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    group = await harness.bot.group_store.group_by_name(server.guild.id, "Alpha")
    assert group is not None
    opening = await harness.bot.sessions.store.live_for_group(group.id)
    assert opening is not None
    assert _labels(panel_view(opening, Lang.FR)) == [
        "Pause", "+2 min", "Phase suivante", "Phase précédente", "Terminer", "Lever la main", "Donner la parole",
    ]
    assert _labels(panel_view(opening)) == ["Pause", "+2 min", "Next", "Back", "End", "Raise hand", "Next speaker"]
    await leader.slash(server.text, "session next")
    session = await harness.bot.sessions.store.live_for_group(group.id)
    assert session is not None
    phase = session.current_phase
    announced = phase_message(session.phases, session.state, Lang.FR)
    assert announced.startswith("**Phase 2 sur 6 : Présentation** · 5 min, se termine <t:")
    assert announced.endswith(f"\n>>> {PRESENTATION_FR}")
    assert warning_message(phase, 2, Lang.FR) == "⏳ Plus que **2 minutes** pour la phase Présentation."
    assert warning_message(phase, 1, Lang.FR) == "⏳ Plus que **1 minute** pour la phase Présentation."
    assert time_up_message(phase, auto=False, closes=False, lang=Lang.FR) == (
        "⏰ Le temps est écoulé pour la phase **Présentation**. L'animateur ou l'animatrice passe à la suite avec"
        " « Phase suivante »."
    )
    assert time_up_message(phase, auto=True, closes=True, lang=Lang.FR) == (
        "⏰ Le temps est écoulé pour la phase **Présentation**. La séance se termine maintenant."
    )
    assert closing_message(Lang.FR).startswith(
        "La séance est terminée. Merci à toutes et à tous.\n**Ce qui se dit dans le groupe reste dans le groupe**"
    )
    assert _labels(panel_view(session, Lang.FR)) == [
        "Pause", "+2 min", "Phase suivante", "Phase précédente", "Terminer",
    ]
    assert _labels(feedback_view(session.id, Lang.FR)) == ["Donner mon avis (anonyme)", "Résultats (animateurs)"]
    assert done_message(ControlAction.EXTEND, session, Lang.FR) == "Phase Présentation prolongée."
    assert done_message(ControlAction.END, session, Lang.FR) == "La séance est terminée."
    # And in English, exactly what the English suite reads.
    assert warning_message(phase, 2) == "⏳ **2 minutes** left in Presentation."
    assert _labels(panel_view(session)) == ["Pause", "+2 min", "Next", "Back", "End"]


async def test_a_custom_template_keeps_its_own_words(tmp_path: Path) -> None:
    """A custom phase is shown as its author wrote it; the panel around it is in French."""
    short = build_template("short", {"title": "Short case", "phases": [
        {"name": "Story", "minutes": 4, "speaker": "presenter", "guidance": "Tell it."},
        {"name": "Talk", "minutes": 6, "speaker": "group", "pushback": True, "guidance": "Listen."},
    ]})
    async for harness in running(Harness(tmp_path, settings={"templates": (short,)})):
        server = harness.server()
        leader, ada = await _french_group(harness, server)
        await leader.slash(server.text, "session start", group="Alpha", template="short", presenter=ada)
        embed = _panel(server).embeds[0]
        assert _field(embed, "Phases").splitlines() == ["▶ **Story** · 4 min", "· Talk · 6 min"]
        assert _field(embed, "Consignes") == "Tell it."
        assert embed.footer.text == "Modèle : short"


async def test_a_new_group_speaks_the_configured_language(tmp_path: Path) -> None:
    """With bot.default_language = "fr" a new group announces itself in French; a French reader joins in French."""
    async for harness in running(Harness(tmp_path, settings={"default_language": Lang.FR})):
        server = harness.server()
        created = await server.create_group()
        assert created.response.content.startswith("Created **Alpha**"), "the English admin reads English"
        announcement = server.text.last_message
        assert announcement.content.startswith("Ce salon accueille désormais le groupe Balint **Alpha**.")
        assert announcement.components[0].children[0].label == "Lire la charte et rejoindre"
        ben = server.members[1]
        speak(harness.env, ben, "fr")
        shown = await ben.click(announcement, label="Lire la charte et rejoindre")
        agreement = shown.response.embeds[0]
        assert agreement.title == "Rejoindre le groupe Alpha"
        assert "**Confidentialité** : ce qui se dit dans le groupe reste dans le groupe." in agreement.description
        agreed = await ben.click(shown.response.message, label="J'accepte")
        assert agreed.response.content == (
            f"Bienvenue dans le groupe Alpha. Ses séances ont lieu dans {server.text.mention}."
        )
        again = await ben.slash(server.text, "group join", group="Alpha")
        assert again.response.content == "Vous êtes déjà membre du groupe Alpha."


async def test_a_french_admin_deletes_and_asks_for_help_in_french(harness: Harness, server: Server) -> None:
    """The confirmation, its buttons, the help and /balint check follow the admin's Discord language."""
    await server.create_group()
    speak(harness.env, server.admin, "fr")
    asked = await server.admin.slash(server.text, "group delete", group="Alpha")
    assert asked.response.content == (
        "Supprimer le groupe **Alpha**, avec 0 membre, ses animateurs, ses réglages et les relevés de chacun pour ses"
        " séances (chacun peut d'abord garder le sien : /balint record, Fichier CSV) ? Cette action est irréversible."
    )
    kept = await server.admin.click(asked.response.message, label="Le conserver")
    assert kept.response.content == "Le groupe Alpha est conservé."
    helped = await server.admin.slash(server.text, "balint help")
    page = helped.response.embeds[0]
    assert page.title == "Les groupes Balint avec balint-bot"
    assert "1. Ouverture : 3 min\n2. Présentation : 5 min" in page.fields[1].value
    assert "`/group join` : lire la charte et rejoindre le groupe" in page.fields[2].value
    english = await server.admin.slash(server.text, "balint help", language="en")
    assert english.response.embeds[0].title == "Balint groups with balint-bot"
    checked = await server.admin.slash(server.text, "balint check")
    assert checked.response.embeds[0].title == "Permissions de balint-bot"
    assert _field(checked.response.embeds[0], "Alpha") == "✅ Rien ne manque."
    refused = await server.admin.slash(server.text, "group config", group="Alpha", timezone="Mars/Olympus")
    assert refused.response.content == (
        "« Mars/Olympus » n'est pas un nom de fuseau horaire IANA. Utilisez un nom comme Europe/Paris ou"
        " America/Toronto."
    )


def _inputs(modal: dict[str, Any]) -> dict[str, str]:
    """A form's text inputs, by custom id: their labels (in an action row or a label component)."""
    found = {}
    for row in modal["components"]:
        if "component" in row:
            found[row["component"]["custom_id"]] = row["label"]
        else:
            found[row["components"][0]["custom_id"]] = row["components"][0]["label"]
    return found


async def test_a_case_proposed_and_presented_anonymously_in_french(harness: Harness, server: Server) -> None:
    """The case form, the identifier warning, the queue, and an anonymous presenter's relay, all in French."""
    leader, _ = await _french_group(harness, server)
    chloe, eve = server.members[2], server.members[4]
    scan = LeakScan.start(harness.env, server.guild, chloe, "Dr Chloe", [server.admin, *server.members])
    try:
        shown = await chloe.slash(server.text, "case propose", group="Alpha", anonymous=True)
        assert shown.modal is not None and shown.modal["title"] == "Proposer un cas anonyme"
        assert _inputs(shown.modal) == {"title": "Titre", "story": "Récit (facultatif, au plus 1\u202f500 caractères)"}
        warned = await chloe.submit_modal(shown, {
            "title": "La patiente du jeudi",
            "story": "Mme Dupont, née le 12/03/1954, m'appelle au 06 12 34 56 78 chaque semaine.",
        })
        assert warned.ephemeral and warned.response.content == (
            "Avant l'enregistrement : ce texte pourrait identifier un patient, car il contient un nom précédé d'un"
            " titre (Mme Dupont), une date de naissance (12/03/1954) et un numéro de téléphone (06 12 34 56 78)."
            " Les patients ne sont jamais nommés dans le groupe. Modifiez le texte, ou gardez-le tel quel s'il"
            " n'identifie personne."
        )
        assert [b.label for b in warned.response.message.components[0].children] == ["Modifier", "Garder tel quel"]
        edit = await chloe.click(warned.response.message, label="Modifier")
        assert edit.modal is not None and edit.modal["title"] == "Proposer un cas anonyme"
        saved = await chloe.submit_modal(edit, {"title": "La patiente du jeudi", "story": "Elle m'appelle souvent."})
        assert saved.response.content == (
            "Votre cas « La patiente du jeudi » est en attente dans le groupe Alpha. Personne ne saura qu'il vient"
            " de vous."
        )
        listed = await leader.slash(server.text, "case list", group="Alpha")
        assert listed.response.content == "Cas du groupe Alpha :\n• **La patiente du jeudi** · anonyme"
        english = await eve.slash(server.text, "case list", group="Alpha")
        assert english.response.content == "Cases of Alpha:\n• **La patiente du jeudi** · anonymous"

        await leader.slash(server.text, "session start", group="Alpha",
                           case=await case_id(server, leader, "La patiente du jeudi"))
        assert "Parler en tant que personne qui présente" in _labels_of(_panel(server))
        await leader.click(_panel(server), label="Phase suivante")  # past the opening: the presentation
        await chloe.send_dm("Elle était ma première patiente ici.")
        assert server.text.last_message.content == "**La personne qui présente :** Elle était ma première patiente ici."
        assert chloe.user.dm_channel.last_message.content == "Relayé au groupe, signé « La personne qui présente »."

        await leader.click(_panel(server), label="Phase suivante")
        form = await chloe.click(_panel(server), label="Parler en tant que personne qui présente")
        assert form.modal is not None and form.modal["title"] == "Parler en tant que personne qui présente"
        assert _inputs(form.modal) == {"words": "Vos mots, publiés sans votre nom"}
        sent = await chloe.submit_modal(form, {"words": "Elle vient seule."})
        assert sent.ephemeral and sent.response.content == "Relayé au groupe, signé « La personne qui présente »."
        tried = await eve.click(_panel(server), label="Parler en tant que personne qui présente")
        assert tried.response.content == "Only the presenter of this session can speak through the bot."

        await leader.click(_panel(server), label="Phase suivante")
        await chloe.send_dm("Mais je voulais ajouter…")
        assert chloe.user.dm_channel.last_message.content == (
            "Le groupe est maintenant en phase Discussion (mise en retrait) : vous écoutez en silence, et rien n'a"
            " été relayé. Vous reprenez la parole au moment du retour."
        )
        # A DM carries no Discord language: it is answered in that of the author's group in session.
        await eve.send_dm("moi aussi")
        assert eve.user.dm_channel.last_message.content == (
            "Vous ne présentez pas anonymement dans une séance en cours : rien n'a été relayé."
        )

        relayed = next(m for m in server.text.history() if m.content.endswith("Elle vient seule."))
        removed = await leader.context_menu(server.text, "Remove relayed message", relayed)
        assert removed.ephemeral and removed.response.content == "Le message relayé a été retiré."
        scan.assert_clean()
    finally:
        scan.stop()


async def test_the_session_runner_refuses_and_reports_in_french(harness: Harness, server: Server) -> None:
    """The runner's own answers and refusals in the caller's language; a missing permission told in the group's."""
    guild = harness.env.backend.get_guild(server.guild.id)
    bot_role = next(r for r in guild.roles.values() if r.managed)
    bot_role.permissions &= ~discord.Permissions(mute_members=True).value
    leader, ada = await _french_group(harness, server)
    started = await leader.slash(server.text, "session start", group="Alpha", presenter=ada)
    assert answer(started) == f"La séance a commencé ; son panneau est dans {server.text.mention}."
    again = await leader.slash(server.text, "session start", group="Alpha")
    assert again.ephemeral and answer(again) == (
        "Le groupe Alpha a déjà une séance en cours ; terminez-la avant d'en commencer une autre."
    )

    await leader.slash(server.text, "session next")  # past the opening
    await leader.slash(server.text, "session next")
    await leader.slash(server.text, "session next")
    told = [m for m in server.text.history() if "Rendre les membres muets" in m.content]
    assert [m.content for m in told] == [
        f"{leader.mention} Je ne peux pas couper le micro de la personne qui présente : il me faut la permission"
        f" Rendre les membres muets dans {server.voice.mention}. La séance continue."
    ]
    assert not is_muted(server, ada)

    # Granted again: the next push-back mutes, with the audit log's reason in the group's language.
    bot_role.permissions |= discord.Permissions(mute_members=True).value
    await leader.slash(server.text, "session back")
    await leader.slash(server.text, "session next")
    assert is_muted(server, ada)
    reasons = {r.reason for r in harness.env.http_requests if r.method == "PATCH" and str(ada.id) in r.path}
    assert reasons == {"Séance Balint : la personne qui présente écoute pendant la discussion"}


async def test_a_meeting_cancelled_in_french(harness: Harness, server: Server) -> None:
    """The list to pick from, the answers and refusals in the leader's French; the notices and events in the group's."""
    leader, _ = await _french_group(harness, server)
    await leader.slash(server.text, "group config", group="Alpha", timezone="America/Montreal")
    await leader.slash(server.text, "meeting schedule", group="Alpha", start="2026-01-02 19:00", repeat="weekly")
    found = events(harness, server)
    assert {(e.name, e.description) for e in found} == {
        ("Alpha · groupe Balint", "Réunion du groupe Balint, 90 minutes. Rappels et réponses dans le salon du groupe.")
    }
    choices = await leader.autocomplete(server.text, "meeting cancel", "meeting", "")
    assert [c["name"] for c in choices] == [
        "Alpha · ven. 02 janv. 2026 19:00 (America/Montreal) · chaque semaine",
        "Alpha · ven. 09 janv. 2026 19:00 (America/Montreal) · chaque semaine",
    ]
    english = await server.members[4].autocomplete(server.text, "meeting cancel", "meeting", "")
    assert english == [], "leaders only"

    first = choices[0]["value"]
    cancelled = await leader.slash(server.text, "meeting cancel", meeting=first)
    assert answer(cancelled) == (
        f"La réunion du <t:1767398400:F> et son évènement sont annulés ; le groupe en est informé dans"
        f" {server.text.mention}."
    )
    assert server.text.last_message.content == "La réunion du groupe **Alpha** du <t:1767398400:F> est annulée."
    removed = [r.reason for r in harness.env.http_requests if r.method == "DELETE" and "scheduled-events" in r.path]
    assert removed == ["balint-bot : la réunion est annulée"]
    again = await leader.slash(server.text, "meeting cancel", meeting=first)
    assert again.ephemeral and answer(again) == "Cette réunion est déjà annulée ; il n'y a rien à faire."

    (next_one,) = await leader.autocomplete(server.text, "meeting cancel", "meeting", "")
    assert next_one == choices[1]
    assert len(events(harness, server)) == 1
    series = await leader.slash(server.text, "meeting cancel", meeting=next_one["value"], scope="series")
    assert answer(series) == (
        "Les réunions du groupe **Alpha** chaque vendredi à 19:00 (America/Montreal) sont annulées à partir de"
        f" maintenant (1 déjà prévue, avec son évènement) ; le groupe en est informé dans {server.text.mention}."
    )
    assert server.text.last_message.content == (
        "Les réunions du groupe **Alpha** chaque vendredi à 19:00 (America/Montreal) sont annulées à partir de"
        " maintenant."
    )
    assert events(harness, server) == []
    gone = await leader.slash(server.text, "meeting cancel", meeting=next_one["value"], scope="series")
    assert answer(gone) == "Cette série est déjà annulée ; il ne reste rien à annuler."


async def test_a_missing_manage_events_is_reported_in_french(harness: Harness, server: Server) -> None:
    """Without Manage Events the leader's answer says so in their language, and the leaders are told in the group's."""
    guild = harness.env.backend.get_guild(server.guild.id)
    bot_role = next(r for r in guild.roles.values() if r.managed)
    bot_role.permissions &= ~discord.Permissions(manage_events=True).value
    leader, _ = await _french_group(harness, server)
    done = await leader.slash(server.text, "meeting schedule", group="Alpha", start="2026-01-09 19:00")
    assert answer(done).endswith(
        " Je n'ai pas pu les ajouter aux évènements du serveur : il me faut la permission Gérer les évènements."
    )
    assert [m.content for m in server.text.history() if "Gérer les évènements" in m.content] == [
        f"{leader.mention} Je ne peux pas ajouter les réunions du groupe Alpha aux évènements du serveur : il me faut"
        " la permission Gérer les évènements. Les réunions et leurs rappels continuent."
    ]
    assert events(harness, server) == []
