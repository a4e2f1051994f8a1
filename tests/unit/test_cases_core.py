"""The case rules and the author seal of the core, over an in-memory store."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.cases import STORY_MAX, TITLE_MAX, AuthorSeal, Case, CaseRules, CaseState, NewCase
from bot.core.errors import Refusal
from bot.core.groups import Group, GroupSettings

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))

LEADER, ADA, BEN, OUTSIDER = 1, 2, 3, 99


def _group(group_id: int, name: str, guild_id: int = 9) -> Group:
    return Group(id=group_id, guild_id=guild_id, name=name, text_channel_id=10 * group_id,
                 voice_channel_id=10 * group_id + 1, settings=GroupSettings("UTC", "classic"),
                 leader_ids=(LEADER,), member_ids=(ADA, BEN))


ALPHA = _group(1, "Alpha")
BETA = _group(2, "Beta")
ELSEWHERE = _group(3, "Gamma", guild_id=8)  # a group of another server


class MemoryCaseStore:
    """The CaseStore protocol on a dict, with the same conditional move as the SQL store."""

    def __init__(self) -> None:
        self.cases: dict[int, Case] = {}

    async def insert_case(self, case: NewCase) -> Case:
        stored = Case(id=len(self.cases) + 1, group_id=case.group_id, title=case.title, story=case.story,
                      anonymous=case.anonymous, author_id=case.author_id, author_tag=case.author_tag,
                      nonce=case.nonce, state=CaseState.QUEUED)
        self.cases[stored.id] = stored
        return stored

    async def case_by_id(self, case_id: int) -> Case | None:
        return self.cases.get(case_id)

    async def cases_of_group(self, group_id: int, states: tuple[CaseState, ...]) -> list[Case]:
        return sorted((c for c in self.cases.values() if c.group_id == group_id and c.state in states),
                      key=lambda c: c.id)

    async def move_case(self, case_id: int, before: CaseState, after: CaseState) -> bool:
        case = self.cases.get(case_id)
        if case is None or case.state is not before:
            return False
        self.cases[case_id] = replace(case, state=after)
        return True


@pytest.fixture
def store() -> MemoryCaseStore:
    return MemoryCaseStore()


@pytest.fixture
def rules(store: MemoryCaseStore) -> CaseRules:
    return CaseRules(store, AuthorSeal(KEY))


async def _state(store: MemoryCaseStore, case: Case) -> CaseState:
    stored = await store.case_by_id(case.id)
    assert stored is not None
    return stored.state


# ---------------------------------------------------------------- proposing


async def test_a_member_proposes_a_named_case(rules: CaseRules, store: MemoryCaseStore) -> None:
    """A named case is queued in the group with its author's id and no seal."""
    case = await rules.propose(ALPHA, ADA, "The patient who keeps coming back", "She brings me flowers.",
                               anonymous=False)
    assert case == Case(id=1, group_id=ALPHA.id, title="The patient who keeps coming back",
                        story="She brings me flowers.", anonymous=False, author_id=ADA, author_tag=None,
                        nonce=None, state=CaseState.QUEUED)
    assert await store.cases_of_group(ALPHA.id, (CaseState.QUEUED,)) == [case]


async def test_a_leader_who_is_not_a_member_proposes_too(rules: CaseRules) -> None:
    """Leaders take part in the group: they may bring a case."""
    assert not ALPHA.is_member(LEADER)
    case = await rules.propose(ALPHA, LEADER, "My own case", None, anonymous=False)
    assert case.author_id == LEADER and case.state is CaseState.QUEUED


async def test_an_outsider_is_refused_and_nothing_is_stored(rules: CaseRules, store: MemoryCaseStore) -> None:
    """Someone outside the group cannot propose, named or anonymous."""
    for anonymous in (False, True):
        with pytest.raises(Refusal) as refused:
            await rules.propose(ALPHA, OUTSIDER, "A case", None, anonymous=anonymous)
        assert str(refused.value) == "Only members of Alpha propose cases there; join with /group join first."
    assert store.cases == {}


async def test_a_title_is_cleaned(rules: CaseRules) -> None:
    """Runs of white space become one space, the ends are trimmed, and the text is NFC."""
    case = await rules.propose(ALPHA, ADA, "  The  patient\n\twho   cane\u0301s  ", None, anonymous=False)
    assert case.title == "The patient who can\u00e9s"


@pytest.mark.parametrize("raw", ["", "   ", "\n\t "])
async def test_an_empty_title_is_refused(rules: CaseRules, store: MemoryCaseStore, raw: str) -> None:
    """A case needs a title."""
    with pytest.raises(Refusal) as refused:
        await rules.propose(ALPHA, ADA, raw, "A story.", anonymous=False)
    assert str(refused.value) == "A case needs a title; a few words are enough, with no patient names."
    assert store.cases == {}


async def test_the_title_limit_counts_the_cleaned_title(rules: CaseRules, store: MemoryCaseStore) -> None:
    """100 characters pass (spaces around them do not count); 101 are refused, with the count."""
    case = await rules.propose(ALPHA, ADA, "   " + "t" * TITLE_MAX + "   ", None, anonymous=False)
    assert case.title == "t" * TITLE_MAX
    with pytest.raises(Refusal) as refused:
        await rules.propose(ALPHA, ADA, "t" * (TITLE_MAX + 1), None, anonymous=False)
    assert str(refused.value) == "A case title can have at most 100 characters; this one has 101."
    assert len(store.cases) == 1


@pytest.mark.parametrize(("raw", "stored"), [
    (None, None),
    ("", None),
    ("  \n ", None),
    ("  He shouts.\n\nAt reception.  ", "He shouts.\n\nAt reception."),
    ("cafe\u0301", "caf\u00e9"),
])
async def test_a_story_is_trimmed_and_an_empty_one_is_none(rules: CaseRules, raw: str | None,
                                                           stored: str | None) -> None:
    """The story keeps its lines but not the space around it; nothing at all is stored as None."""
    case = await rules.propose(ALPHA, ADA, "A case", raw, anonymous=False)
    assert case.story == stored


async def test_the_story_limit(rules: CaseRules, store: MemoryCaseStore) -> None:
    """1,500 characters pass; 1,501 are refused with the count and what to do."""
    case = await rules.propose(ALPHA, ADA, "A case", "s" * STORY_MAX, anonymous=False)
    assert case.story == "s" * STORY_MAX
    with pytest.raises(Refusal) as refused:
        await rules.propose(ALPHA, ADA, "A case", "s" * (STORY_MAX + 1), anonymous=True)
    assert str(refused.value) == (
        "A story can have at most 1,500 characters; this one has 1,501. Shorten it: the group hears the rest"
        " from you."
    )
    assert len(store.cases) == 1


# ---------------------------------------------------------------- anonymity and the seal


async def test_an_anonymous_case_has_a_seal_and_no_author_id(rules: CaseRules) -> None:
    """The author's id is not stored; a tag and a nonce are."""
    case = await rules.propose(ALPHA, ADA, "The patient I dread", "He shouts.", anonymous=True)
    assert case.anonymous and case.author_id is None
    assert case.author_tag is not None and len(case.author_tag) == 32
    assert case.nonce is not None and len(case.nonce) == 16
    assert ADA.to_bytes(8, "big") not in case.author_tag + case.nonce


async def test_the_seal_recognises_the_author_and_nobody_else(rules: CaseRules) -> None:
    """Only the author's id matches the tag: not another member, the leader or an outsider."""
    case = await rules.propose(ALPHA, ADA, "The patient I dread", None, anonymous=True)
    seal = AuthorSeal(KEY)
    assert seal.is_author(case, ADA)
    assert not any(seal.is_author(case, other) for other in (BEN, LEADER, OUTSIDER, ADA + 1, 0))


async def test_a_named_case_is_recognised_by_its_author_id(rules: CaseRules) -> None:
    """Without a seal, the author is the stored id."""
    case = await rules.propose(ALPHA, ADA, "A case", None, anonymous=False)
    seal = AuthorSeal(KEY)
    assert seal.is_author(case, ADA)
    assert not seal.is_author(case, BEN) and not seal.is_author(case, LEADER)


async def test_two_cases_of_one_author_look_unrelated(rules: CaseRules) -> None:
    """Each case has its own nonce, so the same author's tags differ; both still recognise them."""
    first = await rules.propose(ALPHA, ADA, "First", None, anonymous=True)
    second = await rules.propose(ALPHA, ADA, "Second", None, anonymous=True)
    assert first.nonce != second.nonce
    assert first.author_tag != second.author_tag
    seal = AuthorSeal(KEY)
    assert seal.is_author(first, ADA) and seal.is_author(second, ADA)


async def test_another_key_does_not_recognise_the_author(rules: CaseRules, store: MemoryCaseStore) -> None:
    """Without the key file, the database alone cannot tell (or act as) who wrote the case."""
    case = await rules.propose(ALPHA, ADA, "The patient I dread", None, anonymous=True)
    assert not AuthorSeal(OTHER_KEY).is_author(case, ADA)
    with pytest.raises(Refusal, match="only your own cases"):
        await CaseRules(store, AuthorSeal(OTHER_KEY)).withdraw(case, ADA)
    assert await _state(store, case) is CaseState.QUEUED


def test_a_purged_seal_recognises_nobody() -> None:
    """An anonymous case whose seal is gone has no author any more."""
    purged = Case(id=1, group_id=ALPHA.id, title="A case", story=None, anonymous=True, author_id=None,
                  author_tag=None, nonce=None, state=CaseState.QUEUED)
    assert not AuthorSeal(KEY).is_author(purged, ADA)


def test_a_mark_is_stable_for_one_purpose_and_unrelated_across_purposes() -> None:
    """The same user and context give the same mark; another context, user or key does not."""
    seal = AuthorSeal(KEY)
    mark = seal.mark("meeting:7", ADA)
    assert seal.mark("meeting:7", ADA) == mark
    assert seal.mark("meeting:8", ADA) != mark
    assert seal.mark("meeting:7", BEN) != mark
    assert AuthorSeal(OTHER_KEY).mark("meeting:7", ADA) != mark


# ---------------------------------------------------------------- withdraw


@pytest.mark.parametrize("anonymous", [False, True])
async def test_the_author_withdraws_their_queued_case(rules: CaseRules, store: MemoryCaseStore,
                                                      anonymous: bool) -> None:
    """Named or anonymous, the author's queued case becomes withdrawn."""
    case = await rules.propose(ALPHA, ADA, "A case", None, anonymous=anonymous)
    await rules.withdraw(case, ADA)
    assert await _state(store, case) is CaseState.WITHDRAWN
    assert await store.cases_of_group(ALPHA.id, (CaseState.QUEUED,)) == []


@pytest.mark.parametrize("anonymous", [False, True])
async def test_nobody_else_withdraws_a_case(rules: CaseRules, store: MemoryCaseStore, anonymous: bool) -> None:
    """Another member, the leader and an outsider are all refused; the case stays queued."""
    case = await rules.propose(ALPHA, ADA, "A case", None, anonymous=anonymous)
    for other in (BEN, LEADER, OUTSIDER):
        with pytest.raises(Refusal) as refused:
            await rules.withdraw(case, other)
        assert str(refused.value) == "You can withdraw only your own cases; the list as you type shows yours."
    assert await _state(store, case) is CaseState.QUEUED


async def _take_up(store: MemoryCaseStore, case: Case) -> None:
    """What a session's start does to its case (in the session's own transaction, in the SQLite store)."""
    assert await store.move_case(case.id, CaseState.QUEUED, CaseState.PRESENTING)


async def test_only_a_queued_case_is_withdrawn(rules: CaseRules, store: MemoryCaseStore) -> None:
    """A case being presented, or already withdrawn, cannot be withdrawn."""
    presenting = await rules.propose(ALPHA, ADA, "Presenting", None, anonymous=False)
    await _take_up(store, presenting)
    with pytest.raises(Refusal) as refused:
        await rules.withdraw(await rules.get({ALPHA.id}, presenting.id), ADA)
    assert str(refused.value) == "This case is already presenting; only a queued case can be withdrawn."
    assert await _state(store, presenting) is CaseState.PRESENTING

    gone = await rules.propose(ALPHA, ADA, "Gone", None, anonymous=True)
    await rules.withdraw(gone, ADA)
    with pytest.raises(Refusal) as refused:
        await rules.withdraw(await rules.get({ALPHA.id}, gone.id), ADA)
    assert str(refused.value) == "This case is already withdrawn; only a queued case can be withdrawn."


async def test_a_case_taken_up_since_it_was_read_is_not_withdrawn(rules: CaseRules, store: MemoryCaseStore) -> None:
    """The store's conditional move decides: a stale "queued" copy does not win."""
    case = await rules.propose(ALPHA, ADA, "A case", None, anonymous=True)
    await _take_up(store, case)
    with pytest.raises(Refusal) as refused:
        await rules.withdraw(case, ADA)  # the copy read before it was taken up
    assert str(refused.value) == "This case was just taken up or withdrawn; look at /case list."
    assert await _state(store, case) is CaseState.PRESENTING


# ---------------------------------------------------------------- take up and get


async def test_a_queued_case_of_the_group_may_be_taken_up_and_the_check_moves_nothing(
        rules: CaseRules, store: MemoryCaseStore) -> None:
    """The check only refuses: the move out of the queue is stored with the session (test_case_sessions_storage)."""
    case = await rules.propose(ALPHA, ADA, "A case", None, anonymous=False)
    rules.may_take_up(ALPHA, case)
    assert await _state(store, case) is CaseState.QUEUED


async def test_take_up_refuses_another_groups_case(rules: CaseRules, store: MemoryCaseStore) -> None:
    """A case of Beta cannot be presented in Alpha."""
    case = await rules.propose(BETA, ADA, "A Beta case", None, anonymous=False)
    with pytest.raises(Refusal) as refused:
        rules.may_take_up(ALPHA, case)
    assert str(refused.value) == "That case belongs to another group; choose one of Alpha's cases."
    assert await _state(store, case) is CaseState.QUEUED


async def test_take_up_refuses_a_case_that_is_not_queued(rules: CaseRules, store: MemoryCaseStore) -> None:
    """A case already presenting, or withdrawn, is not taken up again."""
    presenting = await rules.propose(ALPHA, ADA, "Presenting", None, anonymous=False)
    await _take_up(store, presenting)
    with pytest.raises(Refusal) as refused:
        rules.may_take_up(ALPHA, await rules.get({ALPHA.id}, presenting.id))
    assert str(refused.value) == "This case is presenting, not queued; choose a queued case."

    withdrawn = await rules.propose(ALPHA, ADA, "Withdrawn", None, anonymous=False)
    await rules.withdraw(withdrawn, ADA)
    with pytest.raises(Refusal) as refused:
        rules.may_take_up(ALPHA, await rules.get({ALPHA.id}, withdrawn.id))
    assert str(refused.value) == "This case is withdrawn, not queued; choose a queued case."
    assert await _state(store, withdrawn) is CaseState.WITHDRAWN


async def test_get_finds_a_case_of_this_servers_groups(rules: CaseRules) -> None:
    """Any group of the server will do: the caller passes the server's group ids."""
    case = await rules.propose(BETA, ADA, "A Beta case", None, anonymous=False)
    assert await rules.get({ALPHA.id, BETA.id}, case.id) == case


@pytest.mark.parametrize("case_id", [1, 2])
async def test_get_refuses_another_servers_case_and_an_unknown_id(rules: CaseRules, case_id: int) -> None:
    """A case of another server's group reads exactly like a case that does not exist."""
    await rules.propose(ELSEWHERE, ADA, "Elsewhere", None, anonymous=False)
    with pytest.raises(Refusal) as refused:
        await rules.get({ALPHA.id, BETA.id}, case_id)
    assert str(refused.value) == (
        "There is no such case in this server; pick one from the list that appears as you type."
    )
