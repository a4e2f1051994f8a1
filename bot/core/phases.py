"""Phase templates: the ordered phases of one Balint case, with their minutes and guidance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum


class Speaker(Enum):
    """Who holds the floor in a phase; it decides when the presenter may speak."""

    LEADER = "leader"
    PRESENTER = "presenter"
    GROUP_AND_PRESENTER = "group-and-presenter"
    GROUP = "group"


@dataclass(frozen=True)
class Phase:
    """One phase of a case."""

    key: str
    name: str
    minutes: int
    guidance: str
    speaker: Speaker
    pushback: bool = False

    @property
    def presenter_speaks(self) -> bool:
        """Whether the presenter may speak (and an anonymous one may relay) in this phase."""
        return self.speaker in (Speaker.PRESENTER, Speaker.GROUP_AND_PRESENTER)


@dataclass(frozen=True)
class Template:
    """An ordered list of phases, chosen per group or per session."""

    name: str
    title: str
    phases: tuple[Phase, ...]

    @property
    def total_minutes(self) -> int:
        """The planned length of the whole case."""
        return sum(phase.minutes for phase in self.phases)


_PRESENTATION = (
    "The presenter tells the story of a patient who stays on their mind, from memory and without "
    "notes. The group listens; what is left out is part of the story too."
)
_QUESTIONS = (
    "The group asks short factual questions. Questions are for facts, not for solutions or blame: "
    "no \"why didn't you…\"."
)
_DISCUSSION = (
    "The presenter sits back and listens in silence. The group talks about the relationship as if "
    "the presenter were not here: what might the patient feel, what might the doctor feel? "
    "No advice, no right or wrong practice, no speculation about the presenter's life."
)
_RETURN = (
    "The presenter comes back and says what struck them. The group listens; no new judgement."
)
_CLOSING = (
    "The leader closes. What is said in the group stays in the group, and patients are never named."
)
_WARM_UP = (
    "The group talks over what it heard before the scenes: what is going on between this doctor "
    "and this patient?"
)
_SCENES = (
    "Role-play: the presenter replays the encounter and members take roles, guided by the leader. "
    "Stay with feelings; the scene is not a test of anyone's practice."
)
_SHARING = (
    "Out of role: the players say what they felt in their roles, then the group shares what it saw. "
    "The presenter listens."
)


def _classic_shape(name: str, title: str, minutes: tuple[int, int, int, int, int]) -> Template:
    presentation, questions, discussion, back, closing = minutes
    return Template(
        name=name,
        title=title,
        phases=(
            Phase("presentation", "Presentation", presentation, _PRESENTATION, Speaker.PRESENTER),
            Phase("questions", "Clarifying questions", questions, _QUESTIONS, Speaker.GROUP_AND_PRESENTER),
            Phase("discussion", "Discussion (presenter pushed back)", discussion, _DISCUSSION,
                  Speaker.GROUP, pushback=True),
            Phase("return", "Presenter returns", back, _RETURN, Speaker.GROUP_AND_PRESENTER),
            Phase("closing", "Closing", closing, _CLOSING, Speaker.LEADER),
        ),
    )


BUILTIN_TEMPLATES: Mapping[str, Template] = {
    "classic": _classic_shape("classic", "Classic 45-minute case (UK)", (5, 5, 25, 7, 3)),
    "residency": _classic_shape("residency", "60-minute group (US residency)", (5, 5, 35, 10, 5)),
    "double": _classic_shape("double", "90-minute double hour (Germany)", (10, 10, 45, 15, 10)),
    "psychodrama": Template(
        name="psychodrama",
        title="Balint-psychodrama",
        phases=(
            Phase("presentation", "Presentation", 10, _PRESENTATION, Speaker.PRESENTER),
            Phase("questions", "Clarifying questions", 10, _QUESTIONS, Speaker.GROUP_AND_PRESENTER),
            Phase("warm-up", "Group discussion (presenter pushed back)", 10, _WARM_UP, Speaker.GROUP,
                  pushback=True),
            Phase("scenes", "Role-play scenes", 30, _SCENES, Speaker.GROUP_AND_PRESENTER),
            Phase("sharing", "Sharing", 10, _SHARING, Speaker.GROUP),
            Phase("return", "Presenter returns", 10, _RETURN, Speaker.GROUP_AND_PRESENTER),
            Phase("closing", "Closing", 5, _CLOSING, Speaker.LEADER),
        ),
    ),
}

DEFAULT_TEMPLATE = "classic"
