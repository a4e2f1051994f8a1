"""Raised hands: who asks for the floor while the group speaks, in the order they asked.

Online, with cameras off, a group cannot see who wants to speak: a member raises a hand on
the panel, the panel lists the hands in order, and a leader gives the floor to the first.
Hands belong to one phase and go when it changes. An anonymous presenter never raises one:
a hand shows its owner to everyone, so they are answered privately that they speak through
the bot, and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from bot.core.errors import Refusal
from bot.core.groups import Group, require_leader, require_member
from bot.core.session import Session, Status
from bot.core.text import N_

# Translators: what only members, or only leaders, may do, after "Only members of Alpha …" /
# "Only the leaders of Alpha …" (in French after « … peuvent »): verb phrases.
RAISE_HANDS = N_("raise a hand in its sessions")
GIVE_THE_FLOOR = N_("give the floor")


@dataclass(frozen=True)
class Hand:
    """One raised hand; its number gives its place in line and names the notice that gives it the floor."""

    number: int
    user_id: int


class Press(Enum):
    """What a press of Raise hand does."""

    RAISE = "raise"
    LOWER = "lower"
    # The anonymous presenter: nothing is raised, and they are told privately to speak through the bot.
    SPEAK_AS_PRESENTER = "speak-as-presenter"


def hands_open(session: Session) -> bool:
    """Whether hands can be raised now: a session that has not ended, in a phase where the group speaks."""
    return session.state.status is not Status.ENDED and session.current_phase.group_speaks


def _require_live(session: Session) -> None:
    if session.state.status is Status.ENDED:
        raise Refusal("This session has ended; there is no floor to ask for.")


def press(group: Group, session: Session, user_id: int, hands: Iterable[Hand], *,
          presents_anonymously: bool) -> Press:
    """Decide what a press of Raise hand does: raise the hand, lower it, or point the anonymous presenter to the bot.

    The checks that anyone may meet come first, in the same order for everyone, so that the
    anonymous presenter's answer differs from another member's only where it is theirs alone.
    """
    _require_live(session)
    require_member(group, user_id, RAISE_HANDS)
    if not session.current_phase.group_speaks:
        raise Refusal("Hands are raised only in the phases where the group speaks.")
    if presents_anonymously:
        return Press.SPEAK_AS_PRESENTER
    if user_id == session.presenter_id and not session.current_phase.presenter_speaks:
        raise Refusal("You present this case: in this phase you listen. You can raise your hand again when "
                      "you return.")
    return Press.LOWER if any(hand.user_id == user_id for hand in hands) else Press.RAISE


def line(hands: Iterable[Hand], group: Group) -> tuple[Hand, ...]:
    """Return the raised hands in the order they were raised, of those who still take part in the group."""
    seen: set[int] = set()
    ordered = []
    for hand in sorted(hands, key=lambda h: h.number):
        if hand.user_id not in seen and group.belongs(hand.user_id):
            seen.add(hand.user_id)
            ordered.append(hand)
    return tuple(ordered)


def place(hands: Iterable[Hand], group: Group, user_id: int) -> int | None:
    """Return someone's place in line (1 for the next to speak), or None if their hand is not raised."""
    for number, hand in enumerate(line(hands, group), start=1):
        if hand.user_id == user_id:
            return number
    return None


def next_speaker(group: Group, session: Session, user_id: int, hands: Iterable[Hand]) -> Hand:
    """Return the hand a leader gives the floor to: the first in line."""
    require_leader(group, user_id, GIVE_THE_FLOOR)
    _require_live(session)
    waiting = line(hands, group)
    if not waiting:
        raise Refusal("No hand is raised: nobody is waiting for the floor.")
    return waiting[0]
