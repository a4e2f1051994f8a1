"""Groups: who leads, who belongs, and the rules for changing either."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import Protocol

from bot.core.clock import Clock
from bot.core.errors import Refusal
from bot.core.phases import Template
from bot.core.text import N_, Lang, Text
from bot.core.timezones import resolve_timezone
from bot.core.typed import shown

NAME_MAX = 50
RETENTION_DEFAULT_HOURS = 0
RETENTION_MAX_HOURS = 168


class Pushback(Enum):
    """How the bot enforces the presenter's silence during the discussion."""

    MUTE = "mute"
    OFF = "off"


class Dropout(Enum):
    """What the bot does when the named presenter, or the last leader in voice, drops out of a session."""

    # Wait out the grace, then pause the session and tell the group whom it waits for.
    PAUSE = "pause"
    # Wait out the grace, then tell the group, without pausing.
    NOTIFY = "notify"
    OFF = "off"


@dataclass(frozen=True)
class GroupSettings:
    """What a leader may change with /group config."""

    timezone: str
    template: str
    auto_advance: bool = False
    pushback: Pushback = Pushback.MUTE
    retention_hours: int = RETENTION_DEFAULT_HOURS
    # What the bot posts in the group's channel is in this language; private answers follow the reader's.
    language: Lang = Lang.EN
    dropout: Dropout = Dropout.PAUSE


@dataclass(frozen=True)
class Group:
    """One Balint group of one server."""

    id: int
    guild_id: int
    name: str
    text_channel_id: int
    voice_channel_id: int
    settings: GroupSettings
    leader_ids: tuple[int, ...]
    member_ids: tuple[int, ...]

    def is_leader(self, user_id: int) -> bool:
        """Whether the user leads or co-leads this group."""
        return user_id in self.leader_ids

    def is_member(self, user_id: int) -> bool:
        """Whether the user joined this group (after agreeing to its frame)."""
        return user_id in self.member_ids

    def belongs(self, user_id: int) -> bool:
        """Whether the user takes part in the group, as a member or as a leader."""
        return self.is_member(user_id) or self.is_leader(user_id)


# What to do instead, after a refusal of require_leader or require_member.
JOIN_FIRST = N_("join with /group join first")
ASK_A_LEADER = N_("ask a leader")

# What only leaders, or only members, may do: the `doing` of require_leader and require_member,
# each a msgid of its own. Translators: each is said after "Only the leaders of Alpha …" (in
# French after « … peuvent »), so it is a verb phrase.
CONTROL_SESSIONS = N_("control its sessions")
SCHEDULE_MEETINGS = N_("schedule its meetings")
CANCEL_MEETINGS = N_("cancel its meetings")
SEE_ATTENDANCE = N_("see its attendance")
ANSWER_MEETINGS = N_("answer for its meetings")
REMOVE_RELAYED = N_("remove relayed messages")
PROPOSE_CASES = N_("propose cases there")
SEE_CASES = N_("see its cases")
GIVE_FEEDBACK = N_("give feedback on its sessions")
SEE_FEEDBACK = N_("see the feedback")


def require_leader(group: Group, user_id: int, doing: str, *, then: str | None = ASK_A_LEADER) -> None:
    """Refuse anyone who does not lead the group: "Only the leaders of Alpha <doing>; <then>."."""
    if group.is_leader(user_id):
        return
    if then is None:
        raise Refusal("Only the leaders of {group} {doing}.", group=group.name, doing=Text(doing))
    raise Refusal("Only the leaders of {group} {doing}; {then}.", group=group.name, doing=Text(doing),
                  then=Text(then))


def require_member(group: Group, user_id: int, doing: str, *, then: str | None = JOIN_FIRST) -> None:
    """Refuse anyone who takes no part in the group: "Only members of Alpha <doing>; <then>."."""
    if group.belongs(user_id):
        return
    if then is None:
        raise Refusal("Only members of {group} {doing}.", group=group.name, doing=Text(doing))
    raise Refusal("Only members of {group} {doing}; {then}.", group=group.name, doing=Text(doing),
                  then=Text(then))


def require_presenter_member(group: Group, user_id: int, mention: str) -> None:
    """Refuse a presenter named by a leader who takes no part in the group."""
    if not group.belongs(user_id):
        raise Refusal("{member} is not a member of {group}; they join with /group join first.",
                      member=mention, group=group.name)


@dataclass(frozen=True)
class NewGroup:
    """A validated group, ready to store."""

    guild_id: int
    name: str
    text_channel_id: int
    voice_channel_id: int
    settings: GroupSettings
    leader_id: int
    created_at: datetime


@dataclass(frozen=True)
class Actor:
    """Who is asking: their id, and whether they hold Manage Server in this server."""

    user_id: int
    is_admin: bool


class GroupStore(Protocol):
    """The storage the group rules need; `bot.storage` implements it."""

    async def group_by_name(self, guild_id: int, name: str) -> Group | None:
        """Find a group by name, ignoring case, in one server."""
        ...

    async def group_by_id(self, group_id: int) -> Group | None:
        """Find a group by id."""
        ...

    async def groups_in_guild(self, guild_id: int) -> list[Group]:
        """List the groups of one server, by name."""
        ...

    async def group_using_channel(self, guild_id: int, channel_id: int) -> Group | None:
        """Find the group whose text or voice channel this is."""
        ...

    async def insert_group(self, group: NewGroup) -> Group:
        """Store a new group with its first leader, in one transaction."""
        ...

    async def update_settings(self, group_id: int, settings: GroupSettings) -> None:
        """Replace a group's settings."""
        ...

    async def add_leader(self, group_id: int, user_id: int, at: datetime) -> None:
        """Make someone a (co-)leader."""
        ...

    async def remove_leader(self, group_id: int, user_id: int) -> bool:
        """Remove a leader unless they are the last one; tell whether they were removed."""
        ...

    async def add_member(self, group_id: int, user_id: int, agreed_at: datetime) -> bool:
        """Record that someone agreed and joined; False if they already had."""
        ...

    async def remove_member(self, group_id: int, user_id: int) -> bool:
        """Remove a member; False if they were not one."""
        ...

    async def delete_group(self, group_id: int) -> bool:
        """Delete a group and everything that belongs to it."""
        ...


def _user(user_id: int) -> str:
    return f"<@{user_id}>"


def _channel(channel_id: int) -> str:
    return f"<#{channel_id}>"


def normal_name(raw: str) -> str:
    """Return a group name as it is stored and looked up: NFC, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", raw).split())


def clean_group_name(raw: str) -> str:
    """Return the name as stored, or refuse a name that is empty, too long or unprintable."""
    name = normal_name(raw)
    if not name:
        raise Refusal("A group name needs at least one visible character; choose a short name.")
    if len(name) > NAME_MAX:
        raise Refusal("A group name can have at most {most} characters; this one has {count}.",
                      most=NAME_MAX, count=len(name))
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") for ch in name):
        raise Refusal("A group name cannot contain control or invisible characters; type it plainly.")
    return name


def check_retention(hours: int) -> int:
    """Refuse a retention outside 0 to the maximum."""
    if not 0 <= hours <= RETENTION_MAX_HOURS:
        raise Refusal(
            "retention_hours must be between 0 and {most} (a week); "
            "0 deletes case material as soon as the session ends.",
            most=RETENTION_MAX_HOURS,
        )
    return hours


class GroupRules:
    """The group commands' rules, over a store, a clock and the known templates."""

    def __init__(self, store: GroupStore, clock: Clock, templates: Mapping[str, Template],
                 *, default_timezone: str, default_template: str, default_language: Lang = Lang.EN) -> None:
        self.store = store
        self.clock = clock
        self.templates = templates
        self.default_timezone = default_timezone
        self.default_template = default_template
        self.default_language = default_language

    def check_template(self, name: str) -> str:
        """Return the template's key, or refuse with the list of known ones."""
        key = name.strip().casefold()
        if key not in self.templates:
            # Template names are identifiers to type, listed as such (commas) in every language.
            known = ", ".join(sorted(self.templates))
            raise Refusal("There is no template called '{name}'; choose one of: {known}.", name=shown(name),
                          known=known)
        return key

    async def find(self, guild_id: int, name: str) -> Group:
        """Return the group of this server with that name, or refuse."""
        group = await self.store.group_by_name(guild_id, normal_name(name))
        if group is None:
            raise Refusal(
                "There is no group called '{name}' in this server; pick one from the list that appears as you type.",
                name=shown(name),
            )
        return group

    async def get(self, guild_id: int, group_id: int) -> Group:
        """Return a group by id, refusing one that is gone or belongs to another server."""
        group = await self.store.group_by_id(group_id)
        if group is None or group.guild_id != guild_id:
            raise Refusal("That group no longer exists in this server; ask a leader which group to use.")
        return group

    @staticmethod
    def require_admin_or_leader(actor: Actor, group: Group) -> None:
        """Refuse anyone who neither holds Manage Server nor leads the group."""
        if not (actor.is_admin or group.is_leader(actor.user_id)):
            raise Refusal(
                "Only the leaders of {group} or a server admin (Manage Server) can do that; ask one of them.",
                group=group.name,
            )

    async def create(self, actor: Actor, guild_id: int, name: str, text_channel_id: int,
                     voice_channel_id: int, leader_id: int | None = None,
                     timezone: str | None = None, template: str | None = None) -> Group:
        """Create a group; only server admins may."""
        if not actor.is_admin:
            raise Refusal("Only a server admin (Manage Server) can create a group; ask one to run /group create.")
        clean = clean_group_name(name)
        settings = GroupSettings(
            timezone=resolve_timezone(timezone) if timezone else self.default_timezone,
            template=self.check_template(template) if template else self.default_template,
            language=self.default_language,
        )
        if await self.store.group_by_name(guild_id, clean) is not None:
            raise Refusal("This server already has a group called {name}; choose another name.", name=clean)
        for channel_id in (text_channel_id, voice_channel_id):
            taken = await self.store.group_using_channel(guild_id, channel_id)
            if taken is not None:
                raise Refusal(
                    "{channel} already belongs to the group {group}; give each group its own text and voice channel.",
                    channel=_channel(channel_id), group=taken.name,
                )
        return await self.store.insert_group(NewGroup(
            guild_id=guild_id,
            name=clean,
            text_channel_id=text_channel_id,
            voice_channel_id=voice_channel_id,
            settings=settings,
            leader_id=leader_id if leader_id is not None else actor.user_id,
            created_at=self.clock.now(),
        ))

    async def configure(self, actor: Actor, group: Group, *, template: str | None = None,
                        timezone: str | None = None, auto_advance: bool | None = None,
                        pushback: Pushback | None = None, retention_hours: int | None = None,
                        language: Lang | None = None, dropout: Dropout | None = None) -> Group:
        """Change some settings (all checked before any is stored) and return the group as it is now."""
        self.require_admin_or_leader(actor, group)
        settings = group.settings
        if template is not None:
            settings = replace(settings, template=self.check_template(template))
        if timezone is not None:
            settings = replace(settings, timezone=resolve_timezone(timezone))
        if auto_advance is not None:
            settings = replace(settings, auto_advance=auto_advance)
        if pushback is not None:
            settings = replace(settings, pushback=pushback)
        if retention_hours is not None:
            settings = replace(settings, retention_hours=check_retention(retention_hours))
        if language is not None:
            settings = replace(settings, language=language)
        if dropout is not None:
            settings = replace(settings, dropout=dropout)
        if settings != group.settings:
            await self.store.update_settings(group.id, settings)
        return replace(group, settings=settings)

    async def add_coleader(self, actor: Actor, group: Group, user_id: int) -> None:
        """Make a member of the server a co-leader."""
        self.require_admin_or_leader(actor, group)
        if group.is_leader(user_id):
            raise Refusal("{member} already leads {group}; nothing to change.", member=_user(user_id),
                          group=group.name)
        await self.store.add_leader(group.id, user_id, self.clock.now())

    async def remove_coleader(self, actor: Actor, group: Group, user_id: int) -> None:
        """Remove a co-leader, never the last leader."""
        self.require_admin_or_leader(actor, group)
        if not group.is_leader(user_id):
            raise Refusal("{member} is not a leader of {group}; nothing to remove.", member=_user(user_id),
                          group=group.name)
        if not await self.store.remove_leader(group.id, user_id):
            raise Refusal("{member} is the only leader of {group}; add another co-leader first.",
                          member=_user(user_id), group=group.name)

    async def delete(self, actor: Actor, group: Group) -> None:
        """Delete a group and all it holds."""
        self.require_admin_or_leader(actor, group)
        await self.store.delete_group(group.id)

    @staticmethod
    def check_can_join(user_id: int, group: Group) -> None:
        """Refuse someone who is already in the group."""
        if group.is_member(user_id):
            raise Refusal("You are already a member of {group}.", group=group.name)

    async def join(self, user_id: int, group: Group) -> None:
        """Record that the user agreed to the group's frame and joined."""
        self.check_can_join(user_id, group)
        if not await self.store.add_member(group.id, user_id, self.clock.now()):
            raise Refusal("You are already a member of {group}.", group=group.name)

    async def leave(self, user_id: int, group: Group) -> None:
        """Leave the group; a leader steps down too, unless they are the last one."""
        if not group.belongs(user_id):
            raise Refusal("You are not a member of {group}; nothing to leave.", group=group.name)
        if group.is_leader(user_id) and not await self.store.remove_leader(group.id, user_id):
            raise Refusal(
                "You are the only leader of {group}; make someone co-leader with /group coleader before you leave.",
                group=group.name,
            )
        await self.store.remove_member(group.id, user_id)
