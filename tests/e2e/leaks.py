"""A scan for any trace of an anonymous presenter in what the bot did and what others can see.

It reads every REST call the bot made (paths, bodies, query parameters, audit-log reasons),
every gateway event from a starting point on, the server's audit log, every member's view
of every channel, what the bot wrote to each of them privately (debriefs, a co-leader's word
of a dropout), every file the bot uploaded, and the log output; it fails on the
presenter's id, user name or display name. Only the presenter's own input is left out
(their interactions, DMs and voice joins): no one else sees those.

Some answers name the presenter on purpose: a leader asked for their record (/balint record
member:, its CSV), or for a file of everyone's (/attendance). Those are registered with
`asked_about`, with a *twin*: a member who did everything the presenter did (the same sessions,
the same time in voice) except present. The scan then holds those answers, their REST bodies and
their files, to a stricter rule than "no name": an answer about the presenter, with the two
swapped (ids, user names, display names), must read line for line as the same answer about the
twin; an answer about both must read the same with them swapped. Nothing in them can then tell
the presenter from someone who never presented.

Given the database, it also reads the rows the session's own tools write for the group to
see: the raised hands (whose owners the panel lists) and the outbox of notices (with whom
each pings): an anonymous presenter is never in them.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
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
    database: Path | None = None
    twin: simcord.MemberActor | None = None
    twin_display: str = ""
    # Answers that name the presenter because someone asked for them, by interaction token: pairs (about the
    # presenter, the same about the twin), or one answer about both (second None).
    asked: list[tuple[str, str | None]] = field(default_factory=list)
    asked_messages: set[int] = field(default_factory=set)
    asked_files: dict[str, str] = field(default_factory=dict)

    @classmethod
    def start(cls, env: simcord.Env, guild: simcord.GuildHandle, author: simcord.MemberActor,
              display_name: str, viewers: list[simcord.MemberActor], database: Path | None = None) -> LeakScan:
        scan = cls(env, guild, author, display_name, [v for v in viewers if v.id != author.id],
                   transcript_from=len(env.backend.transcript), database=database)
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

    def asked_about(self, twin: simcord.MemberActor, twin_display: str,
                    *answers: tuple[simcord.InteractionResult, simcord.InteractionResult] | simcord.InteractionResult,
                    ) -> None:
        """Register answers that name the presenter because someone asked for them by name.

        Each is a pair (the answer about the presenter, the same asked about the twin), or one
        answer about both (a file of everyone).
        """
        assert self.twin is None or self.twin.id == twin.id, "one twin per scan"
        self.twin, self.twin_display = twin, twin_display
        for answer in answers:
            about, twin_answer = answer if isinstance(answer, tuple) else (answer, None)
            self.asked.append((self._register(about), None if twin_answer is None else self._register(twin_answer)))

    def _register(self, result: simcord.InteractionResult) -> str:
        token: str = result._interaction.token  # SimCord's record of it: the token its answers are sent with
        for message in (result.response, *result.followups):
            if message is not None:
                self.asked_messages.add(message.id)
                self.asked_files.update({attachment.url: token for attachment in message.attachments})
        return token

    @property
    def needles(self) -> tuple[str, ...]:
        return (str(self.author.id), self.author.name, self.display_name)

    @property
    def twin_needles(self) -> tuple[str, ...]:
        assert self.twin is not None
        return (str(self.twin.id), self.twin.name, self.twin_display)

    def _swapped(self, text: str) -> str:
        """Exchange the presenter's and the twin's ids and names in a text."""
        pairs = {**dict(zip(self.needles, self.twin_needles, strict=True)),
                 **dict(zip(self.twin_needles, self.needles, strict=True))}
        pattern = "|".join(rf"(?<![A-Za-z0-9]){re.escape(n)}(?![A-Za-z0-9])"
                           for n in sorted(pairs, key=len, reverse=True))
        return re.sub(pattern, lambda m: pairs[m.group(0)], text)

    def _asked_problems(self, texts: dict[str, list[str]]) -> list[str]:
        """Each answer about the presenter, swapped, must read as its twin's; one about both as itself swapped."""
        found = []
        for about, twin_answer in self.asked:
            lines = Counter(line for text in texts.get(about, []) for line in self._swapped(text).splitlines())
            other = Counter(line for text in texts.get(twin_answer or about, []) for line in text.splitlines())
            assert lines or other, "an answer registered with asked_about was seen nowhere"
            found += [f"an answer about the presenter differs from the same about their twin: {line[:300]!r}"
                      for line in sorted((lines - other) + (other - lines))]
        return found

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

    def _asked_token(self, path: str) -> str | None:
        tokens = {token for pair in self.asked for token in pair if token is not None}
        return next((token for token in tokens if token in path), None)

    def problems(self) -> list[str]:
        found: list[str] = []
        asked: dict[str, list[str]] = {}
        tokens = {token for pair in self.asked for token in pair if token is not None}
        for entry in self.env.http_requests:
            token = self._asked_token(entry.path)
            if token is not None:
                asked.setdefault(token, []).append(
                    json.dumps(entry.json, default=str, ensure_ascii=False, indent=1, sort_keys=True))
                continue
            found += self._hits(f"REST {entry.method} {entry.path}",
                                {"path": entry.path, "params": entry.params, "json": entry.json,
                                 "reason": entry.reason})
        for kind, event, payload in self.env.backend.transcript[self.transcript_from:]:
            if kind != "GATEWAY" or self._own_input(event, payload):
                continue
            if event == "INTERACTION_CREATE" and payload.get("token") in tokens:
                continue  # the asker's own input: they named whom they asked about
            if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and int(payload.get("id", 0)) in self.asked_messages:
                continue  # an answer about them, compared with the twin's below
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
                    if message.id in self.asked_messages:
                        continue  # an answer about them, compared with the twin's below
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
                if message.id in self.asked_messages:
                    continue  # an answer about them, compared with the twin's below
                found += self._hits(f"direct message to {viewer.name}", {
                    "content": message.content, "embeds": [e.to_dict() for e in message.embeds],
                    "components": [c.to_dict() for c in message.components], "author": message.author.id,
                })
        # Every file the bot uploaded (exports, calendars, CSVs), whoever it was for.
        for url, data in getattr(self.env.backend.cdn, "_blobs", {}).items():
            text = data.decode("utf-8", errors="replace")
            if url in self.asked_files:
                asked.setdefault(self.asked_files[url], []).append(text)
                continue
            found += self._hits(f"file {url.rsplit('/', 1)[-1]}", text)
        found += self._asked_problems(asked)
        for line in self.log:
            found += self._hits("log", line)
        if self.database is not None:
            with sqlite3.connect(self.database) as conn:
                for table, columns in DATABASE_PATHS:
                    for row in conn.execute(f"SELECT {columns} FROM {table}"):
                        found += self._hits(f"database {table}", [str(value) for value in row])
        state = self.guild.voice_states().get(self.author.id)
        if state is not None and (state.mute or state.deaf):
            found.append("the presenter was muted or deafened")
        return found

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "the anonymous presenter shows:\n" + "\n".join(problems[:20])


# The tables whose rows become what the group sees: the panel's hands, and the notices with whom they ping.
DATABASE_PATHS = (("raised_hands", "session_id, user_id"), ("outbox", "nonce, content, ping"))


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(level=logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(self.format(record) + (f" {record.exc_info!r}" if record.exc_info else ""))
