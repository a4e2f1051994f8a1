"""A process stopped at one exact point: the call there cancels its lane, as a shutdown would."""

from __future__ import annotations

import asyncio


def stop_at(owner: object, method: str) -> list[int]:
    """Make `owner.method` the point where the process goes no further; return the list of its calls (one 1 each)."""
    calls: list[int] = []

    async def stop_here(*_: object) -> None:
        calls.append(1)
        raise asyncio.CancelledError  # as when a shutdown cancels the lane here

    setattr(owner, method, stop_here)
    return calls
