"""From the database to the engine: participants' matching profiles, the hard
constraints the engine does not know about, and the engine's ``Features``.

Two layers:

* ``cohort_build`` is pure (no queries): plain ``Profile`` objects in, a
  ``Cohort`` out (who takes part, their engine features, free capacities and
  the blocked pairs). Property tests drive it with random cohorts.
* ``cohort_load`` reads one program's cohort from the database with a constant
  number of queries (eight, however many participants) and calls ``cohort_build``.

Hard constraints decided here (the engine adds language, seniority range and
"not the same department"):

* Management chain, both ways: a mentor may not be the mentee's manager or
  anyone above them, and a mentee may not be above their mentor either (a
  mentor mentoring their own boss is the same conflict of interest seen from
  the other side). Chains are computed in Python from one query of
  ``(id, manager_id)`` over the whole directory, cycle-safe.
* People paired before in this program are never paired again, whatever that
  pairing's state (a declined proposal included).
* A mentor who declined a mentee's request is not matched with them either.
* HR's exclusions (``PairOverride`` kind "exclude").
* Only approved participants whose required training is complete take part;
  mentees with a live pairing and mentors with no free place are left out.

"Unknown" never blocks: a person with no language on record is not blocked by
the language rule (their pair scores the neutral 0.5 on what is unknown).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Q
from django.utils import timezone

from matching.engine import IN_PERSON, REMOTE, Features, ScoringRules
from matching.models import MatchingCriteria, MentorshipRequest, Pairing, PairOverride

# What the web pages need too lives in ``matching.pool`` (no numpy); re-exported here.
from matching.pool import (  # noqa: F401
    CRITERIA,
    CRITERION_LABELS,
    CRITERION_WEIGHT_FIELDS,
    HARD_CONSTRAINT_LABELS,
    participants_queryset,
)
from programs.models import WORKING_STYLE_ITEMS, Enrollment, EnrollmentSkill, Objective, ProgramQuestion, Role

MEETING_FORMAT_FLAGS = {"video": REMOTE, "in_person": IN_PERSON, "either": REMOTE | IN_PERSON}
SKILL_LEVEL_MAX = 5
SCALE_MAX = 5
_OBJECTIVES = tuple(Objective.values)
_STYLE_CODES = tuple(item.code for item in WORKING_STYLE_ITEMS)


@dataclass(frozen=True)
class Profile:
    """One participant as matching sees them (a mentee or a mentor)."""

    enrollment_id: int
    person_id: int
    seniority: float | None = None
    department_id: int | None = None
    location_id: int | None = None
    time_zone: str = "UTC"
    languages: frozenset[int] = frozenset()
    meeting_format: str = "either"
    availability_hours: float | None = None
    objectives: frozenset[str] = frozenset()
    #: skill id -> level 1..5 (mentees: where they are today; mentors: how strong they are)
    skills: Mapping[int, int] = field(default_factory=dict)
    working_style: Mapping[str, int] = field(default_factory=dict)
    answers: Mapping[str, object] = field(default_factory=dict)
    #: person ids of this person's manager, their manager, and so on up
    management_chain: frozenset[int] = frozenset()
    training_complete: bool = True
    #: mentors: places left (capacity minus live pairings)
    free_capacity: int = 0
    #: mentees: already in a live pairing
    is_paired: bool = False


@dataclass(frozen=True)
class MappedQuestion:
    """A mentee question compared with the mentor question it maps to."""

    mentee_question_id: int
    mentor_question_id: int
    scale: bool = False
    options: tuple[str, ...] = ()


class PairIndex:
    """A set of (mentee row, mentor column) pairs as two index arrays; ``pairs[i, j]`` is True
    for a pair in the set. A few thousand pairs of a cohort of millions: no dense mask."""

    __slots__ = ("rows", "cols", "_set")

    def __init__(self, rows=(), cols=()):
        self.rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        self.cols = np.asarray(cols, dtype=np.int64).reshape(-1)
        self._set = None

    def __getitem__(self, pair: tuple[int, int]) -> bool:
        if self._set is None:
            self._set = set(zip(self.rows.tolist(), self.cols.tolist(), strict=True))
        return (int(pair[0]), int(pair[1])) in self._set

    def __len__(self) -> int:
        return int(self.rows.size)


@dataclass
class Cohort:
    """The participants of one matching, as engine inputs (row i = ``mentees[i]``, column j = ``mentors[j]``)."""

    mentees: list[Profile]
    mentors: list[Profile]
    mentee_features: Features
    mentor_features: Features
    capacities: np.ndarray
    #: reason -> the pairs forbidden for that reason (``cohort.blocked[reason][i, j]``: forbidden)
    blocked: dict[str, PairIndex]
    #: who was left out and why: "mentees_training", "mentees_paired", "mentors_training", "mentors_full"
    left_out: dict[str, int] = field(default_factory=dict)
    has_questions: bool = False

    def mentee_index(self) -> dict[int, int]:
        return {p.enrollment_id: i for i, p in enumerate(self.mentees)}

    def mentor_index(self) -> dict[int, int]:
        return {p.enrollment_id: j for j, p in enumerate(self.mentors)}


@dataclass(frozen=True)
class MatchSettings:
    """A program's criteria as the engine takes them (pure, built from ``MatchingCriteria``)."""

    weights: dict[str, float]
    rules: ScoringRules
    objective: str = "participation"
    min_score: float | None = None

    @classmethod
    def from_criteria(cls, criteria: MatchingCriteria) -> MatchSettings:
        weights = {name: float(getattr(criteria, attr) or 0) for name, attr in CRITERION_WEIGHT_FIELDS.items()}
        preference = criteria.department_preference
        low, high = sorted((criteria.seniority_gap_min, criteria.seniority_gap_max))
        rules = ScoringRules(
            min_seniority_gap=low if criteria.enforce_seniority_gap else None,
            max_seniority_gap=high if criteria.enforce_seniority_gap else None,
            preferred_seniority_gap=(float(low), float(high)),
            department_preference=None if preference == MatchingCriteria.DepartmentPreference.ANY else preference,
            forbid_same_department=criteria.forbid_same_department,
            require_common_language=True,
            # Meeting format is a weighted preference (the spec lists it among the criteria).
            require_meeting_format=False,
        )
        if rules.department_preference is None:
            weights["department"] = 0.0
        objective = criteria.objective
        min_score = None
        if objective == MatchingCriteria.Objective.QUALITY:
            min_score = float(criteria.min_score) if criteria.min_score is not None else 0.0
        return cls(weights=weights, rules=rules, objective=objective, min_score=min_score)

    def active_weights(self, *, has_questions: bool) -> dict[str, float]:
        """Criteria that count for this cohort (weight above 0 and something to compare)."""
        return {
            name: weight for name, weight in self.weights.items() if weight > 0 and (name != "answers" or has_questions)
        }


# --- Pure: profiles -> cohort ----------------------------------------------------------


def utc_offset_hours(time_zone: str, *, at: datetime.datetime) -> float:
    try:
        offset = at.astimezone(zoneinfo.ZoneInfo(time_zone)).utcoffset()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return float("nan")
    return offset.total_seconds() / 3600 if offset is not None else float("nan")


def _id_or_unknown(value) -> int:
    return int(value) if value is not None else -1


def _side_features(
    people: list[Profile],
    *,
    role: str,
    skill_ids: list[int],
    language_ids: list[int],
    questions: list[MappedQuestion],
    at: datetime.datetime,
) -> Features:
    p = len(people)
    # (row, column) lists filled in one numpy assignment each: tens of thousands of people.
    skill_col = {skill: k for k, skill in enumerate(skill_ids)}
    skill_at = [
        (row, skill_col[skill], int(level)) for row, x in enumerate(people) for skill, level in x.skills.items()
    ]
    levels = np.clip(np.array([level for _, _, level in skill_at], dtype=np.int64), 1, SKILL_LEVEL_MAX)
    skills = np.zeros((p, len(skill_ids)))
    # Mentors: proficiency in [0, 1]. Mentees: a beginner (level 1) wants it most.
    skills[_index(skill_at)] = (levels if role == Role.MENTOR else SKILL_LEVEL_MAX + 1 - levels) / SKILL_LEVEL_MAX
    objective_col = {code: k for k, code in enumerate(_OBJECTIVES)}
    objectives = np.zeros((p, len(_OBJECTIVES)))
    objectives[
        _index((row, objective_col[c]) for row, x in enumerate(people) for c in x.objectives if c in objective_col)
    ] = 1
    language_col = {language: k for k, language in enumerate(language_ids)}
    languages = np.zeros((p, len(language_ids)))
    languages[_index((row, language_col[lang]) for row, x in enumerate(people) for lang in x.languages)] = 1.0
    style = np.array(
        [[_style_answer(x.working_style.get(code)) for code in _STYLE_CODES] for x in people], dtype=float
    ).reshape(p, len(_STYLE_CODES))
    offsets = {zone: utc_offset_hours(zone, at=at) for zone in {x.time_zone for x in people}}
    answers = [_answer_matrix(people, question, role=role) for question in questions]
    return Features(
        skills=skills,
        objectives=objectives,
        seniority=np.array([np.nan if x.seniority is None else float(x.seniority) for x in people], dtype=float),
        department=np.array([_id_or_unknown(x.department_id) for x in people], dtype=float),
        utc_offset=np.array([offsets[x.time_zone] for x in people], dtype=float),
        location=np.array([_id_or_unknown(x.location_id) for x in people], dtype=float),
        meeting_format=np.array([MEETING_FORMAT_FLAGS.get(x.meeting_format, 3) for x in people], dtype=float),
        working_style=style,
        availability=np.array(
            [np.nan if x.availability_hours is None else float(x.availability_hours) for x in people], dtype=float
        ),
        answers=answers or None,
        languages=languages,
    )


def _index(pairs: Iterable[tuple]) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, columns)`` for numpy indexing, from ``(row, column, ...)`` tuples."""
    pairs = list(pairs)
    return (
        np.array([pair[0] for pair in pairs], dtype=np.int64),
        np.array([pair[1] for pair in pairs], dtype=np.int64),
    )


def _style_answer(value) -> float:
    """A working-style answer on the 1-5 scale, NaN for anything else (unanswered, bad data)."""
    return float(value) if isinstance(value, int | float) and 1 <= value <= 5 else np.nan


def _answer_matrix(people: list[Profile], question: MappedQuestion, *, role: str) -> np.ndarray:
    """One multi-hot row per person. A scale answer v marks v-1, v and v+1, so equal answers
    compare as 1, one apart as 2/3, two apart as 1/3, further as 0."""
    key = str(question.mentee_question_id if role == Role.MENTEE else question.mentor_question_id)
    if question.scale:
        out = np.zeros((len(people), SCALE_MAX + 2))
        for row, person in enumerate(people):
            value = person.answers.get(key)
            try:
                value = int(value)
            except (TypeError, ValueError):
                continue
            if 1 <= value <= SCALE_MAX:
                out[row, value - 1 : value + 2] = 1.0
        return out
    column = {option: k for k, option in enumerate(question.options)}
    out = np.zeros((len(people), len(question.options)))
    for row, person in enumerate(people):
        value = person.answers.get(key)
        chosen = value if isinstance(value, list | tuple) else [value]
        for option in chosen:
            if str(option) in column:
                out[row, column[str(option)]] = 1.0
    return out


def _pair_index(mentees: list[Profile], mentors: list[Profile], pairs: Iterable[tuple[int, int]]) -> PairIndex:
    """``(mentee enrollment id, mentor enrollment id)`` pairs as rows and columns of the cohort."""
    rows = {p.enrollment_id: i for i, p in enumerate(mentees)}
    cols = {p.enrollment_id: j for j, p in enumerate(mentors)}
    hits = [(rows[a], cols[b]) for a, b in pairs if a in rows and b in cols]
    return PairIndex([i for i, _ in hits], [j for _, j in hits])


def management_chain_pairs(mentees: list[Profile], mentors: list[Profile]) -> PairIndex:
    """The pairs where the mentor is above the mentee in their management chain, or the other way round."""
    mentor_cols: dict[int, list[int]] = {}
    for j, mentor in enumerate(mentors):
        mentor_cols.setdefault(mentor.person_id, []).append(j)
    mentee_rows: dict[int, list[int]] = {}
    for i, mentee in enumerate(mentees):
        mentee_rows.setdefault(mentee.person_id, []).append(i)
    hits = [
        (i, j)
        for i, mentee in enumerate(mentees)
        for boss in mentee.management_chain
        for j in mentor_cols.get(boss, ())
    ]
    hits += [
        (i, j)
        for j, mentor in enumerate(mentors)
        for boss in mentor.management_chain
        for i in mentee_rows.get(boss, ())
    ]
    return PairIndex([i for i, _ in hits], [j for _, j in hits])


def cohort_build(
    *,
    mentees: Iterable[Profile],
    mentors: Iterable[Profile],
    questions: Iterable[MappedQuestion] = (),
    previous_pairs: Iterable[tuple[int, int]] = (),
    declined_pairs: Iterable[tuple[int, int]] = (),
    excluded_pairs: Iterable[tuple[int, int]] = (),
    at: datetime.datetime | None = None,
) -> Cohort:
    """Keep the participants who can be matched and build the engine's inputs.

    Pairs are ``(mentee enrollment id, mentor enrollment id)``. ``at`` fixes the
    moment time-zone offsets are taken (daylight saving).
    """
    at = at or timezone.now()
    mentees, mentors, questions = list(mentees), list(mentors), list(questions)
    left_out = {
        "mentees_training": sum(1 for p in mentees if not p.training_complete),
        "mentees_paired": sum(1 for p in mentees if p.training_complete and p.is_paired),
        "mentors_training": sum(1 for p in mentors if not p.training_complete),
        "mentors_full": sum(1 for p in mentors if p.training_complete and p.free_capacity <= 0),
    }
    mentees = [p for p in mentees if p.training_complete and not p.is_paired]
    mentors = [p for p in mentors if p.training_complete and p.free_capacity > 0]
    skill_ids = sorted({s for p in mentees + mentors for s in p.skills})
    language_ids = sorted({language for p in mentees + mentors for language in p.languages})
    common = {"skill_ids": skill_ids, "language_ids": language_ids, "questions": questions, "at": at}
    blocked = {
        "management_chain": management_chain_pairs(mentees, mentors),
        "paired_before": _pair_index(mentees, mentors, previous_pairs),
        "declined_request": _pair_index(mentees, mentors, declined_pairs),
        "excluded": _pair_index(mentees, mentors, excluded_pairs),
    }
    return Cohort(
        mentees=mentees,
        mentors=mentors,
        mentee_features=_side_features(mentees, role=Role.MENTEE, **common),
        mentor_features=_side_features(mentors, role=Role.MENTOR, **common),
        capacities=np.array([p.free_capacity for p in mentors], dtype=np.int64),
        blocked=blocked,
        left_out=left_out,
        has_questions=bool(questions),
    )


# --- The database side ----------------------------------------------------------------


def management_chains(*, person_ids: Iterable[int], managers: Mapping[int, int | None]) -> dict[int, frozenset[int]]:
    """Each person's chain of managers (ids), from a ``person id -> manager id`` map; cycle-safe."""
    chains = {}
    for person_id in person_ids:
        chain: list[int] = []
        seen = {person_id}
        boss = managers.get(person_id)
        while boss is not None and boss not in seen:
            chain.append(boss)
            seen.add(boss)
            boss = managers.get(boss)
        chains[person_id] = frozenset(chain)
    return chains


def mapped_questions(*, program) -> list[MappedQuestion]:
    """The program's mentee questions that map to a mentor question and can be compared
    (choice or scale questions; free text can't be). One query."""
    out = []
    questions = ProgramQuestion.objects.filter(
        program=program, audience=Role.MENTEE, maps_to__isnull=False, maps_to__program=program
    ).select_related("maps_to")
    kinds = ProgramQuestion.Kind
    for question in questions.order_by("order", "pk"):
        target = question.maps_to
        if question.kind == kinds.TEXT or target.kind == kinds.TEXT:
            continue
        scale = question.kind == kinds.SCALE
        if scale != (target.kind == kinds.SCALE):
            continue
        options = () if scale else tuple(dict.fromkeys(str(c) for c in [*question.choices, *target.choices]))
        out.append(MappedQuestion(question.pk, target.pk, scale=scale, options=options))
    return out


def cohort_load(*, program, mentee_ids: Iterable[int] | None = None, at: datetime.datetime | None = None) -> Cohort:
    """The program's matchable cohort from the database: eight queries, however large.

    ``mentee_ids`` restricts the mentee side (a self-select mentee's suggestions).
    """
    from people.models import Person

    queryset = participants_queryset(program=program)
    if mentee_ids is not None:
        queryset = queryset.filter(Q(role=Role.MENTOR) | Q(pk__in=list(mentee_ids)))
    # Plain tuples, not model instances: a large cohort is tens of thousands of rows. Sorted
    # here, not by the database (wide rows: its sort spills to disk at 10,000 participants).
    enrollments = sorted(
        queryset.order_by().values_list(
            "pk",
            "role",
            "person_id",
            "person__seniority",
            "person__department_id",
            "person__location_id",
            "person__time_zone",
            "meeting_format",
            "availability_hours",
            "objectives",
            "working_style",
            "answers",
            "mentor_capacity",
            "training_complete",
            "live_as_mentor",
            "live_as_mentee",
            named=True,
        ),
        key=lambda enrollment: enrollment.pk,
    )
    approved = {"program": program, "status": Enrollment.Status.APPROVED}

    skills: dict[int, dict[int, int]] = {}
    for enrollment_id, skill_id, direction, role, level in EnrollmentSkill.objects.filter(
        **{f"enrollment__{k}": v for k, v in approved.items()}
    ).values_list("enrollment_id", "skill_id", "direction", "enrollment__role", "level"):
        wanted = EnrollmentSkill.Direction.HAS if role == Role.MENTOR else EnrollmentSkill.Direction.WANTS
        if direction == wanted:
            skills.setdefault(enrollment_id, {})[skill_id] = level
    languages: dict[int, set[int]] = {}
    for person_id, language_id in Person.languages.through.objects.filter(
        person__enrollments__program=program, person__enrollments__status=Enrollment.Status.APPROVED
    ).values_list("person_id", "language_id"):
        languages.setdefault(person_id, set()).add(language_id)
    managers = dict(Person.objects.order_by().values_list("id", "manager_id"))
    chains = management_chains(person_ids={e.person_id for e in enrollments}, managers=managers)
    previous = list(Pairing.objects.filter(program=program).values_list("mentee_id", "mentor_id"))
    declined = list(
        MentorshipRequest.objects.filter(program=program, status=MentorshipRequest.Status.DECLINED).values_list(
            "mentee_id", "mentor_id"
        )
    )
    excluded = list(
        PairOverride.objects.filter(program=program, kind=PairOverride.Kind.EXCLUDE).values_list(
            "mentee_id", "mentor_id"
        )
    )
    questions = mapped_questions(program=program)

    mentees, mentors = [], []
    for enrollment in enrollments:
        person_id = enrollment.person_id
        is_mentor = enrollment.role == Role.MENTOR
        capacity = enrollment.mentor_capacity or program.default_mentor_capacity
        profile = Profile(
            enrollment_id=enrollment.pk,
            person_id=person_id,
            seniority=enrollment.person__seniority,
            department_id=enrollment.person__department_id,
            location_id=enrollment.person__location_id,
            time_zone=enrollment.person__time_zone,
            languages=frozenset(languages.get(person_id, ())),
            meeting_format=enrollment.meeting_format,
            availability_hours=enrollment.availability_hours,
            objectives=frozenset(enrollment.objectives or ()),
            skills=skills.get(enrollment.pk, {}),
            working_style=enrollment.working_style if isinstance(enrollment.working_style, dict) else {},
            answers=enrollment.answers if isinstance(enrollment.answers, dict) else {},
            management_chain=chains.get(person_id, frozenset()),
            training_complete=bool(enrollment.training_complete),
            free_capacity=max(capacity - enrollment.live_as_mentor, 0) if is_mentor else 0,
            is_paired=bool(enrollment.live_as_mentee),
        )
        (mentors if is_mentor else mentees).append(profile)
    return cohort_build(
        mentees=mentees,
        mentors=mentors,
        questions=questions,
        previous_pairs=previous,
        declined_pairs=declined,
        excluded_pairs=excluded,
        at=at or _reference_moment(program),
    )


def _reference_moment(program) -> datetime.datetime:
    """Time-zone offsets as they will be when the program starts (or now, once it has)."""
    start = datetime.datetime.combine(program.start_date, datetime.time(12), tzinfo=datetime.UTC)
    return max(start, timezone.now())
