"""The demo server, built inside a running SimCord env by acting as its people through the real bot.

Only the server itself (channels, a role, people joining it) comes from SimCord's builders, as a
server owner would set it up in Discord. The group and its members come from the leader running
`/group create` and each member clicking the join button and "I agree": the same path a person
takes, so the sandbox shows the bot as it is, and never writes to the database behind its back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

import discord

from bot.sandbox.transcript import Control, Shown, Transcript, shown

if TYPE_CHECKING:
    # Types only: SimCord is optional, and run_sandbox checks it is there before it is used.
    from simcord import ChannelHandle, Env, GuildHandle, InteractionResult, MemberActor, ResponseMessage

GUILD_NAME = "Balint Sandbox"
TEXT_CHANNEL = "balint-group"
VOICE_CHANNEL = "Balint Room"
ADMIN_ROLE = "Server admin"
LEADER = "Dr Leader"
MEMBERS = ("Dr Ada", "Dr Ben", "Dr Chloe", "Dr Dev", "Dr Eve")
GROUP_NAME = "Tuesday Balint"
GROUP_TIMEZONE = "Europe/London"

# Buttons are found by the start of their custom id: ids of persistent buttons must survive
# restarts, so they change less often than the labels people read.
JOIN_BUTTON = "balint:join:"
AGREE_BUTTON = "balint:agree:"

MessageLike: TypeAlias = "discord.Message | ResponseMessage"


class SandboxError(Exception):
    """The bot did not do what a person setting up the demo group would expect."""


def _username(display_name: str) -> str:
    return display_name.lower().replace(" ", "_")


def _bot_id(env: Env) -> int:
    user = env.bot.user
    if user is None:
        raise SandboxError("the bot is not logged in to SimCord")
    return user.id


def _control(message: MessageLike, prefix: str) -> Control | None:
    return next((c for c in shown(message).controls if (c.custom_id or "").startswith(prefix)), None)


@dataclass(frozen=True)
class SandboxWorld:
    """Handles on the demo server, and the people who act in it.

    `slash` and `click` act as a person and record in `transcript` what they did and what
    the bot showed, and to whom; a silent transcript (no `write`) only keeps the lines.
    """

    env: Env
    guild: GuildHandle
    text: ChannelHandle
    voice: ChannelHandle
    leader: MemberActor
    members: tuple[MemberActor, ...]
    group_name: str
    transcript: Transcript
    # The newest direct message from the bot already shown, per person.
    seen_direct: dict[int, int] = field(default_factory=dict)

    @property
    def people(self) -> tuple[MemberActor, ...]:
        """Return the leader, then the members."""
        return (self.leader, *self.members)

    def name(self, person: MemberActor) -> str:
        """Return the name others see for a person."""
        return self.transcript.user(person.id)

    def last_public_id(self) -> int:
        """Return the id of the newest message everyone sees in the group's channel (0 if none)."""
        last = self.text.last_message
        return last.id if last is not None else 0

    def bot_message_with(self, prefix: str) -> discord.Message | None:
        """Return the newest public bot message in the group's channel with a control id starting so."""
        bot_id = _bot_id(self.env)
        for message in reversed(self.text.history()):
            if message.author.id == bot_id and _control(message, prefix) is not None:
                return message
        return None

    async def slash(self, person: MemberActor, command: str, options: Mapping[str, object] | None = None,
                    *, fields: int | None = None) -> InteractionResult:
        """Run a slash command in the group's channel as a person; `fields` caps embeds in the transcript."""
        typed = dict(options or {})
        self.transcript.command(self.name(person), command, typed)
        before, mutes = self.last_public_id(), self.voice_mutes()
        result = await person.slash(self.text, command, **typed)
        self._record(person, result, before, clicked=None, fields=fields)
        self._report_mutes(mutes)
        self._new_direct()
        return result

    def voice_mutes(self) -> dict[int, bool]:
        """Return who is in voice, and whether they are server-muted."""
        return {user_id: state.mute for user_id, state in self.guild.voice_states().items()}

    def _report_mutes(self, before: Mapping[int, bool]) -> None:
        for user_id, muted in self.voice_mutes().items():
            if before.get(user_id, False) != muted:
                done = "server-muted" if muted else "unmuted"
                self.transcript.note(f"balint-bot {done} {self.transcript.user(user_id)} in {VOICE_CHANNEL}.")

    def _new_direct(self) -> None:
        """Show what the bot wrote to anyone privately since the last look (a debrief, a co-leader's word)."""
        bot_id = _bot_id(self.env)
        # Only the channels that exist: looking one up through SimCord's handle would open it.
        opened: Mapping[int, int] = getattr(self.env.backend, "dm_channels", {})
        for person in self.people:
            if person.id not in opened:
                continue
            for message in person.user.dm_channel.history():
                if message.author.id == bot_id and message.id > self.seen_direct.get(person.id, 0):
                    self.seen_direct[person.id] = message.id
                    self.transcript.bot(f"→ {self.name(person)} (direct message)", shown(message))

    def _new_public(self, before: int) -> None:
        bot_id = _bot_id(self.env)
        for message in self.text.history():
            if message.id > before and message.author.id == bot_id:
                self.transcript.bot(f"in {self.channel_name}", shown(message))

    async def join_voice(self, person: MemberActor) -> None:
        """Come into the group's voice channel."""
        self.transcript.person(f"{self.name(person)} joins the voice channel {VOICE_CHANNEL}")
        before, mutes = self.last_public_id(), self.voice_mutes()
        await person.join_voice(self.voice)
        self._report_mutes(mutes)
        self._new_public(before)

    async def leave_voice(self, person: MemberActor) -> None:
        """Leave the group's voice channel (a connection lost)."""
        self.transcript.person(f"{self.name(person)} leaves the voice channel {VOICE_CHANNEL}")
        before = self.last_public_id()
        await person.leave_voice()
        self._new_public(before)

    async def wait(self, minutes: float) -> None:
        """Let time pass (SimCord's clock), and show what the bot posted meanwhile."""
        self.transcript.note(f"{minutes:g} minute{'s pass' if minutes != 1 else ' passes'}.")
        before, mutes = self.last_public_id(), self.voice_mutes()
        await self.env.advance_time(minutes * 60)
        self._new_public(before)
        self._report_mutes(mutes)
        self._new_direct()

    async def dm(self, person: MemberActor, text: str) -> None:
        """Write privately to the bot, and show its private answer and what reached the group."""
        self.transcript.person(f"{self.name(person)} writes privately to the bot: {text}")
        before = self.last_public_id()
        await person.send_dm(text)
        self._new_direct()
        self._new_public(before)

    async def submit(self, person: MemberActor, form: InteractionResult, values: Mapping[str, object]
                     ) -> InteractionResult:
        """Fill and send a form the bot showed, as that person."""
        if form.modal is None:
            raise SandboxError(f"{self.name(person)} was shown no form")
        typed = ", ".join(f"{k}: {self.transcript.value(v)}" for k, v in values.items())
        self.transcript.person(f'{self.name(person)} fills the form "{form.modal.get("title")}" ({typed})')
        before, mutes = self.last_public_id(), self.voice_mutes()
        result = await person.submit_modal(form, dict(values))
        self._record(person, result, before, clicked=None, fields=None)
        self._report_mutes(mutes)
        self._new_direct()
        return result

    async def click(self, person: MemberActor, message: MessageLike, prefix: str) -> InteractionResult:
        """Click, as a person, the control of a message whose custom id starts with `prefix`."""
        control = _control(message, prefix)
        if control is None or control.custom_id is None:
            raise SandboxError(f"{self.name(person)} found no control '{prefix}…' on the bot's message")
        private = message.flags.ephemeral
        on = "on the bot's private answer" if private else f"on the bot's message in {self.channel_name}"
        self.transcript.person(f'{self.name(person)} clicked [{control.label}] {on}')
        before, mutes = self.last_public_id(), self.voice_mutes()
        result = await person.click(message, custom_id=control.custom_id)
        self._record(person, result, before, clicked=message.id, fields=None)
        if result.modal is not None:
            self.transcript.bot(f"→ {self.name(person)} (only they see it)",
                                Shown(content=f'a form: "{result.modal.get("title")}"', embeds=(), controls=()))
        self._report_mutes(mutes)
        self._new_direct()
        return result

    def show(self, message: MessageLike, what: str) -> None:
        """Show a bot message as everyone sees it now: one the bot keeps editing in place, such as the panel."""
        self.transcript.bot(f"{what} in {self.channel_name}, as everyone sees it now", shown(message))

    @property
    def channel_name(self) -> str:
        """Return the group's channel as people see it, #name."""
        return self.transcript.channel(self.text.id)

    def _record(self, person: MemberActor, result: InteractionResult, before: int, *,
                clicked: int | None, fields: int | None) -> None:
        who = self.name(person)
        seen: set[int] = set()
        answers = [result.response] if result.response is not None else []
        answers += result.followups
        for answer in answers:
            seen.add(answer.id)
            if answer.ephemeral:
                where = f"→ {who} (only they see it)"
                where += ", in place of that message" if answer.id == clicked else ""
            else:
                where = f"edited its message in {self.channel_name}" if answer.id == clicked \
                    else f"in {self.channel_name}, answering {who}"
            self.transcript.bot(where, shown(answer), fields=fields)
        if not result.acknowledged:
            self.transcript.person(f'bot → {who}: nothing (Discord shows "The application did not respond")')
        bot_id = _bot_id(self.env)
        for message in self.text.history():
            if message.id > before and message.id not in seen and message.author.id == bot_id:
                self.transcript.bot(f"in {self.channel_name}", shown(message), fields=fields)


async def build_world(env: Env, transcript: Transcript | None = None) -> SandboxWorld:
    """Set up the demo server, let the leader create the group, and let every member join it."""
    transcript = transcript or Transcript()
    transcript.heading("Setting up the demo server")
    guild = env.create_guild(GUILD_NAME)
    text = guild.create_text_channel(TEXT_CHANNEL, topic="Sessions of the Balint group")
    voice = guild.create_voice_channel(VOICE_CHANNEL)
    admin = guild.create_role(ADMIN_ROLE, permissions=discord.Permissions(manage_guild=True))
    leader = guild.add_member(env.create_user(_username(LEADER), global_name=LEADER), roles=[admin])
    members = tuple(guild.add_member(env.create_user(_username(name), global_name=name)) for name in MEMBERS)
    for person, name in zip((leader, *members), (LEADER, *MEMBERS), strict=True):
        transcript.know_user(person.id, name)
    transcript.know_user(_bot_id(env), "balint-bot")
    transcript.know_channel(text.id, TEXT_CHANNEL)
    transcript.know_channel(voice.id, VOICE_CHANNEL)
    transcript.know_role(admin.id, ADMIN_ROLE)
    transcript.note(f'Server "{GUILD_NAME}" with the text channel #{TEXT_CHANNEL}, the voice channel '
                    f'{VOICE_CHANNEL} and a role "{ADMIN_ROLE}" with Manage Server.')
    transcript.note(f"{LEADER} joins the server with that role; {', '.join(MEMBERS)} join as members. "
                    "From here on, everything happens through the bot, as each person would do it.")
    world = SandboxWorld(env, guild, text, voice, leader, members, GROUP_NAME, transcript)

    transcript.heading(f"{LEADER} creates the group")
    created = await world.slash(leader, "group create", {
        "name": GROUP_NAME, "text_channel": text, "voice_channel": voice, "timezone": GROUP_TIMEZONE,
    })
    announcement = world.bot_message_with(JOIN_BUTTON)
    if announcement is None:
        answer = created.response.content if created.response is not None else "no answer"
        raise SandboxError(f"/group create did not announce the group (the bot answered: {answer})")

    transcript.heading("The members join")
    for member in members:
        agreement = await world.click(member, announcement, JOIN_BUTTON)
        if agreement.response is None or _control(agreement.response, AGREE_BUTTON) is None:
            raise SandboxError(f"{world.name(member)} got no agreement to accept")
        joined = await world.click(member, agreement.response, AGREE_BUTTON)
        # Accepting replaces the agreement with a welcome; a refusal would come as a new answer.
        if joined.response is None or joined.response.id != agreement.response.id:
            raise SandboxError(f"{world.name(member)} could not join {GROUP_NAME}")
    return world
