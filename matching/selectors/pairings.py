"""Pairings: HR's list of a program's pairings, and a participant's own."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.fields.json import KeyTransform

from matching.models import Pairing
from people.models import Language
from programs.models import Enrollment, EnrollmentSkill, Objective, Program, Role

# --- HR: pairings -----------------------------------------------------------------------


def pairings_for_program(*, program: Program, status: str = "") -> QuerySet[Pairing]:
    queryset = Pairing.objects.filter(program=program)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("mentor__person", "mentee__person", "ended_by").order_by(
        "mentee__person__last_name", "mentee__person__first_name", "-created_at", "-pk"
    )


def pairing_status_counts(*, program: Program) -> dict[str, int]:
    return dict(Pairing.objects.filter(program=program).order_by().values_list("status").annotate(n=Count("pk")))


# --- Participants -----------------------------------------------------------------------


@dataclass
class InCommon:
    skills: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)


def _in_common(pairing: Pairing) -> InCommon:
    wanted = {s.skill_id: s.skill.name for s in pairing.mentee.skills.all() if s.direction == "wants"}
    offered = {s.skill_id for s in pairing.mentor.skills.all() if s.direction == "has"}
    mentee_languages = {language.pk: language.name for language in pairing.mentee.person.languages.all()}
    mentor_languages = {language.pk for language in pairing.mentor.person.languages.all()}
    labels = dict(Objective.choices)
    goals = [
        labels.get(code, code) for code in pairing.mentee.objectives or [] if code in (pairing.mentor.objectives or [])
    ]
    return InCommon(
        skills=sorted(name for pk, name in wanted.items() if pk in offered),
        languages=sorted(name for pk, name in mentee_languages.items() if pk in mentor_languages),
        goals=goals,
    )


def pairings_for_participant(*, user) -> list[Pairing]:
    """The user's own pairings (as mentor or mentee), newest first, each with ``my_role``,
    ``partner``, ``in_common`` and the ``max_points`` of the run that proposed it. Eight
    queries however many pairings and runs.

    The user's enrollments are read first, so that the pairings are found on the mentor
    and mentee indexes (an OR across the two people joins read every pairing of the
    company); of the run, only its criteria's maximum points are read (not its stats)."""
    mine = list(Enrollment.objects.filter(person__user=user).values_list("pk", flat=True))
    skills = Prefetch("skills", queryset=EnrollmentSkill.objects.select_related("skill"))
    languages = Prefetch("languages", queryset=Language.objects.order_by("name"))
    pairings = list(
        Pairing.objects.filter(Q(mentor__in=mine) | Q(mentee__in=mine))
        .select_related(
            "program",
            "mentor__person__department",
            "mentor__person__location",
            "mentee__person__department",
            "mentee__person__location",
        )
        .annotate(run_max_points=KeyTransform("max_points", "match_run__stats"))
        .prefetch_related(
            Prefetch("mentor__skills", queryset=skills.queryset),
            Prefetch("mentee__skills", queryset=skills.queryset),
            Prefetch("mentor__person__languages", queryset=languages.queryset),
            Prefetch("mentee__person__languages", queryset=languages.queryset),
        )
        .order_by("-created_at", "-pk")
    )
    for pairing in pairings:
        is_mentor = pairing.mentor.person.user_id == user.pk
        pairing.my_role = Role.MENTOR if is_mentor else Role.MENTEE
        pairing.partner = pairing.mentee if is_mentor else pairing.mentor
        pairing.my_confirmed_at = pairing.mentor_confirmed_at if is_mentor else pairing.mentee_confirmed_at
        pairing.partner_confirmed_at = pairing.mentee_confirmed_at if is_mentor else pairing.mentor_confirmed_at
        pairing.in_common = _in_common(pairing)
        pairing.max_points = pairing.run_max_points or {}
    return pairings
