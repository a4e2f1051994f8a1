"""Phase templates: the ordered phases of one Balint case, with their minutes and guidance.

The built-in templates' titles, phase names and guidance are msgids, shown in the reader's
language; a custom template's texts are shown as its author wrote them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from bot.core.text import N_, Text


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
    # The opening, before the case: the leader asks who has one, and the panel lists those waiting.
    opening: bool = False

    @property
    def presenter_speaks(self) -> bool:
        """Whether the presenter may speak (and an anonymous one may relay) in this phase."""
        return self.speaker in (Speaker.PRESENTER, Speaker.GROUP_AND_PRESENTER)

    @property
    def group_speaks(self) -> bool:
        """Whether the group holds the floor in this phase, and so may raise hands to speak."""
        return self.speaker in (Speaker.GROUP, Speaker.GROUP_AND_PRESENTER)


@dataclass(frozen=True)
class Template:
    """An ordered list of phases, chosen per group or per session."""

    name: str
    title: str
    phases: tuple[Phase, ...]

    @property
    def total_minutes(self) -> int:
        """The planned length of every phase, the opening included."""
        return sum(phase.minutes for phase in self.phases)

    @property
    def opening_minutes(self) -> int:
        """The minutes of the opening, 0 for a template without one."""
        return sum(phase.minutes for phase in self.phases if phase.opening)

    @property
    def case_minutes(self) -> int:
        """The planned length of the case itself, without the opening: what a template advertises."""
        return self.total_minutes - self.opening_minutes

    @property
    def length(self) -> Text:
        """Say how long the template is: the case's minutes, and the opening's apart."""
        if self.opening_minutes:
            return Text("{minutes} min + {opening} min opening", minutes=self.case_minutes,
                        opening=self.opening_minutes)
        return Text("{minutes} min", minutes=self.case_minutes)


_OPENING = N_(
    "Who has a case today? The leader asks; whoever has one says so in a sentence, without the "
    "story yet, and the group chooses one. The cases waiting are listed here. The leader moves "
    "on with Next."
)
_PRESENTATION = N_(
    "The presenter tells the story of a patient who stays on their mind, from memory and without "
    "notes. The group listens; what is left out is part of the story too."
)
_QUESTIONS = N_(
    "The group asks short factual questions. Questions are for facts, not for solutions or blame: "
    "no \"why didn't you…\"."
)
_DISCUSSION = N_(
    "The presenter sits back and listens in silence. The group talks about the relationship as if "
    "the presenter were not here: what might the patient feel, what might the doctor feel? "
    "No advice, no right or wrong practice, no speculation about the presenter's life."
)
_RETURN = N_(
    "The presenter comes back and says what struck them. The group listens; no new judgement."
)
_CLOSING = N_(
    "The leader closes. What is said in the group stays in the group, and patients are never named."
)
_WARM_UP = N_(
    "The group talks over what it heard before the scenes: what is going on between this doctor "
    "and this patient?"
)
_SCENES = N_(
    "Role-play: the presenter replays the encounter and members take roles, guided by the leader. "
    "Stay with feelings; the scene is not a test of anyone's practice."
)
_SHARING = N_(
    "Out of role: the players say what they felt in their roles, then the group shares what it saw. "
    "The presenter listens."
)


# Every built-in template begins with it; the leader skips it with Next when the case is chosen.
OPENING_MINUTES = 3
_OPENING_PHASE = Phase("opening", N_("Opening"), OPENING_MINUTES, _OPENING, Speaker.GROUP_AND_PRESENTER,
                       opening=True)


def _classic_shape(name: str, title: str, minutes: tuple[int, int, int, int, int]) -> Template:
    presentation, questions, discussion, back, closing = minutes
    return Template(
        name=name,
        title=title,
        phases=(
            _OPENING_PHASE,
            Phase("presentation", N_("Presentation"), presentation, _PRESENTATION, Speaker.PRESENTER),
            Phase("questions", N_("Clarifying questions"), questions, _QUESTIONS, Speaker.GROUP_AND_PRESENTER),
            Phase("discussion", N_("Discussion (presenter pushed back)"), discussion, _DISCUSSION,
                  Speaker.GROUP, pushback=True),
            Phase("return", N_("Presenter returns"), back, _RETURN, Speaker.GROUP_AND_PRESENTER),
            Phase("closing", N_("Closing"), closing, _CLOSING, Speaker.LEADER),
        ),
    )


BUILTIN_TEMPLATES: Mapping[str, Template] = {
    "classic": _classic_shape("classic", N_("Classic 45-minute case (UK)"), (5, 5, 25, 7, 3)),
    "residency": _classic_shape("residency", N_("60-minute group (US residency)"), (5, 5, 35, 10, 5)),
    "double": _classic_shape("double", N_("90-minute double hour (Germany)"), (10, 10, 45, 15, 10)),
    "psychodrama": Template(
        name="psychodrama",
        title=N_("Balint-psychodrama"),
        phases=(
            _OPENING_PHASE,
            Phase("presentation", N_("Presentation"), 10, _PRESENTATION, Speaker.PRESENTER),
            Phase("questions", N_("Clarifying questions"), 10, _QUESTIONS, Speaker.GROUP_AND_PRESENTER),
            Phase("warm-up", N_("Group discussion (presenter pushed back)"), 10, _WARM_UP, Speaker.GROUP,
                  pushback=True),
            Phase("scenes", N_("Role-play scenes"), 30, _SCENES, Speaker.GROUP_AND_PRESENTER),
            Phase("sharing", N_("Sharing"), 10, _SHARING, Speaker.GROUP),
            Phase("return", N_("Presenter returns"), 10, _RETURN, Speaker.GROUP_AND_PRESENTER),
            Phase("closing", N_("Closing"), 5, _CLOSING, Speaker.LEADER),
        ),
    ),
}

# The built-in phases by key: each key has one name and one guidance in every built-in template.
_BUILTIN_PHASES: Mapping[str, Phase] = {
    phase.key: phase for template in BUILTIN_TEMPLATES.values() for phase in template.phases
}


def builtin_phase(phase: Phase) -> Phase | None:
    """Return the built-in phase this one is a copy of, or None for a custom template's phase.

    A session stores its phases in English; a built-in one is shown translated (its name and
    guidance are msgids), a custom one as its template's author wrote it. A custom phase may
    share a key ("presentation"), so its texts must be the built-in ones too.
    """
    found = _BUILTIN_PHASES.get(phase.key)
    if found is None or (found.name, found.guidance) != (phase.name, phase.guidance):
        return None
    return found

DEFAULT_TEMPLATE = "classic"


class TemplateError(ValueError):
    """A custom template that cannot be used; `where` names the offending part."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


TEMPLATE_NAME_MAX = 30
PHASES_MAX = 12
PHASE_MINUTES_MAX = 180
GUIDANCE_MAX = 1000
_PHASE_KEYS = {"name", "minutes", "guidance", "speaker", "pushback", "opening"}


def build_template(name: str, raw: object) -> Template:
    """Validate a custom template from config (`[templates.<name>]`) and build it.

    The presenter's phases and the push-back decide who may speak and when the presenter is
    muted, so they are checked as strictly as the minutes: at most one push-back phase, in
    which the presenter does not speak.
    """
    where = f"templates.{name}"
    if not (1 <= len(name) <= TEMPLATE_NAME_MAX and all(c.isascii() and (c.isalnum() or c == "-") for c in name)
            and name == name.lower()):
        raise TemplateError(where, "a template name is 1-30 lower-case letters, digits or '-'")
    if name in BUILTIN_TEMPLATES:
        raise TemplateError(where, f"'{name}' is a built-in template; give yours another name")
    if not isinstance(raw, dict):
        raise TemplateError(where, "expected a table with title and phases")
    unknown = set(raw) - {"title", "phases"}
    if unknown:
        raise TemplateError(f"{where}.{sorted(unknown)[0]}", "is not a template setting; use title and phases")
    title = raw.get("title", name)
    if not isinstance(title, str) or not 1 <= len(title.strip()) <= 100:
        raise TemplateError(f"{where}.title", "expected a title of 1-100 characters")
    phases_raw = raw.get("phases")
    if not isinstance(phases_raw, list) or not 1 <= len(phases_raw) <= PHASES_MAX:
        raise TemplateError(f"{where}.phases", f"expected a list of 1-{PHASES_MAX} phases")
    phases = tuple(_build_phase(f"{where}.phases[{n}]", item) for n, item in enumerate(phases_raw))
    if sum(phase.pushback for phase in phases) > 1:
        raise TemplateError(f"{where}.phases", "at most one phase can be the push-back")
    for n, phase in enumerate(phases[1:], start=1):
        if phase.opening:
            raise TemplateError(f"{where}.phases[{n}].opening", "only the first phase can be the opening")
    keys = [phase.key for phase in phases]
    if len(set(keys)) != len(keys):
        raise TemplateError(f"{where}.phases", "two phases have the same name")
    return Template(name=name, title=title.strip(), phases=phases)


def _build_phase(where: str, raw: object) -> Phase:
    if not isinstance(raw, dict):
        raise TemplateError(where, "expected a table with name, minutes, guidance and speaker")
    unknown = set(raw) - _PHASE_KEYS
    if unknown:
        raise TemplateError(
            f"{where}.{sorted(unknown)[0]}", f"is not a phase setting; use {', '.join(sorted(_PHASE_KEYS))}"
        )
    name = raw.get("name")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 50:
        raise TemplateError(f"{where}.name", "expected a name of 1-50 characters")
    minutes = raw.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= PHASE_MINUTES_MAX:
        raise TemplateError(f"{where}.minutes", f"expected a whole number of minutes from 1 to {PHASE_MINUTES_MAX}")
    guidance = raw.get("guidance", "")
    if not isinstance(guidance, str) or len(guidance) > GUIDANCE_MAX:
        raise TemplateError(f"{where}.guidance", f"expected text of at most {GUIDANCE_MAX} characters")
    speakers = {s.value: s for s in Speaker}
    speaker = raw.get("speaker", "group-and-presenter")
    if speaker not in speakers:
        raise TemplateError(f"{where}.speaker", f"'{speaker}' is not allowed; use one of {', '.join(speakers)}")
    pushback = raw.get("pushback", False)
    if not isinstance(pushback, bool):
        raise TemplateError(f"{where}.pushback", "expected true or false")
    if pushback and speakers[speaker] in (Speaker.PRESENTER, Speaker.GROUP_AND_PRESENTER):
        raise TemplateError(f"{where}.speaker", "in the push-back phase the presenter is silent: use group or leader")
    opening = raw.get("opening", False)
    if not isinstance(opening, bool):
        raise TemplateError(f"{where}.opening", "expected true or false")
    if opening and pushback:
        raise TemplateError(f"{where}.opening", "the opening comes before the case: it cannot be the push-back")
    key = "-".join(name.strip().lower().split())
    return Phase(key=key, name=name.strip(), minutes=minutes, guidance=guidance.strip(),
                 speaker=speakers[speaker], pushback=pushback, opening=opening)
