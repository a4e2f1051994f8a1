"""A group where Ada proposed an anonymous case, under the leak scan: what the anonymity tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import simcord

from tests.e2e.conftest import Harness, Server
from tests.e2e.leaks import LeakScan
from tests.support.cases import case_id, propose
from tests.support.sessions import ready_group

TITLE = "The patient I dread"


@dataclass
class Anonymous:
    harness: Harness
    server: Server
    leader: simcord.MemberActor
    presenter: simcord.MemberActor
    scan: LeakScan

    async def start(self, title: str = TITLE) -> None:
        """Start the session on the anonymous case."""
        value = await case_id(self.server, self.leader, title)
        await self.leader.slash(self.server.text, "session start", group="Alpha", case=value)

    def relays(self) -> list[str]:
        """The relayed words in the group's channel."""
        return [m.content for m in self.server.text.history() if m.content.startswith("**Presenter:**")]


@asynccontextmanager
async def anonymous_case(harness: Harness, server: Server) -> AsyncIterator[Anonymous]:
    """Ada proposes an anonymous case in a ready group, every viewer watched by the leak scan until the end."""
    leader, ada = await ready_group(server)
    scan = LeakScan.start(harness.env, server.guild, ada, "Dr Ada", [server.admin, *server.members],
                          database=harness.db_path)
    proposed = await propose(server, ada, TITLE, "He shouts at reception.", anonymous=True)
    assert proposed.response.content.endswith("Nobody will see that it is yours.")
    try:
        yield Anonymous(harness, server, leader, ada, scan)
    finally:
        scan.stop()
