"""A panel's edits paced within Discord's rate limits, however many people press at once.

Discord limits how often one channel's messages may be edited (a few edits every few seconds,
shared with the notices posted there). When a whole group raises hands at once, each press
asks for the panel to be edited; the edits go through the panel's lane, where a newer one
replaces an older one still waiting, and a paced edit first waits until `EDIT_SPACING` has
passed since the panel's last edit. So a burst of presses gives one edit at once and one more
when the spacing has passed, each showing every hand raised by then.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.discord_io.transient import Ticket

# Real time between two paced edits of one panel: at most four in five seconds, below the
# channel's limit, with room left for the notices that share it.
EDIT_SPACING = timedelta(seconds=1.5)


class PanelPacer:
    """When each panel was last edited, and how long a paced edit still waits."""

    def __init__(self, clock: Clock, time_scale: float) -> None:
        self.clock = clock
        # The bot's clock may run faster than Discord's real time (BALINT_TIME_SCALE).
        self.time_scale = time_scale
        self._last: dict[int, datetime] = {}

    @property
    def spacing(self) -> timedelta:
        """Return the spacing on the bot's clock."""
        return EDIT_SPACING * self.time_scale

    def edited(self, message_id: int) -> None:
        """Record that a panel was just edited (by any edit, paced or not)."""
        now = self.clock.now()
        # Forget panels whose spacing is long over: the map holds only the panels edited lately.
        for old in [m for m, at in self._last.items() if now - at >= self.spacing]:
            del self._last[old]
        self._last[message_id] = now

    def wait_left(self, message_id: int) -> float:
        """Return the real seconds a paced edit of this panel still waits (0 if it may go now)."""
        last = self._last.get(message_id)
        if last is None:
            return 0.0
        left = (last + self.spacing - self.clock.now()).total_seconds()
        return max(0.0, left / self.time_scale)

    async def wait_turn(self, message_id: int, ticket: Ticket) -> bool:
        """Wait until the panel may be edited again; False if a newer edit replaced this one meanwhile."""
        left = self.wait_left(message_id)
        if left > 0:
            await ticket.nap(left)
        return not ticket.stale
