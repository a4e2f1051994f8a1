"""A scan for any trace of an anonymous presenter in what the bot did and what others can see.

It reads every REST call the bot made (paths, bodies, query parameters, audit-log reasons),
every gateway event from a starting point on, the server's audit log, every member's view
of every channel, what the bot wrote to each of them privately (debriefs, a co-leader's word
of a dropout), every file the bot uploaded, and the log output; it fails on the
presenter's id, user name or display name. Only the presenter's own input is left out
(their interactions, DMs and voice joins): no one else sees those.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import simcord


@dataclass
class LeakScan:
    """Where to look, and from when."""

    env: simcord.Env
    guild: simcord.GuildHandle
    author: simcord.MemberActor
    display_name: str
    viewers: list[simcord.MemberActor]
    transcript_from: int = 0
    log: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, env: simcord.Env, guild: simcord.GuildHandle, author: simcord.MemberActor,
              display_name: str, viewers: list[simcord.MemberActor]) -> LeakScan:
        scan = cls(env, guild, author, display_name, [v for v in viewers if v.id != author.id],
                   transcript_from=len(env.backend.transcript))
        handler = _ListHandler(scan.log)
        # The log as it runs by default (INFO), with the bot's own modules at DEBUG.
        logging.getLogger().addHandler(handler)
        logging.getLogger().setLevel(logging.INFO)
        for name in ("bot", "cogs"):
            logging.getLogger(name).setLevel(logging.DEBUG)
        scan._handler = handler  # type: ignore[attr-defined]
        return scan

    def stop(self) -> None:
        logging.getLogger().removeHandler(self._handler)  # type: ignore[attr-defined]

    @property
    def needles(self) -> tuple[str, ...]:
        return (str(self.author.id), self.author.name, self.display_name)

    def _hits(self, where: str, value: Any) -> list[str]:
        text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
        # Whole words only: a short user name like "ada" can sit inside random hex (a modal's
        # custom id), which names no one.
        return [f"{where}: {needle!r} in {text[:300]}" for needle in self.needles
                if re.search(rf"(?<![A-Za-z0-9]){re.escape(needle)}(?![A-Za-z0-9])", text)]

    def _own_input(self, event: str, payload: Any) -> bool:
        """The presenter's own actions, which only the bot (and they) see."""
        me = str(self.author.id)
        if event == "INTERACTION_CREATE":
            user = (payload.get("member") or {}).get("user") or payload.get("user") or {}
            return str(user.get("id")) == me
        if event in ("MESSAGE_CREATE", "TYPING_START", "CHANNEL_CREATE"):
            if payload.get("guild_id") is not None:
                return False
            author = payload.get("author", {}).get("id") or payload.get("user_id")
            recipients = [str(r.get("id")) for r in payload.get("recipients", [])]
            return str(author) == me or me in recipients
        if event == "VOICE_STATE_UPDATE":
            # Their own joining and leaving; a mute or deafen by the bot is not theirs.
            return str(payload.get("user_id")) == me and not payload.get("mute") and not payload.get("deaf")
        if event in ("GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "PRESENCE_UPDATE"):
            return event != "GUILD_MEMBER_UPDATE" or not (payload.get("mute") or payload.get("nick"))
        return False

    def problems(self) -> list[str]:
        found: list[str] = []
        for entry in self.env.http_requests:
            found += self._hits(f"REST {entry.method} {entry.path}",
                                {"path": entry.path, "params": entry.params, "json": entry.json,
                                 "reason": entry.reason})
        for kind, event, payload in self.env.backend.transcript[self.transcript_from:]:
            if kind == "GATEWAY" and not self._own_input(event, payload):
                found += self._hits(f"gateway {event}", payload)
        for entry in self.guild.audit_log():
            found += self._hits("audit log", vars(entry) if hasattr(entry, "__dict__") else entry)
        for channel in self.guild.channels.values():
            for viewer in self.viewers:
                try:
                    history = channel.history(viewer=viewer)
                except simcord.SetupError:  # a channel this member cannot read shows them nothing
                    continue
                for message in history:
                    found += self._hits(f"#{channel.name} as seen by {viewer.name}", {
                        "content": message.content, "embeds": [e.to_dict() for e in message.embeds],
                        "components": [c.to_dict() for c in message.components],
                        "author": message.author.id, "mentions": [m.id for m in message.mentions],
                        "interaction": (message.interaction_metadata.user.id
                                        if message.interaction_metadata else None),
                        "files": [a.filename for a in message.attachments],
                    })
        # What the bot wrote to each of them privately: debriefs, a co-leader told of a dropout, reports.
        for viewer in self.viewers:
            for message in viewer.user.dm_channel.history():
                found += self._hits(f"direct message to {viewer.name}", {
                    "content": message.content, "embeds": [e.to_dict() for e in message.embeds],
                    "components": [c.to_dict() for c in message.components], "author": message.author.id,
                })
        # Every file the bot uploaded (exports, calendars, CSVs), whoever it was for.
        for url, data in getattr(self.env.backend.cdn, "_blobs", {}).items():
            found += self._hits(f"file {url.rsplit('/', 1)[-1]}", data.decode("utf-8", errors="replace"))
        for line in self.log:
            found += self._hits("log", line)
        state = self.guild.voice_states().get(self.author.id)
        if state is not None and (state.mute or state.deaf):
            found.append("the presenter was muted or deafened")
        return found

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "the anonymous presenter shows:\n" + "\n".join(problems[:20])


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(level=logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(self.format(record) + (f" {record.exc_info!r}" if record.exc_info else ""))
