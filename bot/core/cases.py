"""Cases: proposing, queueing and withdrawing, and recognising an anonymous author without naming them."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from bot.core.errors import Refusal
from bot.core.groups import PROPOSE_CASES, Group, require_member
from bot.core.text import N_, Text

TITLE_MAX = 100
STORY_MAX = 1500


class CaseState(Enum):
    """Where a case stands."""

    QUEUED = "queued"
    PRESENTING = "presenting"
    PRESENTED = "presented"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        """The state as a refusal names it ("This case is already withdrawn"): a msgid."""
        return _STATE_LABELS[self]


# Translators: the state of a case ("un cas", masculine), said after "This case is (already) …".
_STATE_LABELS = {
    CaseState.QUEUED: N_("queued"),
    CaseState.PRESENTING: N_("presenting"),
    CaseState.PRESENTED: N_("presented"),
    CaseState.WITHDRAWN: N_("withdrawn"),
}


@dataclass(frozen=True)
class Case:
    """A case as stored; an anonymous one carries a seal of its author, never their id."""

    id: int
    group_id: int
    title: str
    story: str | None
    anonymous: bool
    author_id: int | None
    author_tag: bytes | None
    nonce: bytes | None
    state: CaseState


@dataclass(frozen=True)
class NewCase:
    """A checked case, ready to store."""

    group_id: int
    title: str
    story: str | None
    anonymous: bool
    author_id: int | None
    author_tag: bytes | None
    nonce: bytes | None


class AuthorSeal:
    """Seals a user id under a secret key kept outside the database.

    A plain hash of a Discord id would be no protection: a group has a dozen members whose
    ids anyone in the server can list. The key makes the tag useless without the key file,
    and the per-case nonce makes two cases of the same author look unrelated.
    """

    def __init__(self, key: bytes) -> None:
        self._key = key

    def seal(self, user_id: int) -> tuple[bytes, bytes]:
        """Return (nonce, tag) for a new anonymous case."""
        nonce = secrets.token_bytes(16)
        return nonce, self._tag(nonce, user_id)

    def _tag(self, nonce: bytes, user_id: int) -> bytes:
        return hmac.new(self._key, nonce + user_id.to_bytes(8, "big"), hashlib.sha256).digest()

    def mark(self, context: str, user_id: int) -> bytes:
        """Return a seal of a user for one purpose (say, one meeting): the same each time, unrelated elsewhere."""
        return self._tag(context.encode(), user_id)

    def is_author(self, case: Case, user_id: int) -> bool:
        """Whether this user wrote the case."""
        if not case.anonymous:
            return case.author_id == user_id
        if case.nonce is None or case.author_tag is None:
            return False  # purged: nobody can act as its author any more
        return self.matches(case.nonce, case.author_tag, user_id)

    def matches(self, nonce: bytes, tag: bytes, user_id: int) -> bool:
        """Whether a seal (a case's, or the copy its session keeps) was made for this user."""
        return hmac.compare_digest(self._tag(nonce, user_id), tag)


class CaseStore(Protocol):
    """The storage the case rules need."""

    async def insert_case(self, case: NewCase) -> Case:
        """Store a new case, queued."""
        ...

    async def case_by_id(self, case_id: int) -> Case | None:
        """Read a case."""
        ...

    async def cases_of_group(self, group_id: int, states: tuple[CaseState, ...]) -> list[Case]:
        """List a group's cases in these states, oldest first."""
        ...

    async def move_case(self, case_id: int, before: CaseState, after: CaseState) -> bool:
        """Change a case's state if it is still in `before`."""
        ...


def clean_title(raw: str) -> str:
    """Return the title as stored, or refuse."""
    title = " ".join(unicodedata.normalize("NFC", raw).split())
    if not title:
        raise Refusal("A case needs a title; a few words are enough, with no patient names.")
    if len(title) > TITLE_MAX:
        raise Refusal("A case title can have at most {most} characters; this one has {count}.", most=TITLE_MAX,
                      count=len(title))
    return title


def clean_story(raw: str | None) -> str | None:
    """Return the story as stored (None if empty), or refuse one that is too long."""
    story = unicodedata.normalize("NFC", raw or "").strip()
    if len(story) > STORY_MAX:
        raise Refusal(
            "A story can have at most {most} characters; this one has {count}. "
            "Shorten it: the group hears the rest from you.",
            most=STORY_MAX, count=len(story),
        )
    return story or None


class CaseRules:
    """The case commands' rules."""

    def __init__(self, store: CaseStore, seal: AuthorSeal) -> None:
        self.store = store
        self.seal = seal

    @staticmethod
    def check_can_propose(group: Group, user_id: int) -> None:
        """Refuse anyone who does not take part in the group."""
        require_member(group, user_id, PROPOSE_CASES)

    async def propose(self, group: Group, user_id: int, title: str, story: str | None, *,
                      anonymous: bool) -> Case:
        """Queue a case for the group, proposed by one of its members or leaders."""
        self.check_can_propose(group, user_id)
        clean = clean_title(title)
        text = clean_story(story)
        nonce, tag = self.seal.seal(user_id) if anonymous else (None, None)
        return await self.store.insert_case(NewCase(
            group_id=group.id, title=clean, story=text, anonymous=anonymous,
            author_id=None if anonymous else user_id, author_tag=tag, nonce=nonce,
        ))

    async def get(self, group_ids: set[int], case_id: int) -> Case:
        """Return a case of one of these groups (this server's), or refuse."""
        case = await self.store.case_by_id(case_id)
        if case is None or case.group_id not in group_ids:
            raise Refusal("There is no such case in this server; pick one from the list that appears as you type.")
        return case

    async def withdraw(self, case: Case, user_id: int) -> None:
        """Withdraw one's own queued case."""
        if not self.seal.is_author(case, user_id):
            raise Refusal("You can withdraw only your own cases; the list as you type shows yours.")
        if case.state is not CaseState.QUEUED:
            raise Refusal("This case is already {state}; only a queued case can be withdrawn.",
                          state=Text(case.state.label))
        if not await self.store.move_case(case.id, CaseState.QUEUED, CaseState.WITHDRAWN):
            raise Refusal("This case was just taken up or withdrawn; look at /case list.")

    @staticmethod
    def may_take_up(group: Group, case: Case) -> None:
        """Refuse a case the group cannot present now: another group's, or one no longer queued.

        The move out of the queue is the session's own: stored with it in one transaction, so a
        stopped process never leaves a case "presenting" with no session to present it.
        """
        if case.group_id != group.id:
            raise Refusal("That case belongs to another group; choose one of {group}'s cases.", group=group.name)
        if case.state is not CaseState.QUEUED:
            raise Refusal("This case is {state}, not queued; choose a queued case.", state=Text(case.state.label))
