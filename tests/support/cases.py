"""What the case tests share: proposing a case through its form, and finding its autocomplete value."""

from __future__ import annotations

from typing import TYPE_CHECKING

import simcord

if TYPE_CHECKING:
    from tests.e2e.conftest import Server


async def propose(server: Server, member: simcord.MemberActor, title: str, story: str = "", *,
                  anonymous: bool = False, group: str = "Alpha") -> simcord.InteractionResult:
    """Open /case propose and submit its form with this title and story."""
    shown = await member.slash(server.text, "case propose", group=group, anonymous=anonymous)
    assert shown.modal is not None, shown
    return await member.submit_modal(shown, {"title": title, "story": story})


async def case_id(server: Server, member: simcord.MemberActor, title: str) -> str:
    """The value the leader's autocomplete gives for a queued case of Alpha."""
    choices = await member.autocomplete(server.text, "session start", "case", "", group="Alpha")
    return next(c["value"] for c in choices if c["name"] == title)
